package dev.kyu.workflow;

import dev.kyu.KyuException;
import dev.kyu.codec.JsonCodec;
import dev.kyu.job.JobLinks;
import dev.kyu.job.JobOptions;
import dev.kyu.spi.Capability;
import dev.kyu.spi.NewJob;
import dev.kyu.task.KyuTask;
import dev.kyu.task.TaskRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a workflow into the one batch of jobs that stores it: a job per step, in topological order, then the
 * end job of the built-in task {@code kyu.workflow}, whose id is the workflow's id. Each step waits for its
 * parents and lists its children and the end job as dependents; the end job waits for every step. So every
 * link is stored once, on the job that releases it, and a fan-in of 10,000 steps costs 10,000 small lists,
 * not one list of 10,000 copied 10,000 times.
 */
public final class WorkflowPlanner {
    /**
     * Makes one job the way a plain enqueue does (options layered over the task's and the global defaults,
     * the payload checked), with a fresh id.
     */
    @FunctionalInterface
    public interface JobMaker {
        NewJob newJob(String taskName, String argsJson, JobOptions options);
    }

    /** The batch to store; the end job, whose id is the workflow's, comes last. */
    public record Plan(String workflowId, List<NewJob> jobs) {
        public NewJob endJob() {
            return jobs.get(jobs.size() - 1);
        }
    }

    /** How many times the end job may try: its failures are the broker's hiccups, and a workflow must not hang on one. */
    static final int END_ATTEMPTS = 10;

    private final TaskRegistry tasks;
    private final JsonCodec codec;
    private final JobMaker maker;

    public WorkflowPlanner(TaskRegistry tasks, JsonCodec codec, JobMaker maker) {
        this.tasks = tasks;
        this.codec = codec;
        this.maker = maker;
    }

    /** Checks the workflow (see {@link Workflow}) and plans its batch; throws InvalidInput before anything is stored. */
    public Plan plan(Workflow wf, Set<Capability> capabilities, String brokerName) {
        WorkflowCheck.Ordered ordered = WorkflowCheck.check(wf, tasks, capabilities, brokerName);
        List<Step> steps = ordered.steps();
        int n = steps.size();
        NewJob endProbe = maker.newJob(WorkflowMeta.END_TASK, "null", JobOptions.NONE);
        String endId = endProbe.id();

        // First pass: each step's job (its id is needed by its children's meta, and comes from the maker).
        var jobs = new ArrayList<NewJob>(n + 1);
        var defs = new ArrayList<WorkflowDefinition.StepDefinition>(n);
        for (int i = 0; i < n; i++) {
            Step s = steps.get(i);
            Call<?, ?> c = s.call();
            var meta = new HashMap<String, String>(8);
            meta.put(WorkflowMeta.WORKFLOW, endId);
            meta.put(WorkflowMeta.STEP, s.name());
            meta.put(WorkflowMeta.ON_FAILURE, c.options().onFailure().name());
            meta.put(WorkflowMeta.PARENTS, parentsJson(steps, ordered.parents().get(i), jobs));
            if (c.fromParents()) meta.put(WorkflowMeta.ARGS_FROM, WorkflowMeta.FROM_PARENTS);
            JobOptions given = c.options().job();
            JobOptions o = given.toBuilder().meta(merged(given.meta(), meta)).build();
            NewJob job;
            try {
                job = maker.newJob(c.taskName(), argsJson(s), o);
            } catch (KyuException.PayloadTooLarge e) {
                throw new KyuException.PayloadTooLarge("step '" + s.name() + "': " + e.getMessage());
            } catch (KyuException.InvalidInput e) {
                throw new KyuException.InvalidInput("step '" + s.name() + "': " + e.getMessage(), e);
            }
            jobs.add(job);
            defs.add(new WorkflowDefinition.StepDefinition(
                    s.name(),
                    job.id(),
                    job.task(),
                    job.queue(),
                    s.after().stream().distinct().toList(),
                    c.options().onFailure(),
                    c.options().compensate(),
                    compensation(c.options(), job.queue())));
        }
        // Second pass: the links, now that every id is known.
        for (int i = 0; i < n; i++) {
            List<Integer> kids = ordered.children().get(i);
            var dependents = new ArrayList<String>(kids.size() + 1);
            for (int k : kids) dependents.add(jobs.get(k).id());
            dependents.add(endId);
            jobs.set(i, jobs.get(i).withLinks(new JobLinks(ordered.parents().get(i).length, dependents, endId)));
        }
        String definition = codec.encode(new WorkflowDefinition(wf.name(), defs));
        String endQueue =
                wf.queue() != null ? wf.queue() : n > 0 ? jobs.get(n - 1).queue() : endProbe.queue();
        // Built here and not by the maker: the definition is Kyu's own bookkeeping, not the caller's payload,
        // so the payload limit (meant for args) does not cap how many steps a workflow may have.
        jobs.add(NewJob.builder(endId, WorkflowMeta.END_TASK)
                .queue(endQueue)
                .args(definition)
                .priority(endProbe.priority())
                .maxAttempts(END_ATTEMPTS)
                .meta(Map.of(WorkflowMeta.WORKFLOW, endId))
                .resultTtl(endProbe.resultTtl())
                .links(JobLinks.of(n, List.of(), null))
                .build());
        return new Plan(endId, jobs);
    }

    private String argsJson(Step s) {
        Call<?, ?> c = s.call();
        if (c.fromParents()) return "null"; // replaced by the parents' results when the step runs
        if (c.argsJson() != null) {
            try {
                codec.validate(c.argsJson());
            } catch (KyuException.InvalidInput e) {
                throw new KyuException.InvalidInput(
                        "args of step '" + s.name() + "' (task '" + c.taskName() + "') are " + e.getMessage(), e);
            }
            return c.argsJson();
        }
        return codec.encode(c.args());
    }

    /** {parentStepName: parentJobId}, written by hand: one small object per step, in the order the parents were named. */
    private String parentsJson(List<Step> steps, int[] parents, List<NewJob> jobs) {
        if (parents.length == 0) return "{}";
        var m = new java.util.LinkedHashMap<String, String>(parents.length * 2);
        for (int p : parents) m.put(steps.get(p).name(), jobs.get(p).id());
        return codec.encode(m);
    }

    private static Map<String, String> merged(Map<String, String> given, Map<String, String> ours) {
        var m = new HashMap<String, String>(given);
        m.putAll(ours); // the workflow's keys win: a caller's meta must not rewire a step
        return m;
    }

    /** The compensation's job options, resolved now: its task's defaults, else the compensated step's queue. */
    private WorkflowDefinition.CompensationJob compensation(StepOptions o, String stepQueue) {
        if (o.compensate() == null) return null;
        KyuTask<?, ?> t = o.compensateTask() != null
                ? o.compensateTask()
                : tasks.find(o.compensate()).orElse(null);
        boolean hasQueue = t != null && t.options().defaults().queue() != null;
        JobOptions base = hasQueue ? JobOptions.NONE : JobOptions.NONE.withQueue(stepQueue);
        if (t != null) base = base.over(t.options().defaults());
        NewJob probe = maker.newJob(o.compensate(), "null", base);
        return new WorkflowDefinition.CompensationJob(
                probe.queue(),
                probe.maxAttempts(),
                probe.backoff(),
                probe.timeout() == null ? null : probe.timeout().toMillis());
    }
}
