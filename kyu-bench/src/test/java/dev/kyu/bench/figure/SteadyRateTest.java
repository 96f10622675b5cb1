package dev.kyu.bench.figure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class SteadyRateTest {
    /** Starts every {@code gapMicros} from t = 0, {@code n} of them. */
    private static long[] even(int n, long gapMicros) {
        return LongStream.range(0, n).map(i -> i * gapMicros).toArray();
    }

    @Test
    void anEvenRunIsItsRate() {
        // 1,000/s for 20 s: the window [1 s, 19 s) holds 18,000 starts over 18 s.
        SteadyRate r = SteadyRate.of(even(20_001, 1_000), 1_000_000);
        assertThat(r.trimmed()).isTrue();
        assertThat(r.starts()).isEqualTo(18_000);
        assertThat(r.seconds()).isCloseTo(18.0, within(1e-9));
        assertThat(r.perSecond()).isCloseTo(1000.0, within(1e-9));
        assertThat(r.deviationPercent(1000)).isCloseTo(0.0, within(1e-9));
    }

    @Test
    void theBurstAtTheTopAndTheStragglersAtTheEndAreLeftOut() {
        long[] steady = even(10_001, 1_000); // 10 s at 1,000/s
        long[] all = new long[steady.length + 50 + 3];
        System.arraycopy(steady, 0, all, 0, steady.length);
        for (int i = 0; i < 50; i++) all[steady.length + i] = 10 * i; // a burst of 50 in the first half millisecond
        all[all.length - 3] = 10_400_000; // stragglers within the last second
        all[all.length - 2] = 10_700_000;
        all[all.length - 1] = 11_000_000;
        SteadyRate r = SteadyRate.of(all, 1_000_000);
        // Window [1 s, 10 s): the steady starts at 1.000 … 9.999 s, 9,000 of them over 9 s.
        assertThat(r.perSecond()).isCloseTo(1000.0, within(1e-9));
    }

    @Test
    void orderDoesNotMatter() {
        long[] s = even(5_001, 2_000); // 500/s for 10 s
        long[] reversed = LongStream.range(0, s.length)
                .map(i -> s[s.length - 1 - (int) i])
                .toArray();
        assertThat(SteadyRate.of(reversed, 1_000_000).perSecond()).isCloseTo(500.0, within(1e-9));
    }

    @Test
    void deviationIsSignedInPercentOfTheLimit() {
        SteadyRate r = SteadyRate.of(even(10_001, 1_020), 1_000_000); // ~980.4/s
        assertThat(r.deviationPercent(1000)).isCloseTo((1e6 / 1020 - 1000) / 10, within(0.05));
        assertThat(r.deviationPercent(1000)).isNegative();
    }

    @Test
    void aRunTooShortToTrimUsesItsWholeSpan() {
        SteadyRate r = SteadyRate.of(even(1_001, 1_000), 1_000_000); // 1 s at 1,000/s
        assertThat(r.trimmed()).isFalse();
        assertThat(r.perSecond()).isCloseTo(1000.0, within(1e-9));
    }

    @Test
    void fewerThanTwoStartsOrOneInstantHaveNoRate() {
        assertThatThrownBy(() -> SteadyRate.of(new long[] {5}, 0)).hasMessageContaining("at least two starts");
        assertThatThrownBy(() -> SteadyRate.of(new long[] {5, 5}, 0)).hasMessageContaining("same microsecond");
    }

    @Test
    void argsSpreadTheKeysInTurn() {
        assertThat(Flow.spread(5, 2))
                .containsExactly("{\"k\":\"0\"}", "{\"k\":\"1\"}", "{\"k\":\"0\"}", "{\"k\":\"1\"}", "{\"k\":\"0\"}");
        assertThat(Flow.spread(3, 1)).containsOnly("{\"k\":\"0\"}");
    }
}
