package dev.kyu.testkit.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kyu.Kyu;
import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import dev.kyu.spi.JobQuery;
import dev.kyu.spi.QueueInfo;
import dev.kyu.testkit.WorkerProcess;
import dev.kyu.testkit.faults.RunHistory.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault suite (docs/delivery.md, "The fault suite"): a few hundred jobs flow through worker JVMs while
 * the suite, driven by one seeded {@link Random}, freezes (SIGSTOP, then SIGCONT) and kills (SIGKILL)
 * workers, restarts or blackholes the broker, and writes garbage into every field of the engine's storage.
 * Every execution is recorded outside the broker ({@link RunHistory}). Once every job is terminal, the
 * history is checked against the broker:
 * <ul>
 *   <li>every accepted job is stored, once, and SUCCEEDED (none lost);</li>
 *   <li>every SUCCEEDED job has a finished run of the attempt its outcome names (the outcome is real);</li>
 *   <li>no attempt of a job started twice (a lease is held by one worker);</li>
 *   <li>no run started after its job's outcome was recorded, save in a worker the suite froze across
 *       that moment (see {@link #LATE_START_SLACK});</li>
 *   <li>every job in the broker, planted garbage included, is terminal: garbage is quarantined in FAILED
 *       (or, when harmless, runs), and never stops the other jobs.</li>
 * </ul>
 * The seed is printed; {@code -Dkyu.faults.seed=N} replays a run's choices (the timing of the machine
 * still varies).
 */
public abstract class FaultScenario {
    static final String QUEUE = "faults";
    private static final int JOBS = Integer.getInteger("kyu.faults.jobs", 300);
    private static final int BATCH = 10;
    private static final int FAULTS = Integer.getInteger("kyu.faults.count", 14);
    private static final int WORKERS = 3;
    private static final Duration LEASE = Duration.ofSeconds(2);
    /** As long as the faults take, so that every fault meets jobs in flight. */
    private static final Duration PRODUCTION = Duration.ofSeconds(30);
    /**
     * How far past its job's finishedAt a run's start mark may lie and still count as before it. Both are
     * read from this host's real-time clock (the broker's stamp: Redis TIME, PostgreSQL now(), SQLite the
     * host clock; the mark: Instant.now() in the worker JVM), so the slack only covers the stamps'
     * precision, not clock skew. The rule does not depend on the order of events the clock shows otherwise:
     * a run of attempt k can only start after attempt k' > k was recorded if its worker leased attempt k
     * before attempt k' was leased, and then stood still for more than its lease; when the suite froze
     * that worker across the outcome, the late start is counted, not failed: no lease can guard a process
     * against being stopped between its check and its next step.
     */
    static final long LATE_START_SLACK = 50_000;

    private static final Pattern REFUSED = Pattern.compile("outcome of job \\S+ attempt \\d+ was refused");

    @TempDir
    protected Path dir;

    private final List<Worker> workers = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger workerSeq = new AtomicInteger();
    private final Map<String, List<long[]>> freezes = new ConcurrentHashMap<>();
    private final Map<String, Integer> faultCounts = new ConcurrentHashMap<>();
    private volatile Kyu client;
    private FaultFixture fixture;

    private record Worker(String name, WorkerProcess process) {}

    private record PlantedJob(String caseName, String id) {}

    enum Fault {
        FREEZE,
        KILL,
        RESTART,
        BLACKHOLE,
        GARBAGE
    }

    /** The engine under test, on fresh storage. */
    protected abstract FaultFixture openFixture() throws Exception;

    @AfterEach
    void tearDown() throws Exception {
        for (Worker w : List.copyOf(workers)) {
            signal(w, "CONT");
            w.process().kill();
        }
        if (client != null) client.close();
        if (fixture != null) fixture.close();
    }

    @Test
    void everyAcceptedJobRunsToOneOutcomeThroughFaults() throws Exception {
        long seed = Long.getLong("kyu.faults.seed", new Random().nextLong());
        var random = new Random(seed);
        fixture = openFixture();
        System.out.println(
                "fault suite [" + fixture.engine() + "] seed=" + seed + " (replay: -Dkyu.faults.seed=" + seed + ")");
        long began = System.nanoTime();
        Path history = Files.createDirectories(dir.resolve("history"));
        client = Kyu.connect(fixture.brokerUrl());
        for (int i = 0; i < WORKERS; i++) startWorker(history);

        // Production runs beside the faults, so that faults meet jobs in every state.
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        var enqueueErrors = new AtomicInteger();
        List<Fault> plan = plan(random);
        var staged = new AtomicInteger();
        Thread producer = Thread.ofPlatform()
                .name("fault-producer")
                .start(() -> produce(accepted, enqueueErrors, staged, plan.size()));

        List<GarbageCase> garbage = new ArrayList<>(fixture.garbage(QUEUE));
        Collections.shuffle(garbage, random);
        int rounds = (int) plan.stream().filter(f -> f == Fault.GARBAGE).count();
        var planted = new ArrayList<PlantedJob>();
        var garbageFigures = new TreeMap<String, Integer>();
        int round = 0;
        for (Fault fault : plan) {
            pause(random, 300, 1500);
            faultCounts.merge(fault.name().toLowerCase(), 1, Integer::sum);
            switch (fault) {
                case FREEZE -> freeze(random, history);
                case KILL -> kill(random, history);
                case RESTART -> restart(history);
                case BLACKHOLE -> blackhole(random);
                case GARBAGE -> {
                    int from = garbage.size() * round / rounds, to = garbage.size() * (round + 1) / rounds;
                    round++;
                    for (GarbageCase c : garbage.subList(from, to)) plant(c, planted, garbageFigures);
                }
            }
            staged.incrementAndGet();
        }
        producer.join(Duration.ofSeconds(120));
        assertThat(producer.isAlive()).as("the producer finished enqueueing").isFalse();

        // Every job in the broker, planted ones included, comes to an outcome; those that do not are named below.
        Set<String> failures = ConcurrentHashMap.newKeySet();
        try {
            // Up to two of the workers' minutely prune passes: their sweeps are what ends jobs of unreachable queues.
            await("every job terminal")
                    .atMost(Duration.ofSeconds(150))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> live(failures).isEmpty());
        } catch (org.awaitility.core.ConditionTimeoutException stuck) {
            System.out.println(
                    "jobs not terminal after 150 s: " + show(live(failures).toString(), 400));
        }
        for (Worker w : List.copyOf(workers)) w.process().terminate();
        List<Job> all = listAll(failures);
        List<Run> runs = RunHistory.read(history);

        var problems = new ArrayList<String>(failures);
        Map<String, Job> byId = new HashMap<>();
        for (Job j : all) if (byId.put(j.id(), j) != null) problems.add("job " + show(j.id(), 40) + " is listed twice");
        checkAccepted(accepted, byId, problems);
        int late = checkRuns(byId, runs, problems);
        var plantedRan = new ArrayList<String>();
        Map<String, Integer> plantedFigures = checkPlanted(planted, byId, problems, plantedRan);
        Map<String, String> caseOf =
                planted.stream().collect(Collectors.toMap(PlantedJob::id, PlantedJob::caseName, (a, b) -> a));
        for (Job j : all) {
            if (j.state().isTerminal()) continue;
            problems.add("job " + show(j.id(), 40)
                    + (caseOf.containsKey(j.id()) ? " (planted " + caseOf.get(j.id()) + ")" : "") + " is still "
                    + j.state() + " in queue " + show(j.queue(), 40) + " at attempt " + j.attempt() + "/"
                    + j.maxAttempts());
        }

        Set<String> ran = runs.stream().map(Run::jobId).collect(Collectors.toSet());
        int unacknowledged = (int) all.stream()
                .filter(j -> RunHistory.TASK.equals(j.task())
                        && QUEUE.equals(j.queue())
                        && !accepted.contains(j.id())
                        && planted.stream().noneMatch(p -> j.id().equals(p.id())))
                .count();
        var figures = new FaultFigures(
                fixture.engine(),
                seed,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began),
                accepted.size(),
                unacknowledged,
                enqueueErrors.get(),
                faultCounts,
                garbageFigures,
                plantedFigures,
                plantedRan,
                runs.size(),
                runs.size() - ran.size(),
                (int) all.stream()
                        .filter(j -> accepted.contains(j.id()) && j.attempt() > 1)
                        .count(),
                refusedOutcomes(),
                late);
        System.out.println(figures.line());
        figures.write(Path.of("target"));
        keepLogs(history, Path.of("target", "fault-suite-" + fixture.engine()));
        assertThat(problems).as("seed " + seed + ": " + figures.line()).isEmpty();
        assertThat(accepted).hasSize(JOBS);
    }

    /** The faults of this run, in order: each kind the engine can stage at least once, the rest at random. */
    private List<Fault> plan(Random random) {
        var kinds = new ArrayList<>(List.of(Fault.FREEZE, Fault.KILL));
        if (fixture.restart() != FaultFixture.Restart.NONE) kinds.add(Fault.RESTART);
        if (fixture.blackholes()) kinds.add(Fault.BLACKHOLE);
        var plan = new ArrayList<Fault>(kinds);
        plan.addAll(List.of(Fault.GARBAGE, Fault.GARBAGE, Fault.GARBAGE));
        while (plan.size() < FAULTS) plan.add(kinds.get(random.nextInt(kinds.size())));
        Collections.shuffle(plan, random);
        return plan;
    }

    /**
     * Enqueues the jobs in batches, spread over {@link #PRODUCTION} and kept in step with the faults (no
     * more than its share of the jobs before each fault), so that every fault meets jobs in flight however
     * long the machine takes to stage them.
     */
    private void produce(Set<String> accepted, AtomicInteger errors, AtomicInteger staged, int faults) {
        var options = JobOptions.builder().queue(QUEUE).maxAttempts(25).build();
        long pace = PRODUCTION.toMillis() * BATCH / JOBS;
        var random = new Random(JOBS);
        int n = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (n < JOBS && System.nanoTime() < deadline) {
            if (n >= (long) JOBS * (staged.get() + 1) / faults) {
                sleep(50);
                continue;
            }
            var args = new ArrayList<String>();
            for (int i = n; i < Math.min(JOBS, n + BATCH); i++)
                args.add("{\"n\":" + i + ",\"ms\":" + (200 + random.nextInt(800)) + "}");
            try {
                client.enqueueJsonAll(RunHistory.TASK, args, options).forEach(h -> accepted.add(h.id()));
                n += args.size();
            } catch (RuntimeException e) {
                errors.incrementAndGet(); // a broker outage: the same numbers again, under new ids
            }
            sleep(pace);
        }
    }

    private void plant(GarbageCase c, List<PlantedJob> planted, Map<String, Integer> figures) {
        try {
            String id = c.plant();
            figures.merge("written", 1, Integer::sum);
            if (id != null) planted.add(new PlantedJob(c.name(), id));
        } catch (Exception refused) {
            figures.merge("refused by the storage", 1, Integer::sum);
        }
    }

    /**
     * A worker to fault, one that has run jobs when there is one: a JVM still starting (seconds on a loaded
     * machine) holds no job, and a fault there would test nothing.
     */
    private Worker victim(Random random, Path history) {
        List<Worker> all = List.copyOf(workers);
        List<Worker> busy = all.stream()
                .filter(w -> {
                    try {
                        Path file = history.resolve(w.name() + ".history");
                        return w.process().process().isAlive() && Files.exists(file) && Files.size(file) > 0;
                    } catch (IOException e) {
                        return false;
                    }
                })
                .toList();
        return FaultFixture.pick(random, busy.isEmpty() ? all : busy);
    }

    private void freeze(Random random, Path history) throws Exception {
        Worker w = victim(random, history);
        long from = micros();
        signal(w, "STOP");
        sleep(800 + random.nextInt(3200)); // longer than the lease, often: its jobs are rescued meanwhile
        signal(w, "CONT");
        freezes.computeIfAbsent(w.name(), k -> Collections.synchronizedList(new ArrayList<>()))
                .add(new long[] {from, micros()});
    }

    private void kill(Random random, Path history) throws Exception {
        Worker w = victim(random, history);
        w.process().kill();
        workers.remove(w);
        startWorker(history);
    }

    private void restart(Path history) throws Exception {
        switch (fixture.restart()) {
            case SERVER -> fixture.restartServer();
            case HOLDERS -> {
                // No server: a restart is every process holding the storage going down at once.
                for (Worker w : List.copyOf(workers)) {
                    w.process().kill();
                    workers.remove(w);
                }
                Kyu old = client;
                client = Kyu.connect(fixture.brokerUrl());
                old.close();
                for (int i = 0; i < WORKERS; i++) startWorker(history);
            }
            case NONE -> throw new IllegalStateException("no restart planned for " + fixture.engine());
        }
    }

    private void blackhole(Random random) {
        fixture.dark();
        try {
            sleep(1500 + random.nextInt(3500));
        } finally {
            fixture.light();
        }
    }

    private void startWorker(Path history) throws IOException {
        String name = "w" + workerSeq.incrementAndGet();
        var p = WorkerProcess.start(
                fixture.workerUrl(),
                dir.resolve(name + ".log"),
                "--queues",
                QUEUE,
                "--concurrency",
                "8",
                "--lease",
                LEASE.toSeconds() + "s",
                "--grace",
                "1s",
                "--unknown-grace",
                "2s",
                "--history",
                history.resolve(name + ".history").toString(),
                "--name",
                name);
        workers.add(new Worker(name, p));
        // A JVM takes seconds to start on a loaded machine: a fault staged before it works would meet no job.
        await(name + " started")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> p.log().contains(" started on ") || !p.process().isAlive());
    }

    private static void signal(Worker w, String signal) throws IOException, InterruptedException {
        if (!w.process().process().isAlive()) return;
        new ProcessBuilder(
                        "kill",
                        "-" + signal,
                        Long.toString(w.process().process().pid()))
                .inheritIO()
                .start()
                .waitFor();
    }

    /**
     * Jobs not yet terminal, by queue and state; reading the queues also quarantines rows the engine cannot
     * decode. A query that fails is noted in {@code failures} and the suite's own queue is counted alone.
     */
    private Map<String, Long> live(Set<String> failures) {
        var out = new TreeMap<String, Long>();
        List<QueueInfo> queues;
        try {
            // The listing's own counts: a queue whose stored name is not valid text cannot be asked for by name.
            queues = client.admin().queues();
        } catch (RuntimeException e) {
            failures.add("listing the queues failed: " + show(e.getMessage(), 300));
            queues = List.of(new QueueInfo(QUEUE, false, client.broker().queueCounts(QUEUE), null));
        }
        for (QueueInfo q : queues) {
            for (JobState s : List.of(JobState.BLOCKED, JobState.SCHEDULED, JobState.QUEUED, JobState.RUNNING)) {
                long n = q.counts().getOrDefault(s, 0L);
                if (n > 0) out.put(show(q.queue(), 40) + "/" + s, n);
            }
        }
        return out;
    }

    /** Every job the broker lists; when listing them all fails, the suite's own queue's. */
    private List<Job> listAll(Set<String> failures) {
        try {
            return list(JobQuery.all(1000));
        } catch (RuntimeException e) {
            failures.add("listing all jobs failed: " + show(e.getMessage(), 300));
            return list(JobQuery.all(1000).withQueue(QUEUE));
        }
    }

    /** Every job the query matches, page by page by cursor: a job added meanwhile cannot shift one into two pages. */
    private List<Job> list(JobQuery query) {
        var all = new ArrayList<Job>();
        for (JobQuery q = query; q != null; ) {
            List<Job> page = client.admin().jobs(q);
            all.addAll(page);
            q = q.next(page);
        }
        return all;
    }

    private static void checkAccepted(Set<String> accepted, Map<String, Job> byId, List<String> problems) {
        for (String id : accepted) {
            Job j = byId.get(id);
            if (j == null) problems.add("accepted job " + id + " is lost");
            else if (j.state() != JobState.SUCCEEDED) {
                problems.add("accepted job " + id + " ended " + j.state()
                        + (j.lastError() == null
                                ? ""
                                : ": " + j.lastError().type() + " "
                                        + show(j.lastError().message(), 200)));
            }
        }
    }

    /** Checks the history against the outcomes; returns the late starts in frozen workers. */
    private int checkRuns(Map<String, Job> byId, List<Run> runs, List<String> problems) {
        Map<String, List<Run>> byJob = runs.stream().collect(Collectors.groupingBy(Run::jobId));
        var started = new HashSet<String>();
        int late = 0;
        for (Run r : runs) {
            if (!started.add(r.jobId() + "#" + r.attempt()))
                problems.add("job " + show(r.jobId(), 40) + " attempt " + r.attempt() + " started twice");
            Job j = byId.get(r.jobId());
            if (j == null) {
                problems.add("a run of job " + show(r.jobId(), 40) + ", which the broker does not hold");
                continue;
            }
            if (j.finishedAt() == null || r.startMicros() <= RunHistory.micros(j.finishedAt()) + LATE_START_SLACK)
                continue;
            if (frozenAcross(r.worker(), RunHistory.micros(j.finishedAt()), r.startMicros())) late++;
            else
                problems.add("job " + show(r.jobId(), 40) + " attempt " + r.attempt() + " started in " + r.worker()
                        + " at " + Instant.EPOCH.plusNanos(r.startMicros() * 1000) + ", after its outcome " + j.state()
                        + " at " + j.finishedAt());
        }
        for (Job j : byId.values()) {
            if (j.state() != JobState.SUCCEEDED) continue;
            boolean done = byJob.getOrDefault(j.id(), List.of()).stream()
                    .anyMatch(r -> r.attempt() == j.attempt() && r.finished());
            if (!done)
                problems.add("job " + show(j.id(), 40) + " SUCCEEDED at attempt " + j.attempt()
                        + " without a finished run of it in the history");
        }
        return late;
    }

    private boolean frozenAcross(String worker, long outcome, long start) {
        return freezes.getOrDefault(worker, List.of()).stream()
                .anyMatch(f -> f[0] <= outcome + LATE_START_SLACK && f[1] <= start + LATE_START_SLACK);
    }

    private Map<String, Integer> checkPlanted(
            List<PlantedJob> planted, Map<String, Job> byId, List<String> problems, List<String> ran) {
        var figures = new TreeMap<String, Integer>();
        for (PlantedJob p : planted) {
            Job j = byId.get(p.id());
            String outcome;
            if (j == null) {
                Optional<Job> stored;
                try {
                    stored = client.admin().job(p.id());
                } catch (RuntimeException e) {
                    problems.add("planted job " + p.caseName() + " (" + show(p.id(), 40) + ") cannot be read: "
                            + show(e.getMessage(), 300));
                    figures.merge("unreadable", 1, Integer::sum);
                    continue;
                }
                outcome = stored.isPresent() ? "unlisted" : "gone";
                problems.add("planted job " + p.caseName() + " (" + show(p.id(), 40) + ") is "
                        + stored.map(s -> "stored (" + s.state() + ", attempt " + s.attempt() + ") but not listed")
                                .orElse("gone from the broker"));
                if (stored.isPresent() && !stored.get().state().isTerminal())
                    problems.add("planted job " + p.caseName() + " is still "
                            + stored.get().state());
            } else if (j.state() == JobState.FAILED
                    && j.lastError() != null
                    && QUARANTINE.contains(j.lastError().type())) {
                outcome = "quarantined";
            } else if (j.state() == JobState.SUCCEEDED) {
                outcome = "ran";
                ran.add(p.caseName());
            } else {
                outcome = j.state().name().toLowerCase();
                if (j.state() == JobState.FAILED) {
                    problems.add("planted job " + p.caseName() + " failed without a quarantine reason: "
                            + (j.lastError() == null
                                    ? "no error"
                                    : j.lastError().type() + " "
                                            + show(j.lastError().message(), 200)));
                }
            }
            figures.merge(outcome, 1, Integer::sum);
        }
        return figures;
    }

    /** The reasons a job that cannot be run is failed with at once. */
    private static final Set<String> QUARANTINE = Set.of(JobError.CORRUPT, JobError.BAD_PAYLOAD, JobError.UNKNOWN_TASK);

    private int refusedOutcomes() throws IOException {
        int n = 0;
        for (int i = 1; i <= workerSeq.get(); i++) {
            Path log = dir.resolve("w" + i + ".log");
            if (Files.exists(log))
                n += (int) REFUSED.matcher(Files.readString(log)).results().count();
        }
        return n;
    }

    /** Keeps the workers' logs and the history beside the figures, for a failure's post-mortem. */
    private void keepLogs(Path history, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(to)) {
            for (Path old : files.toList()) Files.delete(old);
        }
        try (var logs = Files.list(dir)) {
            for (Path f : logs.filter(p -> p.toString().endsWith(".log")).toList())
                Files.copy(f, to.resolve(f.getFileName()));
        }
        try (var marks = Files.list(history)) {
            for (Path f : marks.toList()) Files.copy(f, to.resolve(f.getFileName()));
        }
    }

    /** Text from the broker made safe to print: control characters neutralised, cut to {@code max} characters. */
    static String show(String text, int max) {
        if (text == null) return "null";
        String s = text.replaceAll("\\p{Cntrl}", "?");
        return s.length() > max ? s.substring(0, max) + "…(" + s.length() + " chars)" : s;
    }

    private static long micros() {
        return RunHistory.micros(Instant.now());
    }

    private static void pause(Random random, int fromMs, int toMs) {
        sleep(fromMs + random.nextInt(toMs - fromMs));
    }

    /** The suite's own pacing between faults and batches: time it stages, not work it waits for. */
    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
