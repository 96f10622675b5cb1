package dev.kyu.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.cli.demo.ShopTasks;
import dev.kyu.job.Job;
import dev.kyu.job.JobState;
import dev.kyu.spi.JobQuery;
import dev.kyu.workflow.WorkflowList;
import dev.kyu.workflow.WorkflowState;
import dev.kyu.workflow.WorkflowView;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemoCommandTest extends CliTestBase {

    private List<WorkflowView> workflows() {
        return WorkflowList.page(kyu.broker(), dev.kyu.codec.JsonCodec.shared(), null, 1000, 0);
    }

    @Test
    void fiveOrdersRunAsWorkflowsAndTheDeclinedOneReleasesItsStock() {
        var r = cli.run("demo", "--orders", "5", "--payment-failure-rate", "0");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out())
                .contains("orders done")
                .contains("retries")
                .contains("throughput")
                .contains("wall time")
                .contains("kyu --broker")
                .contains("inspect workflows");
        assertThat(r.err()).contains("orders: 5/5");

        List<WorkflowView> all = workflows();
        assertThat(all).hasSize(5);
        // Order 5 pays with the card that is always declined: its workflow fails at the charge, shipping and
        // confirmation never run, and the reservation is released by its compensation.
        WorkflowView declined =
                all.stream().filter(w -> w.name().endsWith("-5")).findFirst().orElseThrow();
        assertThat(declined.state()).isEqualTo(WorkflowState.FAILED);
        assertThat(declined.failed()).containsExactly("charge");
        assertThat(declined.step("reserve").orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(declined.step("ship").orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        assertThat(declined.step("confirm").orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        assertThat(declined.compensations()).singleElement().satisfies(c -> {
            assertThat(c.task()).isEqualTo(ShopTasks.RELEASE);
            assertThat(c.state()).isEqualTo(JobState.SUCCEEDED);
        });
        for (WorkflowView w : all) {
            if (w == declined) continue;
            assertThat(w.state()).as(w.name()).isEqualTo(WorkflowState.SUCCEEDED);
            assertThat(w.steps()).extracting(WorkflowView.StepView::state).containsOnly(JobState.SUCCEEDED);
            assertThat(w.compensations()).isEmpty();
            // shipping and confirmation ran after the payment, side by side
            Job charge = w.step("charge").orElseThrow().job();
            for (String s : List.of("ship", "confirm")) {
                assertThat(w.step(s).orElseThrow().job().startedAt()).as(s).isAfterOrEqualTo(charge.finishedAt());
            }
        }
        // The outcome of every order, with the workflow id to look it up by.
        assertThat(r.out())
                .containsPattern("(?m)^" + declined.name() + "\\s+FAILED\\s+payment declined; stock released\\s+"
                        + declined.id());
        assertThat(r.out())
                .contains("orders done           4 of 5")
                .containsPattern("orders failed\\s+1\\b")
                .contains("workflow " + declined.id());
    }

    @Test
    void serveKeepsTheWorkerRunningUntilStopped() throws Exception {
        var result = new java.util.concurrent.atomic.AtomicReference<CliRunner.Result>();
        Thread t = new Thread(() -> result.set(cli.run("demo", "--orders", "2", "--serve")));
        t.start();
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(60))
                .until(() -> workflows().size() == 2
                        && workflows().stream().allMatch(w -> w.state().isTerminal()));
        // Still serving: a job enqueued now is run by the demo's worker.
        String late = kyu.enqueueJson(
                        "kyu.noop",
                        "{}",
                        dev.kyu.job.JobOptions.builder().queue(ShopTasks.QUEUE).build())
                .id();
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(30))
                .until(() -> kyu.admin().job(late).orElseThrow().state() == JobState.SUCCEEDED);
        t.interrupt(); // stands in for Ctrl-C
        t.join(30_000);
        assertThat(t.isAlive()).isFalse();
        assertThat(result.get().exitCode()).as(result.get().toString()).isZero();
        assertThat(result.get().out())
                .contains("orders done")
                .contains("keeps running")
                .contains("Dashboard: http://127.0.0.1:");
    }

    @Test
    void paymentsThatTimeOutAreRetried() {
        var r = cli.run("demo", "--orders", "3", "--payment-failure-rate", "0.5");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        var charges = kyu.admin().jobs(new JobQuery(null, ShopTasks.QUEUE, ShopTasks.CHARGE, null, 100, 0));
        assertThat(charges).hasSize(3);
        // Every failed attempt leaves an error; a payment that failed for good left one more than it was retried.
        int errors = charges.stream().mapToInt(j -> j.errors().size()).sum();
        long failedForGood =
                charges.stream().filter(j -> j.state() == JobState.FAILED).count();
        assertThat(r.out())
                .containsPattern("retries\\s+" + (errors - failedForGood) + "\\b")
                .containsPattern("orders failed\\s+" + failedForGood + "\\b");
    }
}
