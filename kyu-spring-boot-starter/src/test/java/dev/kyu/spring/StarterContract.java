package dev.kyu.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kyu.Kyu;
import dev.kyu.job.Job;
import dev.kyu.job.JobState;
import dev.kyu.metrics.KyuMetrics;
import dev.kyu.spi.JobQuery;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.actuate.endpoint.CompositeHealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.contributor.Status;

/** What the starter promises on every engine it can share a DataSource with; one subclass per engine. */
abstract class StarterContract {
    static final Duration WAIT = Duration.ofSeconds(20);

    @Autowired
    Kyu kyu;

    @Autowired
    KyuTemplate template;

    @Autowired
    TestApp.Orders orders;

    @Autowired
    TestApp.Shipping shipping;

    @Autowired
    dev.kyu.task.KyuTask<TestApp.Greeting, String> greet;

    @Autowired
    KyuHealthIndicator health;

    @Autowired
    HealthEndpoint healthEndpoint;

    @Autowired
    KyuEndpoint endpoint;

    @Autowired
    MeterRegistry meters;

    @Autowired
    KyuRuntime runtime;

    @Autowired
    org.springframework.transaction.support.TransactionTemplate tx;

    @Test
    void tasksFromBeansAndAnnotatedMethodsAreRegistered() {
        assertThat(kyu.tasks().contains("test.greet")).isTrue();
        assertThat(kyu.tasks().contains("test.add")).isTrue();
        assertThat(kyu.tasks().contains("test.ship")).isTrue();
        assertThat(kyu.tasks()
                        .find("test.ship")
                        .orElseThrow()
                        .options()
                        .defaults()
                        .maxAttempts())
                .isEqualTo(2);
    }

    @Test
    void aTaskBeanRunsWithTypedArgsAndResult() throws Exception {
        String result =
                template.enqueue(greet, new TestApp.Greeting("ada")).join().await(WAIT);
        assertThat(result).isEqualTo("hello ada");
    }

    @Test
    void anAnnotatedMethodRunsWithTypedArgsAndResult() throws Exception {
        TestApp.Sum sum = template.<TestApp.Sum>enqueue("test.add", new TestApp.Pair(2, 3))
                .join()
                .await(WAIT);
        assertThat(sum).isEqualTo(new TestApp.Sum(5));
    }

    @Test
    void enqueuesJoinTheApplicationsTransactions() {
        assertThat(template.joinsTransactions()).isTrue();
    }

    @Test
    void aJobEnqueuedInARolledBackTransactionLeavesNothing() {
        String id = "order-" + UUID.randomUUID();
        assertThatThrownBy(() -> orders.place(id, true)).hasMessageContaining("payment declined");
        assertThat(orders.saved(id)).isZero();
        assertThat(shipJobs(id)).isEmpty();
    }

    @Test
    void aJobEnqueuedInACommittedTransactionRuns() {
        String id = "order-" + UUID.randomUUID();
        orders.place(id, false);
        assertThat(orders.saved(id)).isOne();
        await().atMost(WAIT).until(() -> shipping.shipped(id));
        await().atMost(WAIT).until(() -> shipJobs(id).stream().allMatch(j -> j.state() == JobState.SUCCEEDED));
        assertThat(shipJobs(id)).hasSize(1);
    }

    private static dev.kyu.workflow.Workflow sums(String name) {
        return dev.kyu.workflow.Workflow.builder(name)
                .step("first", dev.kyu.workflow.Call.of("test.add", new TestApp.Pair(1, 2)))
                .step("second", dev.kyu.workflow.Call.of("test.add", new TestApp.Pair(3, 4)))
                .after("first")
                .build();
    }

    private List<Job> workflows(String name) {
        return kyu.admin().jobs(JobQuery.all(1000).withTask("kyu.workflow")).stream()
                .filter(j -> j.args() != null && j.args().contains("\"" + name + "\""))
                .toList();
    }

    @Test
    void aWorkflowEnqueuedInACommittedTransactionIsStoredOnItsConnectionAndRuns() throws Exception {
        String name = "sums-" + UUID.randomUUID();
        var handle = tx.execute(status -> {
            var f = template.enqueue(sums(name));
            assertThat(f).as("joined the transaction: stored at once").isDone();
            return f.join();
        });
        var done = handle.await(WAIT);
        assertThat(done.state()).isEqualTo(dev.kyu.workflow.WorkflowState.SUCCEEDED);
        assertThat(handle.result("second", TestApp.Sum.class)).isEqualTo(new TestApp.Sum(7));
    }

    @Test
    void aWorkflowEnqueuedInARolledBackTransactionLeavesNothing() {
        String name = "sums-" + UUID.randomUUID();
        tx.executeWithoutResult(status -> {
            assertThat(template.enqueue(sums(name))).isDone();
            status.setRollbackOnly();
        });
        assertThat(workflows(name)).isEmpty();
    }

    @Test
    void metersCarryTaskAndQueueTags() throws Exception {
        template.enqueue("test.add", new TestApp.Pair(1, 1)).join().await(WAIT);
        await().atMost(WAIT).untilAsserted(() -> {
            var completed = meters.find(KyuMetrics.COMPLETED)
                    .tag("task", "test.add")
                    .tag("queue", "default")
                    .counter();
            assertThat(completed).isNotNull();
            assertThat(completed.count()).isGreaterThanOrEqualTo(1);
        });
        assertThat(meters.find(KyuMetrics.ENQUEUED)
                        .tag("task", "test.add")
                        .tag("queue", "default")
                        .counter())
                .isNotNull();
    }

    @Test
    @SuppressWarnings("unchecked")
    void healthIsUpWithTheBrokerAndTheWorker() {
        var h = health.health();
        assertThat(h.getStatus()).isEqualTo(Status.UP);
        assertThat(h.getDetails()).containsEntry("brokerReachable", true);
        var worker = (Map<String, Object>) h.getDetails().get("worker");
        assertThat(worker).containsEntry("running", true).containsEntry("fetching", true);
        assertThat(healthEndpoint.healthForPath("kyu").getStatus()).isEqualTo(Status.UP);
    }

    @Test
    void theReadinessGroupLeavesKyuOut() {
        var readiness = (CompositeHealthDescriptor) healthEndpoint.healthForPath("readiness");
        assertThat(readiness.getComponents()).doesNotContainKey("kyu");
        assertThat(((CompositeHealthDescriptor) healthEndpoint.health()).getComponents())
                .containsKey("kyu");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theEndpointShowsTasksQueuesAndWorkers() throws Exception {
        template.enqueue("test.add", new TestApp.Pair(1, 2)).join().await(WAIT);
        Map<String, Object> view = endpoint.kyu();
        assertThat(view).containsEntry("status", "UP");
        assertThat((List<String>) view.get("tasks")).contains("test.add", "test.greet", "test.ship", "kyu.noop");
        assertThat((List<Map<String, Object>>) view.get("queues"))
                .anySatisfy(q -> assertThat(q).containsEntry("queue", "default"));
        assertThat((List<Map<String, Object>>) view.get("workers")).isNotEmpty();
    }

    List<Job> shipJobs(String orderId) {
        return kyu.admin().jobs(JobQuery.all(500).withTask("test.ship")).stream()
                .filter(j -> j.args().contains(orderId))
                .toList();
    }
}
