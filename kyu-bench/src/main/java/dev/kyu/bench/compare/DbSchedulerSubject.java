package dev.kyu.bench.compare;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import dev.kyu.bench.proc.WorkerHandle;
import dev.kyu.bench.proc.WorkerJvm;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * db-scheduler 16 on PostgreSQL. A "queue" is a one-time task name; a job is a task instance whose id
 * carries its enqueue time. Hold: jobs are scheduled a day ahead; release moves their execution time to
 * now in one UPDATE. Finished = enqueued minus rows left (db-scheduler deletes a one-time task's row
 * when it succeeds). Workers: lock-and-fetch polling at a 10 ms interval in a JVM of their own.
 */
final class DbSchedulerSubject extends ComparedSubject {
    static final String DDL = """
            create table if not exists scheduled_tasks (
              task_name text not null, task_instance text not null, task_data bytea,
              execution_time timestamp with time zone not null, picked boolean not null, picked_by text,
              last_success timestamp with time zone, last_failure timestamp with time zone,
              consecutive_failures int, last_heartbeat timestamp with time zone, version bigint not null,
              priority smallint, primary key (task_name, task_instance))""";

    private final int threads;
    private final int warmupJobs;
    private final Map<String, OneTimeTask<Void>> tasks = new ConcurrentHashMap<>();
    private final Map<String, SchedulerClient> clients = new ConcurrentHashMap<>();
    private final Map<String, Boolean> held = new ConcurrentHashMap<>();
    private final AtomicLong seq = new AtomicLong();

    DbSchedulerSubject(String jdbcUrl, int threads, int warmupJobs) {
        super(jdbcUrl);
        this.threads = threads;
        this.warmupJobs = warmupJobs;
        Pg.exec(
                ds,
                DDL,
                "create index if not exists execution_time_idx on scheduled_tasks (execution_time)",
                "create index if not exists last_heartbeat_idx on scheduled_tasks (last_heartbeat)",
                "create index if not exists priority_execution_time_idx on scheduled_tasks (priority desc, execution_time asc)");
    }

    @Override
    public String label() {
        return "db-scheduler postgresql";
    }

    @Override
    public String note() {
        return "threads: " + threads + " at most; lock-and-fetch, 10 ms poll; " + warmupJobs + " warm-up jobs";
    }

    static OneTimeTask<Void> task(String queue, java.util.function.Consumer<TaskInstance<Void>> body) {
        return Tasks.oneTime(queue).execute((instance, ctx) -> body.accept(instance));
    }

    private SchedulerClient client(String queue) {
        return clients.computeIfAbsent(
                queue,
                q -> SchedulerClient.Builder.create(ds, tasks.computeIfAbsent(q, n -> task(n, i -> {})))
                        .build());
    }

    private Instant when(String queue) {
        return held.getOrDefault(queue, false) ? Instant.now().plus(Duration.ofDays(1)) : Instant.now();
    }

    private TaskInstance<Void> instance(String queue) {
        return tasks.get(queue).instance(TimesRecorder.nowMicros() + "-" + seq.incrementAndGet());
    }

    @Override
    public void enqueueOne(String queue) {
        SchedulerClient c = client(queue);
        c.scheduleIfNotExists(instance(queue), when(queue));
        counted(queue, 1);
    }

    @Override
    public void enqueueBatch(String queue, int n) {
        SchedulerClient c = client(queue);
        var batch = new ArrayList<TaskInstance<?>>(n);
        for (int i = 0; i < n; i++) batch.add(instance(queue));
        c.scheduleBatch(batch, when(queue));
        counted(queue, n);
    }

    @Override
    public void hold(String queue) {
        held.put(queue, true);
    }

    @Override
    public void release(String queue) {
        held.put(queue, false);
        try (var c = ds.getConnection();
                var ps = c.prepareStatement("update scheduled_tasks set execution_time = now() where task_name = ?")) {
            ps.setString(1, queue);
            ps.executeUpdate();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot release " + queue + ": " + e.getMessage(), e);
        }
    }

    @Override
    public WorkerHandle startWorkers(String queue, int concurrency, boolean timed) {
        return WorkerJvm.start(
                DbSchedulerWorkerMain.class.getName(),
                List.of(),
                List.of(
                        jdbcUrl,
                        queue,
                        String.valueOf(Math.min(concurrency, threads)),
                        String.valueOf(timed),
                        String.valueOf(warmupJobs)));
    }

    @Override
    public Progress progress(String queue) {
        long left = Pg.count(ds, "select count(*) from scheduled_tasks where task_name = ?", queue);
        return new Progress(enqueuedCount(queue) - left, 0);
    }

    @Override
    public void cleanup(String queue) {
        try (var c = ds.getConnection();
                var ps = c.prepareStatement("delete from scheduled_tasks where task_name = ?")) {
            ps.setString(1, queue);
            ps.executeUpdate();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot clean up " + queue + ": " + e.getMessage(), e);
        }
        deleteTimes(queue);
        clients.remove(queue);
        tasks.remove(queue);
        enqueued.remove(queue);
    }
}
