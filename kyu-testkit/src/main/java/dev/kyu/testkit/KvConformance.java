package dev.kyu.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.spi.RateTake;
import java.util.ArrayList;
import java.util.List;
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

    @Nested
    @DisplayName("a cell-rate take in one step")
    class TakeRate {
        /** Epoch nanoseconds of a real clock, where the engines' arithmetic is most at risk. */
        private static final long NOW = 1_800_000_000_123_456_789L;

        private RateTake.Taken takeAndCheck(RateTake take) {
            String before = broker.kvGet(take.key()).orElse(null);
            RateTake.Taken expected = take.apply(before);
            RateTake.Taken got = broker.kvTakeRate(take);
            assertThat(got).as("take %s on %s", take, before).isEqualTo(expected);
            assertThat(broker.kvGet(take.key()))
                    .as("state after %s on %s", take, before)
                    .contains(take.value(got));
            return got;
        }

        @Test
        @DisplayName("takes as the reference arithmetic does: burst, steady slots, horizon, a changed rule")
        void matchesTheReference() {
            long interval = 1_000_000; // 1,000 a second
            for (int i = 0; i < 5; i++) takeAndCheck(new RateTake("rate/a", "1000000x10", NOW, interval, 10, 4, 0));
            takeAndCheck(new RateTake("rate/a", "1000000x10", NOW + 7, interval, 10, 32, 50_000_000));
            takeAndCheck(new RateTake("rate/a", "1000000x10", NOW + 3 * interval, interval, 10, 1, 0));
            takeAndCheck(new RateTake("rate/a", "333333333x1", NOW, 333_333_333, 1, 5, 1_000_000_000));
            takeAndCheck(new RateTake("rate/b", "7x1", NOW, 7, 1, 1000, 6_999));
            takeAndCheck(new RateTake("rate/b", "7x1", NOW + 1, 7, 1, 1000, 0));
            takeAndCheck(new RateTake("rate/c", "31622400000000000x1000", NOW, 31_622_400_000_000_000L, 1000, 3, 0));
            takeAndCheck(new RateTake("rate/c", "31622400000000000x1000", NOW, 31_622_400_000_000_000L, 1000, 999, 0));
            takeAndCheck(new RateTake("rate/d", "1x" + Long.MAX_VALUE, NOW, 1, Long.MAX_VALUE, 10, 0));
        }

        @Test
        @DisplayName(
                "a stored state that is garbage, another rule's or at the end of time is read as the reference reads it")
        void readsOddStatesAsTheReference() {
            String rule = "1000x1";
            for (String odd : new String[] {
                "",
                "abc",
                "12",
                "12,",
                ",1000x1",
                "-5,1000x1",
                "+1900000000000000000,1000x1",
                "0001900000000000000000,1000x1",
                "1900000000000000000.5,1000x1",
                " 1900000000000000000,1000x1",
                "19000000000000000000,1000x1",
                "9223372036854775807,1000x1",
                "9223372036854775808,1000x1",
                "9223372036854770000,1000x1",
                "1900000000000000000,1000x1,x",
                "1900000000000000000,1000x2",
                "1900000000000000000,1000x1"
            }) {
                broker.kvPut("rate/odd", odd);
                takeAndCheck(new RateTake("rate/odd", rule, NOW, 1000, 1, 7, 10_000));
            }
        }

        @Test
        @DisplayName("a batch of takes answers as the same takes one after the other: new, kept, odd and repeated keys")
        void aBatchIsTheTakesInOrder() {
            broker.kvPut("rate/kept", (NOW + 5_000) + ",1000x1");
            broker.kvPut("rate/odd", "garbage");
            broker.kvPut("rate/other", (NOW + 9_000) + ",2000x1");
            var takes = new ArrayList<RateTake>();
            for (String k : new String[] {"rate/new", "rate/kept", "rate/odd", "rate/other"})
                takes.add(new RateTake(k, "1000x1", NOW, 1_000, 1, 3, 1_500));
            var expected = new ArrayList<RateTake.Taken>();
            var values = new java.util.HashMap<String, String>();
            for (RateTake t : takes) {
                RateTake.Taken e = t.apply(broker.kvGet(t.key()).orElse(null));
                expected.add(e);
                values.put(t.key(), t.value(e));
            }
            assertThat(broker.kvTakeRates(takes)).containsExactlyElementsOf(expected);
            values.forEach((k, v) -> assertThat(broker.kvGet(k)).as(k).contains(v));

            var twice = List.of(
                    new RateTake("rate/kept", "1000x1", NOW, 1_000, 1, 1, 0),
                    new RateTake("rate/fresh", "1000x1", NOW, 1_000, 1, 1, 0),
                    new RateTake("rate/kept", "1000x1", NOW, 1_000, 1, 1, 0));
            String kept = broker.kvGet("rate/kept").orElseThrow();
            RateTake.Taken first = twice.get(0).apply(kept);
            RateTake.Taken third = twice.get(2).apply(twice.get(0).value(first));
            assertThat(broker.kvTakeRates(twice))
                    .as("a key named twice is taken twice, in order")
                    .containsExactly(first, twice.get(1).apply(null), third);
            assertThat(broker.kvTakeRates(List.of())).isEmpty();
        }

        @Test
        @DisplayName("8 threads taking from one state at the same instant get distinct slots, none lost")
        void concurrentTakesAreDistinct() throws Exception {
            int threads = 8, each = 50;
            long interval = 1_000;
            var start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            var taken = new java.util.concurrent.atomic.AtomicLong();
            var slots = java.util.concurrent.ConcurrentHashMap.<Long>newKeySet();
            try {
                var futures = new ArrayList<Future<?>>();
                for (int t = 0; t < threads; t++) {
                    futures.add(pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < each; i++) {
                            var take = new RateTake("rate/busy", "1000x1", NOW, interval, 1, 3, Long.MAX_VALUE);
                            RateTake.Taken got = broker.kvTakeRate(take);
                            taken.addAndGet(got.taken());
                            for (int k = 0; k < got.taken(); k++) slots.add(take.slot(got.tat0(), k));
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : futures) f.get(180, TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
            assertThat(taken.get()).isEqualTo(threads * each * 3L);
            assertThat(slots).as("every start its own slot").hasSize(threads * each * 3);
            assertThat(broker.kvGet("rate/busy")).contains((NOW + taken.get() * interval) + ",1000x1");
        }
    }
}
