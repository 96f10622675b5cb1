package dev.kyu.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void parsesHumanAndIsoForms() {
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(Durations.parse("1d")).isEqualTo(Duration.ofDays(1));
        assertThat(Durations.parse("PT1M30S")).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void formatsTheLargestWholeUnit() {
        assertThat(Durations.format(Duration.ofMinutes(120))).isEqualTo("2h");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    }

    @Test
    void refusesNonsenseWithAnExample() {
        assertThatThrownBy(() -> Durations.parse("soon"))
                .hasMessage("bad duration 'soon': expected e.g. 250ms, 10s, 5m, 2h, 1d or PT10S");
        assertThatThrownBy(() -> Durations.parse("-5s")).hasMessageContaining("bad duration '-5s'");
    }

    @Test
    void refusesDurationsTooLongToStoreInsteadOfOverflowing() {
        assertThat(Durations.parse("36500d")).isEqualTo(Durations.MAX);
        for (String huge : new String[] {"36501d", "9999999999999d", "99999999999999999999999d", "PT9999999999999H"}) {
            assertThatThrownBy(() -> Durations.parse(huge))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("bad duration '" + huge + "': at most 36500d (100 years)");
        }
    }
}
