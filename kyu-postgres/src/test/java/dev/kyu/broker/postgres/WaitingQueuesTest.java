package dev.kyu.broker.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class WaitingQueuesTest {
    @Test
    void wantsOnlyQueuesSomeFetcherIsFetching() {
        var w = new WaitingQueues();
        assertThat(w.wants("a")).isFalse();
        w.add(List.of("a", "b"));
        w.add(List.of("a"));
        assertThat(w.wants("a")).isTrue();
        assertThat(w.wants("b")).isTrue();
        assertThat(w.wants("c")).isFalse();
        w.remove(List.of("a", "b"));
        assertThat(w.wants("a")).as("one fetcher of a is still there").isTrue();
        assertThat(w.wants("b")).isFalse();
        w.remove(List.of("a"));
        assertThat(w.wants("a")).isFalse();
    }

    @Test
    void aPayloadThatNamesNoQueueWakesEveryone() {
        var w = new WaitingQueues();
        assertThat(w.wants("")).isTrue();
        assertThat(w.wants(null)).isTrue();
    }
}
