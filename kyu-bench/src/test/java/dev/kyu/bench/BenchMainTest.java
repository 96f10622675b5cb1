package dev.kyu.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kyu.bench.figure.BenchConfig;
import dev.kyu.bench.figure.Drain;
import dev.kyu.bench.figure.EnqueueBatched;
import dev.kyu.bench.figure.EnqueueSingle;
import dev.kyu.bench.figure.Sustained;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchMainTest {
    @Test
    void figureNamesChooseMeasurementsAndSustainedRunsLast() {
        var ms = BenchMain.measurements(List.of("sustained", "enqueue", "drain"));
        assertThat(ms)
                .extracting(m -> m.getClass().getSimpleName())
                .containsExactly("EnqueueSingle", "EnqueueBatched", "Drain", "Sustained");
        assertThat(ms.get(0)).isInstanceOf(EnqueueSingle.class);
        assertThat(ms.get(1)).isInstanceOf(EnqueueBatched.class);
        assertThat(ms.get(2)).isInstanceOf(Drain.class);
        assertThat(ms.get(3)).isInstanceOf(Sustained.class);
    }

    @Test
    void latencyRunsFirstBeforeOtherFiguresLoadTheServer() {
        var ms = BenchMain.measurements(List.of("enqueue", "drain", "latency", "sustained"));
        assertThat(ms)
                .extracting(m -> m.getClass().getSimpleName())
                .containsExactly("Latency", "EnqueueSingle", "EnqueueBatched", "Drain", "Sustained");
    }

    @Test
    void isolatedIsAFigureOfItsOwn() {
        assertThat(BenchMain.measurements(List.of("isolated")))
                .singleElement()
                .isInstanceOf(dev.kyu.bench.figure.Isolated.class);
    }

    @Test
    void workflowIsAFigureOfItsOwn() {
        assertThat(BenchMain.measurements(List.of("workflow")))
                .singleElement()
                .isInstanceOf(dev.kyu.bench.figure.Workflows.class);
    }

    @Test
    void flowIsAFigureOfItsOwn() {
        assertThat(BenchMain.measurements(List.of("flow")))
                .singleElement()
                .isInstanceOf(dev.kyu.bench.figure.Flow.class);
    }

    @Test
    void flowSettingsRefuseABurstOutsideTheRate() {
        assertThatThrownBy(() -> new dev.kyu.bench.figure.Flow.Settings(100, 10, 0, 1, 1, 1))
                .hasMessageContaining("flow-burst must be 1..10000, was 0");
    }

    @Test
    void unknownFigureIsRefusedByName() {
        assertThatThrownBy(() -> BenchMain.measurements(List.of("drain", "speed")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'speed'");
    }

    @Test
    void configRefusesNonPositiveCounts() {
        assertThatThrownBy(() -> new BenchConfig(0, 1, 1, 1, 1, 1, 1, 0, 1))
                .hasMessageContaining("jobs must be at least 1, was 0");
        assertThatThrownBy(() -> new BenchConfig(1, 1, 1, 1, 1, 1, 1, -5, 1)).hasMessageContaining("was -5");
    }
}
