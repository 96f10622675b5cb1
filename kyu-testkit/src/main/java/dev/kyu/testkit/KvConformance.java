package dev.kyu.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Conformance: compare-and-set on the key-value store, the one atomic step counters and flags shared by
 * many processes are built on. Every engine has it; no capability gates it.
 */
public abstract class KvConformance extends LinkConformance {

    @Nested
    @DisplayName("key-value compare-and-set")
    class CompareAndSet {
        @Test
        @DisplayName("a null expected value sets an absent key only")
        void setsAnAbsentKeyOnly() {
            assertThat(broker.kvCompareAndSet("flag", null, "on ünï")).isTrue();
            assertThat(broker.kvGet("flag")).contains("on ünï");
            assertThat(broker.kvCompareAndSet("flag", null, "again"))
                    .as("the key is present now")
                    .isFalse();
            assertThat(broker.kvGet("flag")).contains("on ünï");
        }

        @Test
        @DisplayName("a present key is replaced when it holds the expected value, and left alone when it does not")
        void replacesOnlyTheExpectedValue() {
            broker.kvPut("counter", "1");
            broker.kvPut("other", "1");
            assertThat(broker.kvCompareAndSet("counter", "1", "2")).isTrue();
            assertThat(broker.kvCompareAndSet("counter", "1", "3"))
                    .as("the value is 2 now")
                    .isFalse();
            assertThat(broker.kvCompareAndSet("missing", "1", "3"))
                    .as("an absent key holds no value")
                    .isFalse();
            assertThat(broker.kvGet("counter")).contains("2");
            assertThat(broker.kvGet("missing")).isEmpty();
            assertThat(broker.kvList("")).containsExactly(Map.entry("counter", "2"), Map.entry("other", "1"));
        }

        @Test
        @DisplayName("an empty value is a value: it is not the absent key")
        void anEmptyValueIsNotAbsence() {
            broker.kvPut("k", "");
            assertThat(broker.kvCompareAndSet("k", null, "x")).isFalse();
            assertThat(broker.kvCompareAndSet("k", "", "x")).isTrue();
            assertThat(broker.kvCompareAndSet("k", "x", "")).isTrue();
            assertThat(broker.kvGet("k")).contains("");
        }

        @Test
        @DisplayName("a null value deletes the key when it holds the expected value")
        void aNullValueDeletes() {
            broker.kvPut("lease", "a");
            assertThat(broker.kvCompareAndSet("lease", "b", null)).isFalse();
            assertThat(broker.kvGet("lease")).contains("a");
            assertThat(broker.kvCompareAndSet("lease", "a", null)).isTrue();
            assertThat(broker.kvGet("lease")).isEmpty();
            assertThat(broker.kvCompareAndSet("lease", "a", null))
                    .as("already gone")
                    .isFalse();
            assertThat(broker.kvCompareAndSet("lease", null, null))
                    .as("absent, as expected: nothing to change")
                    .isTrue();
            broker.kvPut("lease", "c");
            assertThat(broker.kvCompareAndSet("lease", null, null))
                    .as("present, not absent as expected")
                    .isFalse();
            assertThat(broker.kvGet("lease")).contains("c");
        }

        @Test
        @DisplayName("8 threads incrementing one counter 200 times each by compare-and-set loops end at 1,600")
        void concurrentIncrementsAreNeverLost() throws Exception {
            int threads = 8, each = 200;
            var start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                var futures = new ArrayList<Future<?>>();
                for (int t = 0; t < threads; t++) {
                    futures.add(pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < each; i++) {
                            while (true) {
                                Optional<String> seen = broker.kvGet("hits");
                                long next = seen.map(Long::parseLong).orElse(0L) + 1;
                                if (broker.kvCompareAndSet("hits", seen.orElse(null), Long.toString(next))) break;
                            }
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : futures) f.get(180, TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
            assertThat(broker.kvGet("hits")).contains(Integer.toString(threads * each));
        }
    }
}
