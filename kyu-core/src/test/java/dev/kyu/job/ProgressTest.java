package dev.kyu.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProgressTest {
    @Test
    void aFractionOutside0To1OrNaNIsRefusedWithTheValue() {
        for (double bad : new double[] {-0.01, 1.0001, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> new Progress(bad, null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("progress must be a number from 0 to 1, was " + bad);
        }
        assertThat(new Progress(0, null).percent()).isZero();
        assertThat(new Progress(1, "done").percent()).isEqualTo(100);
        assertThat(new Progress(0.999, null).percent()).isEqualTo(99);
    }

    @Test
    void aLongMessageIsCutAndAStoredBadValueReadsAsNone() {
        assertThat(new Progress(0.5, "x".repeat(2000)).message()).hasSize(Progress.MAX_MESSAGE);
        assertThat(Progress.stored(null, "m")).isNull();
        assertThat(Progress.stored(7.0, "m")).isNull();
        assertThat(Progress.stored(0.25, "m")).isEqualTo(new Progress(0.25, "m"));
    }
}
