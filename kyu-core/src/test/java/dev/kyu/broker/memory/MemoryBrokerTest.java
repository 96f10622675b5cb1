package dev.kyu.broker.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kyu.KyuException;
import dev.kyu.ManualClock;
import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobState;
import dev.kyu.spi.Broker;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.Brokers;
import dev.kyu.spi.Capability;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.NewJob;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What is particular to the memory engine; the shared behaviour is checked by the conformance suite in kyu-testkit. */
class MemoryBrokerTest {
    private static final Clock FIXED = Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC);

    private static String enqueue(Broker b, NewJob.Builder j) {
        return b.jobsEnqueue(EnqueueRequest.of(List.of(j.build()))).get(0).id();
    }

    private static NewJob.Builder job() {
        return NewJob.builder(JobIds.next(), "t").queue("q");
    }

    @Test
    void opensByUrlWithAnInjectableClock() {
        try (Broker b = Brokers.open(BrokerConfig.of("memory:").withClock(FIXED))) {
            assertThat(b.describe()).isEqualTo("memory:");
            assertThat(b.capabilities()).containsExactlyInAnyOrder(Capability.INJECTABLE_CLOCK, Capability.JOB_LINKS);
            assertThat(b.now()).isEqualTo(FIXED.instant());
        }
    }

    @Test
    void refusesOptionsAndBadNames() {
        assertThatThrownBy(() -> Brokers.open(new BrokerConfig("memory:", null, Map.of("size", "1"))))
                .isInstanceOf(KyuException.BrokerConfig.class)
                .hasMessageContaining("size");
        assertThatThrownBy(() -> Brokers.open("memory:a/b"))
                .isInstanceOf(KyuException.BrokerConfig.class)
                .hasMessageContaining("'a/b'");
    }

    @Test
    void eachPlainUrlOpensAnIndependentStore() {
        try (Broker a = Brokers.open("memory:");
                Broker b = Brokers.open("memory:")) {
            String id = enqueue(a, job());
            assertThat(a.jobGet(id)).isPresent();
            assertThat(b.jobGet(id)).isEmpty();
        }
    }

    @Test
    @SuppressWarnings("try") // closes a resource early on purpose; the try still closes it if an assertion fails first
    void aNamedStoreIsSharedWhileAnyBrokerHoldsIt() {
        String id;
        try (Broker a = Brokers.open("memory:shared-test");
                Broker b = Brokers.open("memory:shared-test")) {
            assertThat(a.describe()).isEqualTo("memory:shared-test");
            id = enqueue(a, job());
            assertThat(b.jobGet(id)).isPresent();
            a.close();
            assertThat(b.jobGet(id)).isPresent();
        }
        try (Broker c = Brokers.open("memory:shared-test")) {
            assertThat(c.jobGet(id)).as("dropped with its last broker").isEmpty();
        }
    }

    @Test
    void aClosedBrokerRefusesWorkAndClosesIdempotently() throws Exception {
        Broker b = Brokers.open("memory:");
        b.close();
        b.close();
        assertThatThrownBy(() -> b.jobGet("x"))
                .isInstanceOf(KyuException.BrokerUnavailable.class)
                .hasMessageContaining("closed");
        assertThat(b.jobsFetch(new FetchRequest("w", List.of("q"), 1, Duration.ofSeconds(1), Duration.ofSeconds(5))))
                .isEmpty();
    }

    @Test
    void fetchPromotesDueJobsItself() throws Exception {
        var clock = new ManualClock("2030-01-01T00:00:00Z");
        try (MemoryBroker b = MemoryBroker.open(clock)) {
            String id = enqueue(b, job().delay(Duration.ofMinutes(5)));
            clock.advance(Duration.ofMinutes(6));
            List<Job> got = b.jobsFetch(new FetchRequest("w", List.of("q"), 1, Duration.ofSeconds(30), Duration.ZERO));
            assertThat(got).extracting(Job::id).containsExactly(id);
        }
    }

    @Test
    void anInterruptedFetchReturnsEmptyAndKeepsTheInterrupt() throws Exception {
        try (MemoryBroker b = MemoryBroker.open(FIXED)) {
            Thread.currentThread().interrupt();
            try {
                assertThat(b.jobsFetch(
                                new FetchRequest("w", List.of("q"), 1, Duration.ofSeconds(1), Duration.ofSeconds(30))))
                        .isEmpty();
                assertThat(Thread.currentThread().isInterrupted()).isTrue();
            } finally {
                Thread.interrupted();
            }
        }
    }

    @Test
    void anUndecodableEntryIsQuarantinedWithItsRawDataKept() {
        try (MemoryBroker b = MemoryBroker.open(FIXED)) {
            String id = RawEntries.plant(b, FIXED, "q", "\u0001garbage");
            assertThat(b.queueCounts("q")).containsEntry(JobState.QUEUED, 1L);
            Job j = b.jobGet(id).orElseThrow();
            assertThat(j.state()).isEqualTo(JobState.FAILED);
            assertThat(j.args()).isEqualTo("\u0001garbage");
            assertThat(j.task()).isEqualTo(MemoryStore.CORRUPT_TASK);
            assertThat(j.lastError().type()).isEqualTo(JobError.CORRUPT);
            assertThat(b.queueCounts("q")).containsEntry(JobState.QUEUED, 0L).containsEntry(JobState.FAILED, 1L);
        }
    }
}
