package dev.kyu;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kyu.client.Admin;
import dev.kyu.client.JobHandle;
import dev.kyu.client.KyuClient;
import dev.kyu.codec.JsonCodec;
import dev.kyu.job.JobOptions;
import dev.kyu.maintenance.MaintenanceOptions;
import dev.kyu.spi.Broker;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.Brokers;
import dev.kyu.task.KyuTask;
import dev.kyu.task.TaskRegistry;
import dev.kyu.worker.JobExecutor;
import dev.kyu.worker.JobListener;
import dev.kyu.worker.JobMiddleware;
import dev.kyu.worker.MdcMiddleware;
import dev.kyu.worker.Worker;
import dev.kyu.worker.WorkerOptions;
import dev.kyu.workflow.Workflow;
import dev.kyu.workflow.WorkflowHandle;
import java.sql.Connection;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Kyu's front door: connect to a broker, register tasks, enqueue jobs, start workers.
 *
 * <pre>{@code
 * record Email(String to, String subject) {}
 * var send = Task.of("email.send", Email.class, (email, ctx) -> mailer.send(email)); // returns the message id
 *
 * try (Kyu kyu = Kyu.connect("sqlite:kyu.db").register(send)) {
 *     JobHandle<String> job = kyu.enqueue(send, new Email("ada@example.com", "Welcome"));
 *     try (Worker worker = kyu.worker(WorkerOptions.builder().concurrency(20).build()).start()) {
 *         String messageId = job.await(Duration.ofSeconds(10));
 *     }
 * }
 * }</pre>
 *
 * A {@code Kyu} is thread-safe; make one per application and share it.
 */
public final class Kyu implements AutoCloseable {
    private final Broker broker;
    private final boolean ownsBroker;
    private final TaskRegistry tasks;
    private final JsonCodec codec;
    private final Clock clock;
    private final List<JobMiddleware> middleware;
    private final List<JobListener> listeners;
    private final MaintenanceOptions maintenance;
    private final KyuClient client;
    private final java.util.Map<String, dev.kyu.flow.KeyFunction> keyFunctions;
    private dev.kyu.flow.FlowGate flowGate;

    private Kyu(Builder b) {
        this.codec = b.codec;
        this.clock = b.clock;
        this.tasks = b.tasks;
        this.ownsBroker = b.broker == null;
        this.broker = b.broker != null
                ? b.broker
                : Brokers.open(new BrokerConfig(b.inline ? "memory:" : b.url, b.clock, b.brokerOptions));
        this.middleware = List.copyOf(b.middleware);
        this.listeners = new java.util.concurrent.CopyOnWriteArrayList<>(b.listeners);
        this.maintenance = b.maintenance;
        this.keyFunctions = java.util.Map.copyOf(b.keyFunctions);
        this.client = new KyuClient(
                broker, tasks, codec, b.defaults, b.maxPayloadBytes, b.inline ? executor() : null, listeners);
    }

    /** Connects to the broker at {@code url} ({@code memory:}, {@code sqlite:PATH}, {@code redis://…}, {@code postgresql://…}). */
    public static Kyu connect(String url) {
        return builder().broker(url).build();
    }

