package dev.kyu.bench.subject;

import dev.kyu.Kyu;
import dev.kyu.bench.BenchWorkerMain;
import dev.kyu.bench.QueueJobs;
import dev.kyu.bench.StampTask;
import dev.kyu.bench.WarmUp;
import dev.kyu.bench.proc.ProcStats;
import dev.kyu.bench.proc.WorkerHandle;
import dev.kyu.bench.proc.WorkerJvm;
import dev.kyu.client.JobHandle;
import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import dev.kyu.worker.Worker;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kyu on the broker named by a URL, through the public API a user calls: {@code enqueueJson} of the
 * built-in {@code kyu.noop} task ({@link StampTask} in timed runs), workers started with
 * {@link dev.kyu.worker.WorkerOptions} defaults but for queue and concurrency. Workers run in a JVM of their own ({@link BenchWorkerMain}), except on
 * {@code memory:}, whose store lives in one process: there they share the harness's JVM.
 */
public final class KyuSubject implements Subject {
    private static final String NOOP = "kyu.noop";
    /** The most jobs whose times are read after a run; p99 of an even sample this size is stable. */
    static final int MAX_TIMED = 10_000;

    private final String url;
    private final Kyu kyu;
    private final boolean inProcess;
    private final int warmupJobs;
    /** Statistics are read from here on: a minute before this subject opened, so no bucket is cut off. */
    private final Instant started;

    private final Map<String, List<String>> ids = new ConcurrentHashMap<>();
    /** Queues of timed runs: their jobs are {@link StampTask}s, which record when their body began. */
    private final Set<String> timed = ConcurrentHashMap.newKeySet();

    /** @param warmupJobs no-op jobs each worker runs before it is measured ({@link dev.kyu.bench.WarmUp}); 0 for none */
    public KyuSubject(String url, int warmupJobs) {
        this.url = url;
        this.warmupJobs = warmupJobs;
        this.started = Instant.now().minus(java.time.Duration.ofMinutes(1));
        this.kyu = Kyu.connect(url).register(StampTask.TASK).register(StampTask.FLOW_TASK);
        this.inProcess = url.trim().toLowerCase(java.util.Locale.ROOT).startsWith("memory:");
    }

    /** The broker this subject's client uses, for figures of Kyu's own (no other system has the call). */
    public dev.kyu.spi.Broker broker() {
        return kyu.broker();
    }

    /** The broker URL, to open a second broker on the same deployment (another process's view). */
    public String url() {
        return url;
    }

    @Override
    public String label() {
        return kyu.broker().describe();
    }

    @Override
    public String note() {
        return inProcess ? "one JVM: producer and workers" : null;
    }

    @Override
    public void enqueueOne(String queue) {
        var h = kyu.enqueueJson(
                taskFor(queue), "null", JobOptions.builder().queue(queue).build());
        idsOf(queue).add(h.id());
    }

    @Override
    public void enqueueBatch(String queue, int n) {
        List<JobHandle<com.fasterxml.jackson.databind.JsonNode>> hs = kyu.enqueueJsonAll(
                taskFor(queue),
                Collections.nCopies(n, "null"),
                JobOptions.builder().queue(queue).build());
        var list = idsOf(queue);
        for (var h : hs) list.add(h.id());
    }

    @Override
    public void hold(String queue) {
        kyu.broker().queuePause(queue, true);
    }

    @Override
    public void release(String queue) {
        kyu.broker().queuePause(queue, false);
    }

    @Override
    public WorkerHandle startWorkers(String queue, int concurrency, boolean timed) {
        return startWorkers(queue, concurrency, timed, List.of());
    }

