package dev.kyu.bench.figure;

import dev.kyu.bench.StampTask;
import dev.kyu.bench.proc.ProcStats;
import dev.kyu.bench.proc.WorkerHandle;
import dev.kyu.bench.subject.KyuSubject;
import dev.kyu.bench.subject.Subject;
import dev.kyu.flow.KeySource;
import dev.kyu.flow.Limit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What flow control costs and how closely it holds a rate, on one broker with several worker JVMs: the same
 * drain of N no-op jobs ({@link StampTask#FLOW_NAME}, args {@code {"k":"…"}}) four times, each by fresh worker
 * JVMs, the queue paused while it is filled and released when the clock starts:
 * <ol>
 *   <li>{@code none}: no limit: the drain rate and the workers' CPU per 1,000 jobs;</li>
 *   <li>{@code rate}: one limit of R jobs/s (burst B) on the task, shared by every worker: the rate achieved
 *       over the steady part of the run (from each job's body-start stamp, the first and last second left
 *       out), its deviation from R, and the workers' CPU per 1,000 jobs beside {@code none}'s;</li>
 *   <li>{@code key1}: a per-key limit ({@code args:/k}) of a rate no drain reaches, every job of one key;</li>
 *   <li>{@code keys}: the same limit, the jobs spread over K distinct keys: its cost beside {@code key1}'s is
 *       the cost of many keys (wall time per job and CPU per job, as ratios).</li>
 * </ol>
 * CPU is the user + system time of the worker JVMs between the release and the last job's end, read from
 * /proc (and of the broker's server processes, where they run on this machine: every process of that name,
 * so a busy machine's other servers count too). Kyu's alone; not on {@code memory:}, whose store is one
 * process.
 */
public final class Flow implements Measurement {
    private static final long TRIM_MICROS = 1_000_000L;

    /**
     * @param jobs    N: jobs per drain
     * @param rate    R: the global limit's jobs per second
     * @param burst   B: the global limit's burst
     * @param keys    K: distinct keys of the many-keys drain
     * @param keyRate the per-key limit's jobs per second, high enough never to bind
     * @param workers worker JVMs per drain
     */
    public record Settings(int jobs, int rate, int burst, int keys, long keyRate, int workers) {
        public static final Settings DEFAULT = new Settings(20_000, 1_000, 10, 10_000, 1_000_000, 3);

        public Settings {
            if (jobs < 2) throw new IllegalArgumentException("flow-jobs must be at least 2, was " + jobs);
            if (rate < 1) throw new IllegalArgumentException("flow-rate must be at least 1, was " + rate);
            if (burst < 1 || burst > rate * 1000L)
                throw new IllegalArgumentException("flow-burst must be 1.." + rate * 1000L + ", was " + burst);
            if (keys < 1) throw new IllegalArgumentException("flow-keys must be at least 1, was " + keys);
            if (keyRate < 1) throw new IllegalArgumentException("flow-key-rate must be at least 1, was " + keyRate);
            if (workers < 1) throw new IllegalArgumentException("flow-workers must be at least 1, was " + workers);
        }
    }

    private final Settings settings;

    public Flow(Settings settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return "flow";
    }

    /** One drain's readings. */
    private record Drained(double jobsPerSecond, double workerCpuMsPer1000, double serverCpuMsPer1000, long[] starts) {
        double wallMsPerJob() {
            return 1000.0 / jobsPerSecond;
        }
    }

    @Override
    public List<Sample> run(Subject subject, BenchConfig config, int run) throws InterruptedException {
        if (!(subject instanceof KyuSubject kyu)) return List.of();
        if (kyu.note() != null) {
            System.err.println("flow: skipped on " + kyu.label()
                    + " (one process: worker CPU cannot be told from the producer's)");
            return List.of();
        }
        int n = settings.jobs();
        String pass = Queues.name("flow", run);
        Drained none = drain(kyu, config, pass + "-none", null, spread(n, settings.keys()));
        Limit rate = Limit.rate(
                        pass + "-rate", Limit.Target.task(StampTask.FLOW_NAME), settings.rate(), Duration.ofSeconds(1))
                .withBurst(settings.burst());
        Drained limited = drain(kyu, config, pass + "-rate", rate, spread(n, settings.keys()));
        Limit perKey = Limit.rate(
                        pass + "-key",
                        Limit.Target.task(StampTask.FLOW_NAME),
                        settings.keyRate(),
                        Duration.ofSeconds(1))
                .perKey(KeySource.args("/k"));
        Drained oneKey = drain(kyu, config, pass + "-key1", perKey, spread(n, 1));
        Drained manyKeys = drain(kyu, config, pass + "-keys", perKey, spread(n, settings.keys()));

        SteadyRate steady = SteadyRate.of(limited.starts(), TRIM_MICROS);
        SteadyRate whole = SteadyRate.of(limited.starts(), 0);
        System.err.println("flow: starts per second of the limited run: " + perSecond(limited.starts()));
        if (!steady.trimmed())
            System.err.println(
                    "flow: the limited run lasted under 2 s; its rate is over the whole span (raise --flow-jobs)");
        String k = "keys" + settings.keys();
        return List.of(
                Sample.of("flow-none-drain", "jobs/s", none.jobsPerSecond(), n),
                Sample.of("flow-none-worker-cpu", "cpu-ms/1000 jobs", none.workerCpuMsPer1000(), n),
                Sample.of("flow-rate-achieved", "jobs/s", steady.perSecond(), steady.starts()),
                Sample.of("flow-rate-deviation", "%", steady.deviationPercent(settings.rate()), steady.starts()),
                Sample.of("flow-rate-whole-run", "jobs/s", whole.perSecond(), whole.starts()),
                Sample.of("flow-rate-worker-cpu", "cpu-ms/1000 jobs", limited.workerCpuMsPer1000(), n),
                Sample.of(
                        "flow-rate-worker-cpu-overhead",
                        "cpu-ms/1000 jobs",
                        limited.workerCpuMsPer1000() - none.workerCpuMsPer1000(),
                        n),
                Sample.of("flow-none-server-cpu", "cpu-ms/1000 jobs", none.serverCpuMsPer1000(), n),
                Sample.of("flow-rate-server-cpu", "cpu-ms/1000 jobs", limited.serverCpuMsPer1000(), n),
                Sample.of("flow-key1-drain", "jobs/s", oneKey.jobsPerSecond(), n),
                Sample.of("flow-key1-overhead-per-job", "ms", oneKey.wallMsPerJob() - none.wallMsPerJob(), n),
                Sample.of("flow-key1-worker-cpu", "cpu-ms/1000 jobs", oneKey.workerCpuMsPer1000(), n),
                Sample.of("flow-" + k + "-drain", "jobs/s", manyKeys.jobsPerSecond(), n),
                Sample.of("flow-" + k + "-worker-cpu", "cpu-ms/1000 jobs", manyKeys.workerCpuMsPer1000(), n),
                Sample.of("flow-" + k + "-cost-ratio", "x", manyKeys.wallMsPerJob() / oneKey.wallMsPerJob(), n),
                Sample.of(
                        "flow-" + k + "-cpu-ratio",
                        "x",
                        manyKeys.workerCpuMsPer1000() / oneKey.workerCpuMsPer1000(),
                        n));
    }

    /** The starts counted in each second from the first, for the log: where a run's rate drifts shows there. */
    static String perSecond(long[] startsMicros) {
        long[] s = startsMicros.clone();
        java.util.Arrays.sort(s);
        var counts = new ArrayList<Integer>();
        for (long t : s) {
            int sec = (int) ((t - s[0]) / 1_000_000L);
            while (counts.size() <= sec) counts.add(0);
            counts.set(sec, counts.get(sec) + 1);
        }
        return counts.toString();
    }

    /** Args of {@code n} jobs whose keys {@code "0"} … {@code keys − 1} take turns. */
    static List<String> spread(int n, int keys) {
        var out = new ArrayList<String>(n);
        for (int i = 0; i < n; i++) out.add("{\"k\":\"" + (i % keys) + "\"}");
        return out;
    }

    /**
     * Defines {@code limit} (none when null), starts the worker JVMs one after another (each warms up on a
     * queue of its own first), fills the paused queue, and times its drain from the release to the last
     * job's end. The limit and the jobs are removed afterwards, whatever happens.
     */
    private Drained drain(KyuSubject kyu, BenchConfig config, String queue, Limit limit, List<String> args)
            throws InterruptedException {
        System.err.printf("flow: %s, %s%n", queue, limit == null ? "no limit" : limit.describe());
        removeLeftovers(kyu);
        if (limit != null) kyu.limits().define(limit);
        var workers = new ArrayList<WorkerHandle>();
        try {
            // Defined before the workers start, so each reads it at its first job: no refresh to wait for.
            for (int i = 0; i < settings.workers(); i++)
                workers.add(kyu.startWorkers(queue, config.concurrency(), false));
            kyu.hold(queue);
            kyu.enqueueArgs(queue, StampTask.FLOW_NAME, args, config.batchSize());
            List<Long> workerPids = workers.stream().map(WorkerHandle::pid).toList();
            List<Long> serverPids = kyu.serverPids();
            Map<Long, Double> w0 = ProcStats.cpuSnapshot(workerPids), s0 = ProcStats.cpuSnapshot(serverPids);
            long t0 = System.nanoTime();
            kyu.release(queue);
            long t1 = Waiter.awaitFinished(
                    kyu, queue, args.size(), t0, timeout(args.size(), limit).toNanos());
            Map<Long, Double> w1 = ProcStats.cpuSnapshot(workerPids), s1 = ProcStats.cpuSnapshot(kyu.serverPids());
            Subject.Progress p = kyu.progress(queue);
            if (p.failed() > 0) System.err.println("flow " + queue + ": " + p.failed() + " job(s) FAILED");
            double per1000 = 1000.0 / args.size();
            return new Drained(
                    args.size() / ((t1 - t0) / 1e9),
                    ProcStats.cpuBetween(w0, w1) * 1000 * per1000,
                    serverPids.isEmpty() ? 0 : ProcStats.cpuBetween(s0, s1) * 1000 * per1000,
                    kyu.bodyStarts(queue));
        } finally {
            for (WorkerHandle w : workers) w.close();
            if (limit != null) kyu.limits().remove(limit.name());
            kyu.cleanup(queue);
        }
    }

    /** Limits on the figure's task left by a pass that was stopped midway would hold this one back: removed first. */
    private static void removeLeftovers(KyuSubject kyu) {
        for (Limit l : kyu.limits().list()) {
            if (l.target().equals(Limit.Target.task(StampTask.FLOW_NAME))) {
                System.err.println(
                        "flow: removing limit " + l.name() + " left on " + StampTask.FLOW_NAME + " by an earlier pass");
                kyu.limits().remove(l.name());
            }
        }
    }

    /** Three times what the limit allows, or a slow broker's drain, whichever is longer. */
    private Duration timeout(int jobs, Limit limit) {
        long bound = limit == null || limit.keyed() ? 0 : 3L * jobs / settings.rate();
        return Duration.ofSeconds(Math.max(300, Math.max(bound + 60, jobs / 20)));
    }
}
