package dev.kyu.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void exponentialDelayIsFullJitterUnderTheDoublingCeilingAndTheCap() {
        var b = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(2));
        IntStream.range(0, 500).forEach(i -> {
            assertThat(b.delayAfter(1)).isBetween(Duration.ZERO, Duration.ofMillis(100));
            assertThat(b.delayAfter(3)).isBetween(Duration.ZERO, Duration.ofMillis(400));
            assertThat(b.delayAfter(60)).isBetween(Duration.ZERO, Duration.ofSeconds(2));
        });
        // Full jitter really spreads: over many draws the delays are not all the same.
        assertThat(IntStream.range(0, 50)
                        .mapToObj(i -> b.delayAfter(5))
                        .distinct()
                        .count())
                .isGreaterThan(10);
    }

    @Test
    void fixedDelayIsConstant() {
        assertThat(Backoff.fixed(Duration.ofSeconds(30)).delayAfter(7)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void specRoundTrips() {
        var b = Backoff.exponential(Duration.ofSeconds(1), Duration.ofMinutes(10));
        assertThat(b.toSpec()).isEqualTo("exp:1s:10m");
        assertThat(Backoff.parse(b.toSpec())).isEqualTo(b);
        assertThat(Backoff.parse("fixed:250ms")).isEqualTo(Backoff.fixed(Duration.ofMillis(250)));
    }

    @Test
    void badSpecsAreRefusedWithTheExpectedForm() {
        assertThatThrownBy(() -> Backoff.parse("linear:1s")).hasMessageContaining("expected exp:BASE:CAP");
        assertThatThrownBy(() -> Backoff.exponential(Duration.ofMinutes(1), Duration.ofSeconds(1)))
                .hasMessageContaining("below its base");
    }
}
