package dev.kyu.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kyu.KyuException;
import dev.kyu.ManualClock;
import dev.kyu.broker.memory.MemoryBroker;
import dev.kyu.job.Job;
import dev.kyu.job.JobIds;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.NewJob;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Flow entries that no Kyu code wrote (a hand edit, a broken tool) are read as absent or replaced, never thrown. */
class FlowStoreGarbageTest {
    private final ManualClock clock = new ManualClock("2026-01-01T00:00:00Z");
    private final MemoryBroker broker = MemoryBroker.open(clock);
    private final KvLimits limits = new KvLimits(broker, clock);
    private final Limit.Target task = Limit.Target.task("t");

    @AfterEach
    void close() {
        broker.close();
    }

    @Test
    void anUnreadablePauseIsShownAsNoneAndReplacedByTheNextPause() {
        limits.define(Limit.concurrency("c", task, 1).perKey(KeySource.meta("tenant")));
        broker.kvPut(KvLimits.PAUSES + "c/", "garbage");
        broker.kvPut(KvLimits.PAUSES + "c/k", "");
        assertThat(limits.status("c").pausedUntil()).isEmpty();
        limits.pause("c", null, Duration.ofSeconds(5));
        assertThat(limits.status("c").pausedUntil()).containsOnlyKeys("");
    }

    @Test
    void aPauseTooLongOrWithAKeyNoJobCanHaveIsRefusedInOneLine() {
        limits.define(Limit.concurrency("c", task, 1).perKey(KeySource.meta("tenant")));
        assertThatThrownBy(() -> limits.pause("c", null, Duration.ofDays(365L * 1_000_000_000)))
                .isInstanceOf(KyuException.InvalidInput.class)
                .hasMessage("a pause must be at most 36500d, was 365000000000d");
        assertThatThrownBy(() -> limits.pause("c", "k".repeat(201), Duration.ofSeconds(1)))
                .isInstanceOf(KyuException.InvalidInput.class)
                .hasMessage("a pause's key must be 1-200 characters, was 201");
        assertThat(broker.kvList(KvLimits.PAUSES)).isEmpty();
    }

    @Test
    void aPauseEndingAfter2262StillHoldsItsJobs() {
        limits.define(Limit.rate("r", task, 1000, Duration.ofSeconds(1)));
        broker.kvPut(KvLimits.PAUSES + "r/", "3000-01-01T00:00:00Z");
        broker.kvPut(KvLimits.PAUSED_UNTIL + "r", "3000-01-01T00:00:00Z");
        var decision = new FlowGate(broker, clock, Map.of()).admit(job());
        assertThat(decision).isInstanceOf(FlowGate.Hold.class);
        assertThat(((FlowGate.Hold) decision).delay()).isGreaterThan(Duration.ofDays(365L * 200));
        assertThat(FlowGate.nanos(Instant.MAX)).isEqualTo(Long.MAX_VALUE);
        assertThat(FlowGate.nanos(Instant.MIN)).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void aDenialCountReadBackAsAnythingGivesAShortRetry() {
        for (int tries : new int[] {Integer.MIN_VALUE, -5, -2, -1, 0, 1, 63, Integer.MAX_VALUE}) {
            assertThat(FlowGate.retryDelay(tries)).as("tries %d", tries).isBetween(Duration.ZERO, FlowGate.MAX_RETRY);
        }
        limits.define(Limit.concurrency("c", task, 1));
        Job job = job();
        broker.kvPut(FlowGate.SLOTS + "c/", JobIds.next(clock)); // a holder that is no job: pruned
        broker.kvPut(Booking.key(job.id(), "c"), "0,-2,c1");
        assertThat(new FlowGate(broker, clock, Map.of()).admit(job)).isInstanceOf(FlowGate.Admit.class);
    }

    private Job job() {
        String id = JobIds.next(clock);
        broker.jobsEnqueue(
                EnqueueRequest.of(List.of(NewJob.builder(id, "t").args("{}").build())));
        return broker.jobGet(id).orElseThrow();
    }
}
