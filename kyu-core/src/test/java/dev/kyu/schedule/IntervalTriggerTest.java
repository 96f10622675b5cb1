package dev.kyu.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** Fixed intervals: anchored to the epoch, strictly increasing, blind to zones and DST. */
class IntervalTriggerTest {

    @Test
    void firesAtMultiplesOfTheIntervalSinceTheEpoch() {
        var t = new IntervalTrigger(Duration.ofSeconds(30));
        ZoneId z = ZoneId.of("UTC");
        assertThat(t.nextAfter(Instant.parse("2024-01-01T00:00:05Z"), z))
                .isEqualTo(Instant.parse("2024-01-01T00:00:30Z"));
        assertThat(t.nextAfter(Instant.parse("2024-01-01T00:00:30Z"), z))
                .isEqualTo(Instant.parse("2024-01-01T00:01:00Z"));
        assertThat(t.nextAfter(Instant.parse("2024-01-01T00:00:29.999Z"), z))
                .isEqualTo(Instant.parse("2024-01-01T00:00:30Z"));
        assertThat(t.latestAtOrBefore(Instant.parse("2024-01-01T00:00:30Z"), z))
                .isEqualTo(Instant.parse("2024-01-01T00:00:30Z"));
        assertThat(t.latestAtOrBefore(Instant.parse("2024-01-01T00:00:59.9Z"), z))
                .isEqualTo(Instant.parse("2024-01-01T00:00:30Z"));
    }

    @Test
    void anIntervalIsElapsedTimeEvenAcrossADstChange() {
        var t = new IntervalTrigger(Duration.ofHours(1));
        ZoneId ny = ZoneId.of("America/New_York");
        Instant at = Instant.parse("2024-11-03T03:00:00Z");
        for (int i = 0; i < 6; i++) {
            Instant next = t.nextAfter(at, ny);
            assertThat(Duration.between(at, next)).isEqualTo(Duration.ofHours(1));
            at = next;
        }
    }

    @Test
    void tooShortOrFractionalIntervalsAreRefused() {
        assertThatThrownBy(() -> new IntervalTrigger(Duration.ofMillis(500)))
                .hasMessageContaining("at least 1s, was 500ms");
        assertThatThrownBy(() -> new IntervalTrigger(Duration.ofMillis(1500)))
                .hasMessageContaining("whole seconds, was 1500ms");
    }
}
