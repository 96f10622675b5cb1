package dev.kyu.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.cli.demo.ShopTasks;
import dev.kyu.job.JobState;
import dev.kyu.spi.JobQuery;
import org.junit.jupiter.api.Test;

class DemoCommandTest extends CliTestBase {

    @Test
    void fiveOrdersRunToTheEndWithASummary() {
        var r = cli.run("demo", "--orders", "5");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("orders done").contains("retries").contains("throughput").contains("wall time")
                .contains("kyu --broker").contains("inspect queues");
        assertThat(r.err()).contains("orders: 5/5");
        // Every order went through all four steps (a payment may fail for good, very rarely).
        var confirmations = kyu.admin().jobs(new JobQuery(JobState.SUCCEEDED, ShopTasks.QUEUE, ShopTasks.CONFIRM, null, 100, 0));
        var dead = kyu.admin().jobs(new JobQuery(JobState.FAILED, ShopTasks.QUEUE, null, null, 100, 0));
        assertThat(confirmations.size() + dead.size()).isEqualTo(5);
        confirmations.forEach(j -> assertThat(j.meta()).containsKey(ShopTasks.ORDER));
    }

    @Test
    void serveKeepsTheWorkerRunningUntilStopped() throws Exception {
        var result = new java.util.concurrent.atomic.AtomicReference<CliRunner.Result>();
        Thread t = new Thread(() -> result.set(cli.run("demo", "--orders", "2", "--serve")));
        t.start();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() ->
                kyu.admin().jobs(new JobQuery(JobState.SUCCEEDED, ShopTasks.QUEUE, ShopTasks.CONFIRM, null, 10, 0)).size() == 2);
        // Still serving: a job enqueued now is run by the demo's worker.
        String late = kyu.enqueueJson("kyu.noop", "{}", dev.kyu.job.JobOptions.builder().queue(ShopTasks.QUEUE).build()).id();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> kyu.admin().job(late).orElseThrow().state() == JobState.SUCCEEDED);
        t.interrupt(); // stands in for Ctrl-C
        t.join(30_000);
        assertThat(t.isAlive()).isFalse();
        assertThat(result.get().exitCode()).as(result.get().toString()).isZero();
        assertThat(result.get().out()).contains("orders done").contains("keeps running").contains("Dashboard: http://127.0.0.1:");
    }

    @Test
    void paymentsThatFailAreRetried() {
        var r = cli.run("demo", "--orders", "3", "--payment-failure-rate", "0.5");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        var charges = kyu.admin().jobs(new JobQuery(null, ShopTasks.QUEUE, ShopTasks.CHARGE, null, 100, 0));
        assertThat(charges).hasSize(3);
        // Every failed attempt leaves an error; a payment that failed for good left one more than it was retried.
        int errors = charges.stream().mapToInt(j -> j.errors().size()).sum();
        long failedForGood = charges.stream().filter(j -> j.state() == JobState.FAILED).count();
        assertThat(r.out()).containsPattern("retries\\s+" + (errors - failedForGood) + "\\b")
                .containsPattern("orders failed\\s+" + failedForGood + "\\b");
    }
}