    /**
     * The test mode: an in-memory broker where every enqueue runs the job at once on the caller's thread,
     * through the real executor and JSON codec, retries included (without their back-off).
     */
    public static Kyu inline() {
        return builder().inline().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    // ---- tasks ---------------------------------------------------------------------------------------

    public Kyu register(KyuTask<?, ?>... tasks) {
        for (KyuTask<?, ?> t : tasks) this.tasks.register(t);
        return this;
    }

    public TaskRegistry tasks() {
        return tasks;
    }

    /** The listeners of this Kyu, as a read-only view. */
    public List<JobListener> listeners() {
        return java.util.Collections.unmodifiableList(listeners);
    }

    /**
     * Adds a listener while running (metrics, alerts): it hears of every later enqueue through this Kyu and
     * of every outcome recorded by its workers, including workers started before it was added.
     */
    public Kyu listen(JobListener listener) {
        listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /** Removes a listener added before; it hears of nothing from now on. Returns false when it was not listening. */
    public boolean unlisten(JobListener listener) {
        return listeners.remove(listener);
    }

    // ---- producing -----------------------------------------------------------------------------------

    public <A, R> JobHandle<R> enqueue(KyuTask<A, R> task, A args) {
        return client.enqueue(task, args, JobOptions.NONE);
    }

    public <A, R> JobHandle<R> enqueue(KyuTask<A, R> task, A args, JobOptions options) {
        return client.enqueue(task, args, options);
    }

    /** Enqueues many jobs of one task in one broker round trip, atomically. */
    public <A, R> List<JobHandle<R>> enqueueAll(KyuTask<A, R> task, Collection<A> args, JobOptions options) {
        return client.enqueueAll(task, args, options);
    }

    /** Enqueues by task name, for tasks whose code this process does not have (like Celery's {@code send_task}). */
    public JobHandle<JsonNode> enqueue(String taskName, Object args, JobOptions options) {
        return client.enqueueJson(taskName, codec.encode(args), options);
    }

    /** Enqueues by task name with args given as JSON text; the text is checked but stored as given. */
    public JobHandle<JsonNode> enqueueJson(String taskName, String argsJson, JobOptions options) {
        return client.enqueueJson(taskName, argsJson, options);
    }

    /** Enqueues the same task with each JSON args text in one round trip. */
    public List<JobHandle<JsonNode>> enqueueJsonAll(String taskName, List<String> argsJson, JobOptions options) {
        return client.enqueueJsonAll(taskName, argsJson, options);
    }

    /**
     * Enqueues inside the caller's own JDBC transaction (engines with transactional enqueue): the job is
     * invisible until the caller commits and gone if it rolls back.
     */
    public <A, R> JobHandle<R> enqueue(Connection transaction, KyuTask<A, R> task, A args, JobOptions options) {
        return client.enqueueInTransaction(transaction, task, args, options);
    }

    /**
     * Enqueues a workflow: every step as a job, and its end job, stored at once (docs/workflows.md). Refused in
     * one line, with nothing stored, for a cycle, an unknown parent, a duplicate step name, more than
     * {@link dev.kyu.workflow.Workflow#MAX_STEPS} steps, a task named by a string that is not registered here, or
     * a broker without {@link dev.kyu.spi.Capability#JOB_LINKS}. In the test mode ({@link #inline()}) the
     * workflow runs to its end before this returns.
     */
    public WorkflowHandle enqueue(Workflow workflow) {
        return client.enqueue(workflow, null);
    }

    /** Enqueues a workflow inside the caller's own JDBC transaction (engines with transactional enqueue). */
    public WorkflowHandle enqueue(Connection transaction, Workflow workflow) {
        return client.enqueue(workflow, java.util.Objects.requireNonNull(transaction, "transaction"));
    }

    /** A handle for a workflow enqueued elsewhere (its id is its end job's id). */
    public WorkflowHandle workflow(String id) {
        return client.workflow(id);
    }

    /** A handle for a job enqueued elsewhere. */
    public JobHandle<JsonNode> handle(String id) {
        return client.handle(id);
    }

    // ---- working -------------------------------------------------------------------------------------

    /** A worker on this broker with this process's tasks; call {@code start()} on it. */
    public Worker worker(WorkerOptions options) {
        return new Worker(broker, executor(), options, maintenance, listeners, flowGate());
    }

    /** The executor every worker of this Kyu uses: this process's tasks, codec and middleware. */
    public JobExecutor executor() {
        var chain = new ArrayList<JobMiddleware>();
        chain.add(new MdcMiddleware());
        chain.addAll(middleware);
        return new JobExecutor(tasks, codec, chain, clock).linkedTo(broker);
    }

    // ---- operating -----------------------------------------------------------------------------------

    /**
     * The flow gate this Kyu's workers share: its cached limit definitions and what it held back, for metrics
     * ({@link dev.kyu.metrics.KyuMetrics#bind}).
     */
    public synchronized dev.kyu.flow.FlowGate flowGate() {
        if (flowGate == null) flowGate = new dev.kyu.flow.FlowGate(broker, clock, keyFunctions);
        return flowGate;
    }

    /** The fleet's flow limits (rate and concurrency), kept in the broker: see docs/flow-control.md. */
    public dev.kyu.flow.Limits limits() {
        return new dev.kyu.flow.KvLimits(broker(), clock());
    }

    public Admin admin() {
        return new Admin(broker);
    }

    /** Priority aging rules of the queues, shared by every process on this broker (docs/flow-control.md). */
    public dev.kyu.flow.Aging aging() {
        return new dev.kyu.flow.Aging(broker);
    }

    /** The broker itself, for engine-level work (tests, tools). */
    public Broker broker() {
        return broker;
    }

    public JsonCodec codec() {
        return codec;
    }

    public Clock clock() {
        return clock;
    }

    public MaintenanceOptions maintenanceOptions() {
        return maintenance;
    }

    /** Closes the broker if this Kyu opened it. Stop workers first. */
    @Override
    public void close() {
        if (ownsBroker) broker.close();
    }

    public static final class Builder {
        private String url = defaultBrokerUrl();
        private Broker broker;
        private Clock clock = Clock.systemUTC();
        private final java.util.Map<String, dev.kyu.flow.KeyFunction> keyFunctions = new java.util.HashMap<>();
        private Map<String, String> brokerOptions = Map.of();
        private TaskRegistry tasks = TaskRegistry.withBuiltins();
        private JsonCodec codec = JsonCodec.shared();
        private JobOptions defaults = JobOptions.DEFAULTS;
        private int maxPayloadBytes = 1024 * 1024;
        private boolean inline;
        private final List<JobMiddleware> middleware = new ArrayList<>();
        private final List<JobListener> listeners = new ArrayList<>();
        private MaintenanceOptions maintenance = MaintenanceOptions.DEFAULTS;

        private Builder() {}

        /** The broker URL; default: {@code KYU_BROKER} from the environment, else {@code sqlite:kyu.db}. */
        public Builder broker(String url) {
            this.url = url;
            this.broker = null;
            return this;
        }
        /** An already open broker; the caller keeps closing it. */
        public Builder broker(Broker broker) {
            this.broker = broker;
            return this;
        }

        public Builder brokerOptions(Map<String, String> o) {
            this.brokerOptions = Map.copyOf(o);
            return this;
        }

        public Builder clock(Clock c) {
            this.clock = c;
            return this;
        }

        /**
         * Registers a key function for flow limits keyed {@code fn:NAME}: every worker that runs jobs of such a limit
         * needs it (a job whose function is missing fails with {@code kyu.FlowKeyError}).
         */
        public Builder keyFunction(String name, dev.kyu.flow.KeyFunction f) {
            dev.kyu.flow.KeySource.function(name); // the same rule on the name as a limit's key
            java.util.Objects.requireNonNull(f, "key function");
            if (keyFunctions.putIfAbsent(name, f) != null)
                throw new KyuException.InvalidInput("key function '" + name + "' is registered twice");
            return this;
        }

        public Builder tasks(TaskRegistry r) {
            this.tasks = r;
            return this;
        }

        public Builder register(KyuTask<?, ?> t) {
            this.tasks.register(t);
            return this;
        }

        public Builder codec(JsonCodec c) {
            this.codec = c;
            return this;
        }
        /** Options every job gets unless its task or its enqueue says otherwise. */
        public Builder defaults(JobOptions d) {
            this.defaults = d.over(JobOptions.DEFAULTS);
            return this;
        }
        /** The largest args payload accepted at enqueue, in bytes (default 1 MiB). */
        public Builder maxPayloadBytes(int n) {
            if (n < 1) throw new IllegalArgumentException("maxPayloadBytes must be positive, was " + n);
            this.maxPayloadBytes = n;
            return this;
        }

        public Builder middleware(JobMiddleware m) {
            this.middleware.add(m);
            return this;
        }

        public Builder listener(JobListener l) {
            this.listeners.add(l);
            return this;
        }

        public Builder maintenance(MaintenanceOptions m) {
            this.maintenance = m;
            return this;
        }
        /** The test mode; see {@link Kyu#inline()}. */
        public Builder inline() {
            this.inline = true;
            return this;
        }

        public Kyu build() {
            return new Kyu(this);
        }
    }

    /** {@code KYU_BROKER} from the environment, else {@code sqlite:kyu.db} (docs/concepts.md). */
    public static String defaultBrokerUrl() {
        String env = System.getenv("KYU_BROKER");
        return env == null || env.isBlank() ? "sqlite:kyu.db" : env.trim();
    }
}
