package dev.kyu.bench.compare;

import dev.kyu.bench.proc.WorkerHandle;
import dev.kyu.bench.proc.WorkerJvm;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.LongStream;
import org.jobrunr.configuration.JobRunr;
import org.jobrunr.scheduling.JobScheduler;
import org.jobrunr.storage.sql.common.SqlStorageProviderFactory;

/**
 * JobRunr 8 (the free edition) on PostgreSQL. It has no queues in the free edition, so runs are kept
 * apart by emptying its job table between them (runs never overlap). Hold: the worker JVM is started with
 * its background job server not yet running; release starts it (JobRunr has no pause). Finished = jobs in
 * SUCCEEDED or FAILED. Workers: the shortest poll interval the free edition accepts, in a JVM of their own.
 */
final class JobRunrSubject extends ComparedSubject {
    private final int threads;
    private final JobScheduler scheduler;
    private final Map<String, Boolean> held = new ConcurrentHashMap<>();
    private volatile WorkerJvm lastWorker;

    JobRunrSubject(String jdbcUrl, int threads) {
        super(jdbcUrl);
        this.threads = threads;
        this.scheduler = JobRunr.configure()
                .useStorageProvider(SqlStorageProviderFactory.using(ds))
                .initialize()
                .getJobScheduler();
        Pg.exec(ds, "delete from jobrunr_jobs");
    }

    @Override
    public String label() {
        return "jobrunr postgresql";
    }

    @Override
    public String note() {
        return "workers: " + threads + " at most; poll " + JobRunrWorkerMain.POLL.toSeconds()
                + " s (free edition minimum)";
    }

    @Override
    public void enqueueOne(String queue) {
        long at = TimesRecorder.nowMicros();
        scheduler.enqueue(() -> JobRunrJobs.noop(at));
        counted(queue, 1);
    }

    @Override
    public void enqueueBatch(String queue, int n) {
        long at = TimesRecorder.nowMicros();
        scheduler.<Long>enqueue(LongStream.range(0, n).boxed(), i -> JobRunrJobs.noop(at));
        counted(queue, n);
    }

    @Override
    public void hold(String queue) {
        held.put(queue, true);
    }

    @Override
    public void release(String queue) {
        held.put(queue, false);
        WorkerJvm w = lastWorker;
        if (w != null) w.send("GO");
    }

    @Override
    public WorkerHandle startWorkers(String queue, int concurrency, boolean timed) {
        boolean wait = held.getOrDefault(queue, false);
        WorkerJvm w = WorkerJvm.start(
                JobRunrWorkerMain.class.getName(),
                List.of("-Dkyu.bench.jobrunr.poll=" + JobRunrWorkerMain.POLL),
                List.of(
                        jdbcUrl,
                        queue,
                        String.valueOf(Math.min(concurrency, threads)),
                        String.valueOf(timed),
                        String.valueOf(wait)));
        lastWorker = w;
        return w;
    }

    @Override
    public Progress progress(String queue) {
        long ok = Pg.count(ds, "select count(*) from jobrunr_jobs where state = ?", "SUCCEEDED");
        long failed = Pg.count(ds, "select count(*) from jobrunr_jobs where state = ?", "FAILED");
        return new Progress(ok, failed);
    }

    @Override
    public void cleanup(String queue) {
        Pg.exec(ds, "delete from jobrunr_jobs");
        deleteTimes(queue);
        enqueued.remove(queue);
        held.remove(queue);
    }

    @Override
    public void close() {
        JobRunr.destroy();
        super.close();
    }
}
