package dev.kyu.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Code-defined schedules are found on the class path. */
class ScheduleBundleTest {
    public static final class TestBundle implements ScheduleBundle {
        @Override
        public List<Schedule> schedules() {
            return List.of(Schedule.builder("bundled", "kyu.noop").every("1h").build());
        }
    }

    @Test
    void bundlesAreLoadedThroughServiceLoader() {
        assertThat(ScheduleBundle.loadAll(getClass().getClassLoader()))
                .extracting(Schedule::name)
                .containsExactly("bundled");
    }
}