    /** As {@link #startWorkers(String, int, boolean)}, with the named tasks run in child JVMs (the isolated mode). */
    public WorkerHandle startWorkers(String queue, int concurrency, boolean timed, List<String> isolated) {
        if (timed) this.timed.add(queue);
        var options = BenchWorkerMain.options(queue, concurrency, isolated);
        if (inProcess) {
            try {
                WarmUp.run(kyu, queue, concurrency, warmupJobs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted during the warm-up", e);
            }
            Worker w = kyu.worker(options).start();
            return new WorkerHandle() {
                @Override
                public long pid() {
                    return ProcessHandle.current().pid();
                }

                @Override
                public boolean inProcess() {
                    return true;
                }

                @Override
                public void close() {
                    w.close();
                }
            };
        }
        // A heap sized for the work, as a deployment would set it: without -Xmx the JVM sizes its heap by
        // the machine's memory (a quarter of 24 GiB here) and lets garbage pile up to that before collecting.
        // The serial collector, which the JVM itself picks in a container of under 2 CPUs or 1,792 MB: on
        // 2 cores it drains as fast as G1 here, and G1's own bookkeeping adds about 80 MiB to the RSS.
        // A 32 MiB young generation: a worker's garbage dies with its job, so a small nursery collects it
        // as well as the default third of the heap, and the pages the process touches stay ~50 MiB fewer.
        return WorkerJvm.start(
                BenchWorkerMain.class.getName(),
                List.of("-Xmx256m", "-Xmn32m", "-XX:+UseSerialGC"),
                isolated.isEmpty()
                        ? List.of(
                                "--broker",
                                url,
                                "--queue",
                                queue,
                                "--concurrency",
                                String.valueOf(concurrency),
                                "--warmup-jobs",
                                String.valueOf(warmupJobs))
                        : List.of(
                                "--broker",
                                url,
                                "--queue",
                                queue,
                                "--concurrency",
                                String.valueOf(concurrency),
                                "--warmup-jobs",
                                String.valueOf(warmupJobs),
                                "--isolated",
                                String.join(",", isolated)));
    }

    /**
     * Read from the engine's per-minute statistics, which every engine updates in the same transaction (or
     * script) that records the outcome: a few rows per queue, where counting the queue's finished jobs
     * reads an index entry per job and, polled during a drain, cost the server as much as the drain itself.
     * {@link #confirmFinished} checks the end result against the queue's counts.
     */
    @Override
    public Progress progress(String queue) {
        long succeeded = 0, failed = 0;
        for (var b : kyu.broker().statsHistory(started, queue)) {
            succeeded += b.succeeded();
            failed += b.failed();
        }
        return new Progress(succeeded, failed);
    }

    @Override
    public void confirmFinished(String queue, long n) {
        long finished = QueueJobs.finished(kyu, queue);
        if (finished < n) {
            throw new IllegalStateException(
                    "queue " + queue + ": statistics counted " + n + " finished jobs, its counts only " + finished);
        }
    }

    /**
     * Read by id, not by listing: engines page job lists by offset, which costs a scan per page on large
     * queues. Over {@link #MAX_TIMED} jobs, an evenly spaced sample of that many is read.
     */
    @Override
    public List<JobTimes> times(String queue) {
        List<String> all = List.copyOf(idsOf(queue));
        var out = new ArrayList<JobTimes>();
        double step = Math.max(1.0, all.size() / (double) MAX_TIMED);
        for (double i = 0; i < all.size(); i += step) {
            kyu.broker().jobGet(all.get((int) i)).ifPresent(j -> {
                if (j.state() == JobState.SUCCEEDED && j.enqueuedAt() != null && j.startedAt() != null) {
                    out.add(new JobTimes(
                            StampTask.micros(j.enqueuedAt()), StampTask.micros(j.startedAt()), bodyStarted(j)));
                }
            });
        }
        return out;
    }

    @Override
    public void cleanup(String queue) {
        List<String> list = ids.remove(queue);
        timed.remove(queue);
        kyu.broker().queuePause(queue, false);
        if (list == null) return;
        QueueJobs.delete(kyu, list);
    }

    @Override
    public List<Long> serverPids() {
        String u = url.trim().toLowerCase(java.util.Locale.ROOT);
        if (u.startsWith("redis")) return ProcStats.pidsNamed(List.of("redis-server"));
        if (u.startsWith("amqp")) {
            // RabbitMQ carries the dispatch and the store keeps the records: both are the broker's servers.
            var pids = new java.util.ArrayList<>(ProcStats.pidsNamed(List.of("beam.smp")));
            int at = u.indexOf("store=");
            String store =
                    at < 0 ? "" : java.net.URLDecoder.decode(u.substring(at + 6).split("&")[0], StandardCharsets.UTF_8);
            if (store.startsWith("redis")) pids.addAll(ProcStats.pidsNamed(List.of("redis-server")));
            if (store.startsWith("postgres")) pids.addAll(ProcStats.pidsNamed(List.of("postgres")));
            return pids;
        }
        if (u.startsWith("postgres") || u.startsWith("jdbc:postgresql"))
            return ProcStats.pidsNamed(List.of("postgres"));
        return List.of();
    }

    @Override
    public void close() {
        kyu.close();
    }

    private List<String> idsOf(String queue) {
        return ids.computeIfAbsent(queue, q -> Collections.synchronizedList(new ArrayList<>()));
    }

    /**
     * Enqueues a workflow through the public API and waits for its end; its jobs are deleted with the
     * queue's at {@link #cleanup}. Returns the workflow as stored then (read after its end, outside timing).
     */
    public dev.kyu.workflow.WorkflowView runWorkflow(
            String queue, dev.kyu.workflow.Workflow workflow, java.time.Duration timeout) throws InterruptedException {
        var handle = kyu.enqueue(workflow);
        var list = idsOf(queue);
        list.add(handle.id());
        var view = handle.await(timeout);
        for (var s : view.steps()) list.add(s.id());
        return view;
    }

    /** The last finish minus the first enqueue of the queue's last {@code n} jobs, by the broker's stamps. */
    public java.time.Duration span(String queue, int n) {
        List<String> all = idsOf(queue);
        List<String> last;
        synchronized (all) {
            last = List.copyOf(all.subList(Math.max(0, all.size() - n), all.size()));
        }
        Instant first = null, end = null;
        for (var j : kyu.broker().jobsGet(last)) {
            if (j.enqueuedAt() != null && (first == null || j.enqueuedAt().isBefore(first))) first = j.enqueuedAt();
            if (j.finishedAt() != null && (end == null || j.finishedAt().isAfter(end))) end = j.finishedAt();
        }
        if (first == null || end == null)
            throw new IllegalStateException("queue " + queue + ": no finished jobs to time");
        return java.time.Duration.between(first, end);
    }

    /** The fleet's flow limits on this broker, for the flow figure. */
    public dev.kyu.flow.Limits limits() {
        return kyu.limits();
    }

    /** Enqueues one job of {@code task} per args (JSON), {@code batchSize} per call; their ids are kept for cleanup. */
    public void enqueueArgs(String queue, String task, List<String> argsJson, int batchSize) {
        var list = idsOf(queue);
        var options = JobOptions.builder().queue(queue).build();
        for (int i = 0; i < argsJson.size(); i += batchSize) {
            for (var h :
                    kyu.enqueueJsonAll(task, argsJson.subList(i, Math.min(argsJson.size(), i + batchSize)), options))
                list.add(h.id());
        }
    }

    /**
     * When each succeeded job of the queue began its body, in epoch microseconds, as its {@link StampTask}
     * returned it (every job, read a thousand ids per call, after the run).
     */
    public long[] bodyStarts(String queue) {
        List<String> all = List.copyOf(idsOf(queue));
        var out = new long[all.size()];
        int n = 0;
        for (int i = 0; i < all.size(); i += 1000) {
            for (var j : kyu.broker().jobsGet(all.subList(i, Math.min(all.size(), i + 1000)))) {
                if (j.state() == JobState.SUCCEEDED && j.startedAt() != null) out[n++] = bodyStarted(j);
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /** The client the harness measures through. */
    Kyu kyu() {
        return kyu;
    }

    private String taskFor(String queue) {
        return timed.contains(queue) ? StampTask.NAME : NOOP;
    }

    /** When the task body began, as a {@link StampTask} returned it; else the engine's start (lease) stamp. */
    private static long bodyStarted(dev.kyu.job.Job j) {
        if (j.result() != null) {
            try {
                return Long.parseLong(j.result().trim());
            } catch (NumberFormatException e) {
                // not a stamp: a no-op's null
            }
        }
        return StampTask.micros(j.startedAt());
    }
}
