package dev.kyu.spring;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kyu.Kyu;
import dev.kyu.client.JobHandle;
import dev.kyu.job.JobOptions;
import dev.kyu.spi.Capability;
import dev.kyu.workflow.Workflow;
import dev.kyu.workflow.WorkflowHandle;
import java.lang.reflect.Type;
import java.sql.Connection;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.springframework.util.ClassUtils;

/**
 * Enqueues the way a Spring application expects: inside a {@code @Transactional} method the job (or the
 * workflow, all its steps at once) belongs to the transaction.
 *
 * <ul>
 * <li>The broker is the application's DataSource (PostgreSQL, SQLite; {@code kyu.data-source.enabled}):
 *     the job is written on the transaction's own connection, so it appears at commit and a rollback
 *     leaves nothing.
 * <li>Any other broker (Redis, or a database of its own): the job is sent after the transaction commits,
 *     and not at all after a rollback. A crash between the commit and the send loses it.
 * <li>No transaction: the job is sent at once.
 * </ul>
 *
 * The returned future completes with the job's handle once the job is stored (or joined to the
 * transaction), at once in every case but the after-commit one; after a rollback it is cancelled. Do not
 * wait for it inside the transaction. A workflow is checked whole before the transaction goes on (a cycle,
 * an unknown step, a task this process has not registered, args that cannot be encoded), so a bad one fails
 * the caller's transaction in the after-commit case too.
 */
public class KyuTemplate {
    private static final boolean SPRING_TX = ClassUtils.isPresent(
                    "org.springframework.transaction.support.TransactionSynchronizationManager",
                    KyuTemplate.class.getClassLoader())
            && ClassUtils.isPresent(
                    "org.springframework.jdbc.datasource.DataSourceUtils", KyuTemplate.class.getClassLoader());

    private final Kyu kyu;
    private final DataSource joinable;

    /**
     * @param joinable the application DataSource the broker stores jobs in, whose transactions an enqueue joins; null for none
     */
    public KyuTemplate(Kyu kyu, DataSource joinable) {
        this.kyu = kyu;
        this.joinable = joinable != null && kyu.broker().capabilities().contains(Capability.TRANSACTIONAL_ENQUEUE)
                ? joinable
                : null;
    }

    /** The Kyu underneath, for everything that is not an enqueue. */
    public Kyu kyu() {
        return kyu;
    }

    /** True when enqueues inside a transaction join it (same connection); false when they are sent after commit. */
    public boolean joinsTransactions() {
        return joinable != null;
    }

    public <A, R> CompletableFuture<JobHandle<R>> enqueue(dev.kyu.task.KyuTask<A, R> task, A args) {
        return enqueue(task, args, JobOptions.NONE);
    }

    public <A, R> CompletableFuture<JobHandle<R>> enqueue(dev.kyu.task.KyuTask<A, R> task, A args, JobOptions options) {
        return submit(
                task.name(),
                args,
                options,
                task.resultType(),
                tx -> kyu.enqueue(tx, task, args, options),
                () -> kyu.enqueue(task, args, options));
    }

    /**
     * Enqueues by task name, for {@link KyuTask} methods and tasks other services run. When this application
     * registered the task, the handle reads results as its method's return type; otherwise as JSON.
     */
    public <R> CompletableFuture<JobHandle<R>> enqueue(String taskName, Object args) {
        return enqueue(taskName, args, JobOptions.NONE);
    }

    @SuppressWarnings("unchecked")
    public <R> CompletableFuture<JobHandle<R>> enqueue(String taskName, Object args, JobOptions options) {
        var known = kyu.tasks().find(taskName);
        if (known.isPresent() && (args == null || known.get().argsType().isInstance(args))) {
            var task = (dev.kyu.task.KyuTask<Object, R>) known.get();
            return enqueue(task, args, options);
        }
        // A task this application does not run: named only, so that enqueue can carry its name and args.
        var named = new dev.kyu.task.Task<Object, R>(
                taskName, Object.class, (Class<R>) (Class<?>) JsonNode.class, (a, ctx) -> null, null);
        return enqueue(named, args, options);
    }

    /**
     * Enqueues a workflow (docs/workflows.md) under the same transaction rules as a job: on the transaction's
     * connection when the broker is the application's DataSource, after commit otherwise, at once outside a
     * transaction.
     */
    public CompletableFuture<WorkflowHandle> enqueue(Workflow workflow) {
        if (SPRING_TX && Transactions.active()) {
            if (joinable != null && Transactions.bound(joinable)) {
                return CompletableFuture.completedFuture(
                        Transactions.onConnection(joinable, tx -> kyu.enqueue(tx, workflow)));
            }
            if (Transactions.synchronizing()) {
                WorkflowDryRun.check(kyu, workflow);
                var future = new CompletableFuture<WorkflowHandle>();
                Transactions.afterCommit(() -> future.complete(kyu.enqueue(workflow)), future);
                return future;
            }
        }
        return CompletableFuture.completedFuture(kyu.enqueue(workflow));
    }

    @SuppressWarnings("unchecked")
    private <R> CompletableFuture<JobHandle<R>> submit(
            String taskName,
            Object args,
            JobOptions options,
            Type resultType,
            Function<Connection, JobHandle<R>> inTransaction,
            Supplier<JobHandle<R>> now) {
        if (SPRING_TX && Transactions.active()) {
            if (joinable != null && Transactions.bound(joinable)) {
                return CompletableFuture.completedFuture(Transactions.onConnection(joinable, inTransaction));
            }
            if (Transactions.synchronizing()) {
                // Encoded now, so that bad args fail the caller's transaction instead of a log line after it.
                String json = kyu.codec().encode(args);
                var future = new CompletableFuture<JobHandle<R>>();
                Transactions.afterCommit(
                        () -> {
                            JobHandle<JsonNode> h = kyu.enqueueJson(taskName, json, options);
                            future.complete((JobHandle<R>)
                                    new JobHandle<>(h.id(), h.created(), kyu.broker(), kyu.codec(), resultType));
                        },
                        future);
                return future;
            }
        }
        return CompletableFuture.completedFuture(now.get());
    }
}
