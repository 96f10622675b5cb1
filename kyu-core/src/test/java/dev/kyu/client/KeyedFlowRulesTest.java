package dev.kyu.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kyu.Kyu;
import dev.kyu.KyuException;
import dev.kyu.job.JobOptions;
import dev.kyu.schedule.Schedule;
import dev.kyu.spi.JobQuery;
import dev.kyu.task.Task;
import dev.kyu.workflow.Call;
import dev.kyu.workflow.Workflow;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Where debounce and throttle apply and where they are refused in one line (the engines' suite covers how they behave). */
class KeyedFlowRulesTest {
    private static final Duration H = Duration.ofHours(1);

    record Ping(int n) {}

    @Test
    void aWorkflowStepWithADebounceIsRefusedAndNothingIsStored() {
        var ping = Task.of("rules.ping", Ping.class, (p, ctx) -> p.n());
        try (Kyu kyu = Kyu.builder().broker(dev.kyu.spi.Brokers.open("memory:")).build()) {
            kyu.register(ping);
            var wf = Workflow.chain(
                    Call.of(ping, new Ping(1))
                            .options(JobOptions.builder().debounce("k", H, H).build()),
                    Call.of(ping, new Ping(2)));
            assertThatThrownBy(() -> kyu.enqueue(wf))
                    .isInstanceOf(KyuException.InvalidInput.class)
                    .hasMessage(
                            "step 'rules.ping': debounce 'k' works on a plain enqueue of one job only, not inside a JDBC transaction or a workflow");
            assertThat(kyu.admin().jobs(JobQuery.all(10))).isEmpty();
        }
    }

    @Test
    void aScheduleWithAThrottleIsRefused() {
        assertThatThrownBy(() -> Schedule.builder("s", "rules.ping")
                        .every("1m")
                        .options(JobOptions.builder().throttle("k", H).build())
                        .build())
                .isInstanceOf(KyuException.InvalidInput.class)
                .hasMessageContaining("debounce and throttle are set per enqueue");
    }

    @Test
    void layeringADebounceOverAUniqueKeyIsRefused() {
        var base = JobOptions.builder().unique("mine").build();
        assertThatThrownBy(
                        () -> JobOptions.builder().debounce("k", H, H).build().over(base))
                .isInstanceOf(KyuException.InvalidInput.class)
                .hasMessage("debounce 'k' cannot be combined with a unique key: it holds one of its own");
    }

    @Test
    void theTestModeRunsEveryCallAtOnce() {
        var seen = new CopyOnWriteArrayList<Integer>();
        var ping = Task.of("rules.ping", Ping.class, (p, ctx) -> seen.add(p.n()));
        try (Kyu kyu = Kyu.inline()) {
            kyu.register(ping);
            for (int i = 0; i < 3; i++)
                kyu.enqueue(
                        ping,
                        new Ping(i),
                        JobOptions.builder().debounce("k", H, H).build());
            for (int i = 3; i < 5; i++)
                kyu.enqueue(
                        ping, new Ping(i), JobOptions.builder().throttle("k", H).build());
        }
        assertThat(seen).isEqualTo(List.of(0, 1, 2, 3, 4));
    }
}
