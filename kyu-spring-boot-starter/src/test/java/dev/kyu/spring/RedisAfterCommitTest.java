package dev.kyu.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kyu.Kyu;
import dev.kyu.KyuException;
import dev.kyu.client.JobHandle;
import dev.kyu.spi.JobQuery;
import dev.kyu.workflow.Call;
import dev.kyu.workflow.Workflow;
import dev.kyu.workflow.WorkflowHandle;
import dev.kyu.workflow.WorkflowState;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.transaction.support.TransactionTemplate;

/** On Redis an enqueue inside a transaction is sent after the commit, and not at all after a rollback. */
class RedisAfterCommitTest {
    static RedisServer redis;
    static ConfigurableApplicationContext context;
    static KyuTemplate template;
    static TransactionTemplate tx;
    static Kyu kyu;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        context = Apps.start(
                "spring.datasource.url=jdbc:sqlite:target/spring-redis-test.db", "kyu.broker-url=" + redis.url());
        template = context.getBean(KyuTemplate.class);
        tx = context.getBean(TransactionTemplate.class);
        kyu = context.getBean(Kyu.class);
    }

    @AfterAll
    static void stop() throws Exception {
        if (context != null) context.close();
        if (redis != null) redis.close();
    }

    private static long addJobs() {
        return kyu.admin().jobs(JobQuery.all(1000).withTask("test.add")).size();
    }

    @Test
    void redisDoesNotJoinTransactions() {
        assertThat(template.joinsTransactions()).isFalse();
    }

    @Test
    void aCommittedEnqueueIsSentAfterTheCommit() throws Exception {
        long before = addJobs();
        var pending = new AtomicReference<CompletableFuture<JobHandle<TestApp.Sum>>>();
        tx.executeWithoutResult(status -> {
            pending.set(template.enqueue("test.add", new TestApp.Pair(20, 22)));
            assertThat(pending.get()).isNotDone();
            assertThat(addJobs()).isEqualTo(before);
        });
        assertThat(pending.get()).isDone();
        assertThat(pending.get().join().await(Duration.ofSeconds(20))).isEqualTo(new TestApp.Sum(42));
    }

    @Test
    void aRolledBackEnqueueIsNeverSent() {
        long before = addJobs();
        var pending = new AtomicReference<CompletableFuture<JobHandle<TestApp.Sum>>>();
        tx.executeWithoutResult(status -> {
            pending.set(template.enqueue("test.add", new TestApp.Pair(1, 2)));
            status.setRollbackOnly();
        });
        assertThat(pending.get()).isCancelled();
        assertThat(addJobs()).isEqualTo(before);
    }

    private static Workflow sums(String name, String task) {
        return Workflow.builder(name)
                .step("first", Call.of(task, new TestApp.Pair(1, 2)))
                .step("second", Call.of("test.add", new TestApp.Pair(3, 4)))
                .after("first")
                .build();
    }

    private static long workflows() {
        return kyu.admin().jobs(JobQuery.all(1000).withTask("kyu.workflow")).size();
    }

    @Test
    void aCommittedWorkflowIsSentAfterTheCommit() throws Exception {
        long before = workflows();
        var pending = new AtomicReference<CompletableFuture<WorkflowHandle>>();
        tx.executeWithoutResult(status -> {
            pending.set(template.enqueue(sums("after-commit", "test.add")));
            assertThat(pending.get()).isNotDone();
            assertThat(workflows()).isEqualTo(before);
        });
        assertThat(pending.get()).isDone();
        assertThat(pending.get().join().await(Duration.ofSeconds(20)).state()).isEqualTo(WorkflowState.SUCCEEDED);
    }

    @Test
    void aRolledBackWorkflowIsNeverSent() {
        long before = workflows();
        var pending = new AtomicReference<CompletableFuture<WorkflowHandle>>();
        tx.executeWithoutResult(status -> {
            pending.set(template.enqueue(sums("rolled-back", "test.add")));
            status.setRollbackOnly();
        });
        assertThat(pending.get()).isCancelled();
        assertThat(workflows()).isEqualTo(before);
    }

    @Test
    void aBadWorkflowFailsInsideTheTransaction() {
        long before = workflows();
        assertThatThrownBy(() -> tx.executeWithoutResult(status -> template.enqueue(sums("bad", "test.no-such-task"))))
                .isInstanceOf(KyuException.InvalidInput.class)
                .hasMessageContaining("test.no-such-task");
        assertThat(workflows()).isEqualTo(before);
    }

    @Test
    void withoutATransactionTheJobIsSentAtOnce() throws Exception {
        var f = template.<TestApp.Sum>enqueue("test.add", new TestApp.Pair(3, 4));
        assertThat(f).isDone();
        assertThat(f.join().await(Duration.ofSeconds(20))).isEqualTo(new TestApp.Sum(7));
    }
}
