package dev.kyu.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kyu.bench.report.Stats;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void medianMinMaxOfOddAndEvenRuns() {
        assertThat(Stats.median(List.of(30.0, 10.0, 20.0))).isEqualTo(20.0);
        assertThat(Stats.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
        assertThat(Stats.min(List.of(30.0, 10.0, 20.0))).isEqualTo(10.0);
        assertThat(Stats.max(List.of(30.0, 10.0, 20.0))).isEqualTo(30.0);
        assertThat(Stats.median(List.of(7.0))).isEqualTo(7.0);
    }

    @Test
    void nearestRankPercentilesOfOneToHundred() {
        List<Double> v =
                IntStream.rangeClosed(1, 100).mapToObj(i -> (double) (101 - i)).toList();
        assertThat(Stats.percentile(v, 50)).isEqualTo(50.0);
        assertThat(Stats.percentile(v, 90)).isEqualTo(90.0);
        assertThat(Stats.percentile(v, 99)).isEqualTo(99.0);
        assertThat(Stats.percentile(v, 100)).isEqualTo(100.0);
    }

    @Test
    void percentileIsAlwaysAValueSeen() {
        List<Double> v = List.of(1.0, 2.0, 3.0, 1000.0);
        assertThat(Stats.percentile(v, 99)).isEqualTo(1000.0);
        assertThat(Stats.percentile(v, 50)).isEqualTo(2.0);
        assertThat(Stats.percentile(v, 1)).isEqualTo(1.0);
    }

    @Test
    void refusesEmptyInputAndBadPercentiles() {
        assertThatThrownBy(() -> Stats.median(List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no values");
        assertThatThrownBy(() -> Stats.percentile(List.of(1.0), 0)).hasMessageContaining("was 0.0");
        assertThatThrownBy(() -> Stats.percentile(List.of(1.0), 101)).hasMessageContaining("was 101.0");
    }
}
