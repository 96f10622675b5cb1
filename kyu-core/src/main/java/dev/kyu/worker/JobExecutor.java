package dev.kyu.worker;

import dev.kyu.KyuException;
import dev.kyu.codec.JsonCodec;
import dev.kyu.job.Backoff;
import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.Progress;
import dev.kyu.spi.Outcome;
import dev.kyu.task.ArgsVersions;
import dev.kyu.task.JobContext;
import dev.kyu.task.KyuTask;
import dev.kyu.task.TaskOptions;
import dev.kyu.task.TaskRegistry;
import dev.kyu.worker.isolated.ChildFailure;
import dev.kyu.worker.isolated.ChildPool;
import dev.kyu.workflow.StepGate;
import dev.kyu.workflow.WorkflowMeta;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs exactly one attempt of one job on the calling thread and says how it ended. It binds the JSON
 * args to the task's type, runs the middleware chain around the task, encodes the result, and decides
 * between retry and dead letter. It never records anything: the caller records the outcome. Linked to a broker
 * ({@link #linkedTo}), it reads a workflow step's parents before the task runs, and that is all it asks of it.
 * The inline test mode and the worker share it, so tests meet production's rules.
 */
public final class JobExecutor {
    private final TaskRegistry tasks;
    private final JsonCodec codec;
    private final List<JobMiddleware> middleware;
    private final Clock clock;
    private final UnknownTaskLog unknownTasks = new UnknownTaskLog();
    /** Where isolated tasks run (null: none is), and which task names those are. */
    private final ChildPool children;

    private final Set<String> isolated;
    /** Decides whether a workflow step runs and with which args (null: this executor reads no broker). */
    private final StepGate gate;
    /** Pauses the job's flow limits when its task throws {@link dev.kyu.flow.RateLimited} (null: no limits here). */
    private final dev.kyu.flow.FlowGate flow;

    /** How far in the future an enqueue time may lie and still be a clock's jitter, not a broken row. */
    private static final Duration CLOCK_SLACK = Duration.ofMinutes(1);

    public JobExecutor(TaskRegistry tasks, JsonCodec codec, List<JobMiddleware> middleware, Clock clock) {
        this(tasks, codec, middleware, clock, null, Set.of(), null, null);
    }

    private JobExecutor(
            TaskRegistry tasks,
            JsonCodec codec,
            List<JobMiddleware> middleware,
            Clock clock,
            ChildPool children,
            Set<String> isolated,
            StepGate gate,
            dev.kyu.flow.FlowGate flow) {
        this.gate = gate;
        this.flow = flow;
        this.tasks = tasks;
        this.codec = codec;
        this.middleware = List.copyOf(middleware);
        this.clock = clock;
        this.children = children;
        this.isolated = Set.copyOf(isolated);
    }

    /**
     * This executor with the named tasks run in the pool's child JVMs. Arguments are bound and upcast
     * here first, so a job that cannot run fails the same way in both modes; the middleware runs here
     * around the child's run, and a result comes back as the JSON the child wrote.
     */
    JobExecutor isolating(ChildPool pool, Set<String> taskNames) {
        return new JobExecutor(tasks, codec, middleware, clock, pool, taskNames, gate, flow);
    }

    /**
     * This executor reading workflow steps' parents from the broker before their tasks run
     * ({@link dev.kyu.workflow.StepGate}): what lets a step skip, or take its parents' results as args.
     * Workers and the inline mode run with one; an executor without it runs steps as plain jobs.
     */
    public JobExecutor linkedTo(dev.kyu.spi.Broker broker) {
        return new JobExecutor(tasks, codec, middleware, clock, children, isolated, new StepGate(broker, codec), flow);
    }

    /** This executor pausing the job's flow limits, for every worker, when a task throws {@link dev.kyu.flow.RateLimited}. */
    JobExecutor pausingLimits(dev.kyu.flow.FlowGate flowGate) {
        return new JobExecutor(tasks, codec, middleware, clock, children, isolated, gate, flowGate);
    }

    /**
     * The classes a child JVM must load to know the named tasks: each must be registered here and be a
     * class with a public no-argument constructor, since a lambda cannot be rebuilt in another JVM.
     * Kyu's built-in tasks need none.
     */
    List<String> isolatedTaskClasses(Set<String> taskNames) {
        var builtins = dev.kyu.task.BuiltinTasks.all().stream()
                .map(KyuTask::name)
                .collect(java.util.stream.Collectors.toSet());
        var classes = new java.util.LinkedHashSet<String>();
        for (String name : new java.util.TreeSet<>(taskNames)) {
            KyuTask<?, ?> task = tasks.find(name)
                    .orElseThrow(() -> new IllegalArgumentException(
                            "isolated task '" + name + "' is not registered in this worker"));
            if (!task.name().equals(name)) {
                throw new IllegalArgumentException(
                        "isolated task '" + name + "' is an alias: name the task as '" + task.name() + "'");
            }
            if (builtins.contains(name)) continue;
            Class<?> c = task.getClass();
            boolean creatable;
            try {
                creatable = java.lang.reflect.Modifier.isPublic(c.getModifiers())
                        && !c.isAnonymousClass()
                        && !c.isSynthetic()
                        && java.lang.reflect.Modifier.isPublic(
                                c.getDeclaredConstructor().getModifiers());
            } catch (NoSuchMethodException e) {
                creatable = false;
            }
            if (task instanceof dev.kyu.task.Task<?, ?> || !creatable) {
                throw new IllegalArgumentException(
                        "isolated task '" + name + "' must be a public class with a public no-argument "
                                + "constructor (a task built with Task.of cannot be rebuilt in a child JVM), was "
                                + c.getName());
            }
            classes.add(c.getName());
        }
        return List.copyOf(classes);
    }

    /**
     * @param job        the leased job
     * @param stopReason why the job was stopped from outside, read after the task returns or throws
     * @param brokerNow  the broker's clock, consulted only for the unknown-task grace period
     * @param unknownTaskGrace how long an unknown task is handed back before it fails
     * @param unknownTaskDelay how long a handed-back unknown task waits
     */
    public Outcome execute(
            Job job,
            Supplier<StopReason> stopReason,
            Supplier<Instant> brokerNow,
            Duration unknownTaskGrace,
            Duration unknownTaskDelay) {
        return execute(job, stopReason, brokerNow, unknownTaskGrace, unknownTaskDelay, p -> {});
    }

    /**
     * As above, with somewhere for the task's progress to go.
     *
     * @param progress receives each {@link JobContext#progress} the task reports
     */
    public Outcome execute(
            Job job,
            Supplier<StopReason> stopReason,
            Supplier<Instant> brokerNow,
            Duration unknownTaskGrace,
            Duration unknownTaskDelay,
            Consumer<Progress> progress) {
        var found = tasks.find(job.task());
        if (found.isEmpty()) return unknownTask(job, brokerNow.get(), unknownTaskGrace, unknownTaskDelay);
        KyuTask<?, ?> task = found.get();
        String argsJson = job.args();
        // Read before anything else: a skipped step must end without its args ever being bound.
        var decision = gate == null ? null : gate.before(job);
        if (decision instanceof StepGate.Skip skip) {
            return new Outcome.Cancelled(JobError.reason(job.attempt(), WorkflowMeta.SKIPPED, skip.reason(), now()));
        }
        var run = (StepGate.Run) decision;
        if (run != null && run.argsJson() != null) return bound(job, task, run.argsJson(), run, stopReason, progress);
        int version;
        try {
            version = ArgsVersions.of(job.meta());
        } catch (IllegalArgumentException e) {
            return new Outcome.Dead(JobError.reason(job.attempt(), JobError.BAD_VERSION, e.getMessage(), now()));
        }
        int taskVersion = task.options().version();
        if (version > taskVersion) {
            // Enqueued by a newer deploy: a worker that has it may be starting up (a rolling deploy).
            Instant now = brokerNow.get();
            Instant graceEnds = graceEnds(job, now, unknownTaskGrace);
            if (graceEnds != null && now.isBefore(graceEnds)) return new Outcome.Released(unknownTaskDelay);
            return new Outcome.Dead(JobError.reason(
                    job.attempt(),
                    JobError.BAD_VERSION,
                    "args are version " + version + " but task '" + job.task() + "' here is only version " + taskVersion
                            + " (is a newer worker running?)",
                    now()));
        }
        if (version < taskVersion && argsJson != null) {
            try {
                argsJson = ArgsVersions.upcast(argsJson, version, task.options());
            } catch (ArgsVersions.UpcastException e) {
                return new Outcome.Dead(JobError.reason(job.attempt(), JobError.BAD_VERSION, e.getMessage(), now()));
            }
        }
        return bound(job, task, argsJson, run, stopReason, progress);
    }

    /** Binds the args (as stored and upcast, or the parents' results of a workflow step) and runs the task. */
    private Outcome bound(
            Job job,
            KyuTask<?, ?> task,
            String argsJson,
            StepGate.Run run,
            Supplier<StopReason> stopReason,
            Consumer<Progress> progress) {
        Object args;
        try {
            args = bind(argsJson, task);
        } catch (RuntimeException e) {
            // Args that cannot be read now never will be: a dead letter that keeps them, never a hand-back.
            return new Outcome.Dead(JobError.reason(
                    job.attempt(),
                    JobError.BAD_PAYLOAD,
                    "args of job " + job.id() + " do not bind to "
                            + task.argsType().getSimpleName() + ": " + reason(e),
                    now()));
        }
        if (args == null && task.argsType().isRecord()) {
            // A task that takes a record would only fail on null, the same way on every attempt.
            return new Outcome.Dead(JobError.reason(
                    job.attempt(),
                    JobError.BAD_PAYLOAD,
                    "args of job " + job.id() + " are null, but task '" + job.task() + "' takes a "
                            + task.argsType().getSimpleName() + " (a JSON object)",
                    now()));
        }
        var ctx = new JobContext(
                job.id(),
                job.task(),
                job.queue(),
                job.attempt(),
                job.maxAttempts(),
                job.enqueuedAt(),
                job.meta(),
                job.workerId(),
                job.fence(),
                progress,
                run == null ? null : run.context());
        try {
            Object result = invoke(task, args, argsJson, job, ctx, 0);
            return new Outcome.Succeeded(codec.encode(result));
        } catch (Throwable t) {
            return failed(job, task.options(), t, stopReason.get());
        }
    }

    private Object bind(String argsJson, KyuTask<?, ?> task) {
        if (argsJson == null) throw new KyuException.InvalidInput("the job has no args at all (not even JSON null)");
        return codec.decode(argsJson, task.argsType());
    }

    private static String reason(RuntimeException e) {
        String m = e instanceof KyuException.InvalidInput || e.getMessage() == null
                ? String.valueOf(e.getMessage())
                : e.getClass().getSimpleName() + ": " + e.getMessage();
        return m.replace('\n', ' ').replace('\r', ' ');
    }

    /**
     * When the grace for a job this worker cannot run yet (an unknown task, args of a newer version) ends,
     * counted from enqueue; null when its enqueue time is missing or in the future, so no wait could ever end.
     */
    private static Instant graceEnds(Job job, Instant now, Duration grace) {
        boolean sane = job.enqueuedAt() != null && !job.enqueuedAt().isAfter(now.plus(CLOCK_SLACK));
        return sane ? job.enqueuedAt().plus(grace) : null;
    }

    /**
     * A task this worker does not know: put back for other workers (a rolling deploy may be under way)
     * until its grace, counted from enqueue, runs out; then a dead letter. A job whose enqueue time is
     * missing or in the future has no grace that could ever end, so it fails at once.
     */
    private Outcome unknownTask(Job job, Instant now, Duration grace, Duration delay) {
        Instant failsAt = graceEnds(job, now, grace);
        boolean sane = failsAt != null;
        if (sane && now.isBefore(failsAt)) {
            unknownTasks.putBack(job, failsAt);
            return new Outcome.Released(delay);
        }
        String why = sane ? "" : " (its enqueue time " + job.enqueuedAt() + " leaves no grace period to wait out)";
        return new Outcome.Dead(JobError.reason(
                job.attempt(),
                JobError.UNKNOWN_TASK,
                "no worker knows task '" + job.task() + "' (register it, or check the name)" + why,
                now()));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Object invoke(KyuTask task, Object args, String argsJson, Job job, JobContext ctx, int index)
            throws Exception {
        if (index == middleware.size())
            return children != null && isolated.contains(task.name())
                    ? runIsolated(task.name(), argsJson, job, ctx)
                    : task.run(args, ctx);
        return middleware.get(index).invoke(job, ctx, () -> invoke(task, args, argsJson, job, ctx, index + 1));
    }

    private Object runIsolated(String taskName, String argsJson, Job job, JobContext ctx) throws Exception {
        String result = children.run(
                job.id(),
                taskName,
                argsJson,
                job.queue(),
                job.attempt(),
                job.maxAttempts(),
                job.enqueuedAt(),
                job.meta(),
                job.workerId(),
                job.fence(),
                p -> ctx.progress(p.fraction(), p.message()));
        return codec.mapper().readTree(result); // written back unchanged by the encode that follows
    }

    private Outcome failed(Job job, TaskOptions options, Throwable t, StopReason reason) {
        var limited = reason == StopReason.NONE ? rateLimited(t) : null;
        if (limited != null) {
            // The downstream asked for quiet: wait that long, attempt unspent, and make every worker wait with it.
            if (flow != null) {
                try {
                    flow.pauseFor(job, limited.retryAfter());
                } catch (RuntimeException e) {
                    org.slf4j.LoggerFactory.getLogger(JobExecutor.class)
                            .warn("could not pause the limits of job {}: {}", job.id(), dev.kyu.Causes.oneLine(e));
                }
            }
            return new Outcome.Released(limited.retryAfter());
        }
        return switch (reason) {
            case CANCELLED ->
                new Outcome.Cancelled(
                        JobError.reason(job.attempt(), JobError.CANCELLED, "cancelled while running", now()));
            case RELEASED, LEASE_LOST -> new Outcome.Released(Duration.ZERO);
            case TIMED_OUT ->
                retryOrDead(
                        job,
                        true,
                        JobError.reason(
                                job.attempt(),
                                JobError.TIMEOUT,
                                "attempt " + job.attempt() + " ran past its timeout of " + job.timeout(),
                                now()));
            case NONE ->
                t instanceof ChildFailure f
                        ? retryOrDead(
                                job,
                                f.retryable(),
                                f.error(job.attempt(), now())) // judged in the child, on the real exception
                        : retryOrDead(job, options.isRetryable(t), JobError.of(job.attempt(), t, now()));
        };
    }

    /** The {@link dev.kyu.flow.RateLimited} the task threw, itself or as a cause a few levels down; null otherwise. */
    private static dev.kyu.flow.RateLimited rateLimited(Throwable t) {
        for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
            if (t instanceof dev.kyu.flow.RateLimited rl) return rl;
        }
        return null;
    }

    /**
     * The outcome of an attempt abandoned at its hard time limit: its task ignored the interrupt past the
     * timeout and the grace. A timeout, retryable like any other.
     */
    public Outcome abandoned(Job job, Duration grace) {
        return retryOrDead(
                job,
                true,
                JobError.reason(
                        job.attempt(),
                        JobError.TIMEOUT,
                        "attempt " + job.attempt()
                                + " ran past its timeout of " + job.timeout() + " and did not stop within the grace of "
                                + grace
                                + ": abandoned (its thread may still run; its outcome will not count)",
                        now()));
    }

    private Outcome retryOrDead(Job job, boolean retryable, JobError error) {
        if (!retryable || job.attempt() >= job.maxAttempts()) return new Outcome.Dead(error);
        return new Outcome.Retry(error, backoffOf(job).delayAfter(job.attempt()));
    }

    /** A stored back-off spec that no longer parses must not turn a retry into a crash: fall back to the default. */
    private static Backoff backoffOf(Job job) {
        if (job.backoff() == null) return Backoff.DEFAULT;
        try {
            return Backoff.parse(job.backoff());
        } catch (IllegalArgumentException e) {
            return Backoff.DEFAULT;
        }
    }

    /** The outcome of a job stopped before its task ran: cancelled, or handed back without spending an attempt. */
    public Outcome notRun(Job job, StopReason reason) {
        return reason == StopReason.CANCELLED
                ? new Outcome.Cancelled(
                        JobError.reason(job.attempt(), JobError.CANCELLED, "cancelled before it started", now()))
                : new Outcome.Released(Duration.ZERO);
    }

    /** The clock errors are stamped with. */
    Instant now() {
        return clock.instant();
    }
}
