package dev.kyu.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kyu.KyuException;
import dev.kyu.codec.JsonCodec;
import dev.kyu.job.JobOptions;
import dev.kyu.spi.Broker;
import dev.kyu.spi.Capability;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.EnqueueResult;
import dev.kyu.spi.NewJob;
import dev.kyu.task.KyuTask;
import dev.kyu.task.TaskRegistry;
import dev.kyu.worker.JobExecutor;
import dev.kyu.worker.JobListener;
import dev.kyu.workflow.Workflow;
import dev.kyu.workflow.WorkflowHandle;
import dev.kyu.workflow.WorkflowPlanner;
import java.lang.reflect.Type;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The producing side: encodes args, builds jobs, stores them in one broker call per batch, and hands back
 * handles. In the test mode it also runs each job at once.
 */
public final class KyuClient {
    private final Broker broker;
    private final JsonCodec codec;
    private final Enqueuer enqueuer;
    private final InlineRunner inline;
    private final List<JobListener> listeners;
    private final WorkflowPlanner planner;
    private final KeyedFlows flows;

    public KyuClient(
            Broker broker,
            TaskRegistry tasks,
            JsonCodec codec,
            JobOptions defaults,
            int maxPayloadBytes,
            JobExecutor inlineExecutor,
            List<JobListener> listeners) {
        this.broker = broker;
        this.listeners = listeners;
        this.codec = codec;
        this.enqueuer = new Enqueuer(tasks, defaults, maxPayloadBytes, inlineExecutor != null);
        this.inline = inlineExecutor == null ? null : new InlineRunner(broker, inlineExecutor);
        this.planner = new WorkflowPlanner(tasks, codec, enqueuer::newJob);
        this.flows = new KeyedFlows(broker);
    }

    /**
     * Stores a workflow in one batch (inside {@code tx} when given) and returns its handle; in the test mode it
     * also runs the workflow to its end, compensations included (docs/workflows.md).
     */
    public WorkflowHandle enqueue(Workflow workflow, Connection tx) {
        if (tx != null && !broker.capabilities().contains(Capability.TRANSACTIONAL_ENQUEUE)) {
            throw new KyuException.InvalidInput(
                    "broker " + broker.describe() + " cannot enqueue inside a JDBC transaction");
        }
        var plan = planner.plan(workflow, broker.capabilities(), broker.describe());
        storeOnly(plan.jobs(), tx);
        if (inline != null) inline.runUntilIdle();
        return new WorkflowHandle(plan.workflowId(), broker, codec);
    }

    /** A handle for a workflow enqueued elsewhere. */
    public WorkflowHandle workflow(String id) {
        return new WorkflowHandle(id, broker, codec);
    }

    public <A, R> JobHandle<R> enqueue(KyuTask<A, R> task, A args, JobOptions options) {
        return enqueueAll(task, List.of(args), options).get(0);
    }

    public <A, R> List<JobHandle<R>> enqueueAll(KyuTask<A, R> task, Collection<A> args, JobOptions options) {
        var jobs = new ArrayList<NewJob>(args.size());
        var prepared = enqueuer.prepare(task.name(), options);
        for (A a : args) jobs.add(prepared.newJob(codec.encode(a)));
        return store(jobs, prepared, resultType(task));
    }

    public <A, R> JobHandle<R> enqueueInTransaction(Connection tx, KyuTask<A, R> task, A args, JobOptions options) {
        if (!broker.capabilities().contains(Capability.TRANSACTIONAL_ENQUEUE)) {
            throw new KyuException.InvalidInput(
                    "broker " + broker.describe() + " cannot enqueue inside a JDBC transaction");
        }
        var job = enqueuer.newJob(task.name(), codec.encode(args), options);
        return this.<R>store(List.of(job), tx, resultType(task)).get(0);
    }

    public JobHandle<JsonNode> enqueueJson(String taskName, String argsJson, JobOptions options) {
        return enqueueJsonAll(taskName, List.of(argsJson), options).get(0);
    }

    public List<JobHandle<JsonNode>> enqueueJsonAll(String taskName, List<String> argsJson, JobOptions options) {
        var jobs = new ArrayList<NewJob>(argsJson.size());
        var prepared = enqueuer.prepare(taskName, options);
        String checked = null;
        for (String json : argsJson) {
            // A batch often repeats one args text (the same String): one check covers them all.
            if (json != checked || json == null) {
                try {
                    codec.validate(json);
                } catch (KyuException.InvalidInput e) {
                    throw new KyuException.InvalidInput("args for task '" + taskName + "' are " + e.getMessage(), e);
                }
                checked = json;
            }
            jobs.add(prepared.newJob(json));
        }
        return store(jobs, prepared, JsonNode.class);
    }

    public JobHandle<JsonNode> handle(String id) {
        return new JobHandle<>(id, false, broker, codec, JsonNode.class);
    }

    /** Stores a batch made by {@code prepared}: through its debounce or throttle when it has one (not in the test mode, which runs every job now). */
    private <R> List<JobHandle<R>> store(List<NewJob> jobs, Enqueuer.Prepared prepared, Type resultType) {
        if (prepared.flow() == null || inline != null || jobs.isEmpty())
            return store(jobs, (Connection) null, resultType);
        if (jobs.size() > 1) {
            throw new KyuException.InvalidInput(
                    Enqueuer.flowName(prepared.flow()) + " takes one job per enqueue, not a batch of " + jobs.size());
        }
        EnqueueResult r = flows.store(jobs.get(0), prepared.flow());
        tell(jobs, List.of(r));
        return List.of(new JobHandle<>(r.id(), r.created(), broker, codec, resultType));
    }

    private <R> List<JobHandle<R>> store(List<NewJob> jobs, Connection tx, Type resultType) {
        List<EnqueueResult> results = storeOnly(jobs, tx);
        var handles = new ArrayList<JobHandle<R>>(results.size());
        for (EnqueueResult r : results) handles.add(new JobHandle<>(r.id(), r.created(), broker, codec, resultType));
        if (inline != null) {
            for (int i = 0; i < jobs.size(); i++)
                inline.runToEnd(results.get(i).id(), jobs.get(i).queue());
        }
        return handles;
    }

    /** Stores the batch and tells the listeners of each job it created. */
    private List<EnqueueResult> storeOnly(List<NewJob> jobs, Connection tx) {
        List<EnqueueResult> results = broker.jobsEnqueue(new EnqueueRequest(jobs, tx));
        tell(jobs, results);
        return results;
    }

    private void tell(List<NewJob> jobs, List<EnqueueResult> results) {
        if (!listeners.isEmpty()) {
            for (int i = 0; i < jobs.size(); i++) {
                if (!results.get(i).created()) continue;
                NewJob job = jobs.get(i);
                for (JobListener l : listeners) {
                    try {
                        l.onEnqueued(job.task(), job.queue());
                    } catch (RuntimeException e) {
                        // a listener's fault never fails an enqueue that the broker already stored
                    }
                }
            }
        }
    }

    private static Type resultType(KyuTask<?, ?> task) {
        return task.resultType();
    }
}
