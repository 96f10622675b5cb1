package dev.kyu.workflow;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.kyu.codec.JsonCodec;
import dev.kyu.codec.Printable;
import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobState;
import dev.kyu.spi.Broker;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides, before a workflow step's task runs, whether it runs at all and with which args: it reads the step's
 * parents in one {@code jobsGet}, skips the step when a parent failed under policy FAIL (or was itself skipped),
 * and otherwise hands the task its parents' results when the step has no args of its own. Jobs that are not
 * part of a workflow pass untouched. The worker calls it for every job; it costs nothing for plain ones.
 */
public final class StepGate {
    private static final TypeReference<LinkedHashMap<String, String>> PARENTS = new TypeReference<>() {};

    /** What to do with the job. */
    public sealed interface Decision {}

    /**
     * Run the task.
     *
     * @param argsJson the args to bind in place of the stored ones (the parents' results), or null to keep them
     * @param context  what {@code ctx.workflow()} answers
     */
    public record Run(String argsJson, WorkflowContext context) implements Decision {}

    /** Do not run it: it ends CANCELLED with this reason (type {@link WorkflowMeta#SKIPPED}), no retry. */
    public record Skip(String reason) implements Decision {}

    private final Broker broker;
    private final JsonCodec codec;

    public StepGate(Broker broker, JsonCodec codec) {
        this.broker = broker;
        this.codec = codec;
    }

    /** Null for a job outside any workflow. Broker faults propagate: the worker hands the job back. */
    public Decision before(Job job) {
        String workflowId = job.meta().get(WorkflowMeta.WORKFLOW);
        if (workflowId == null) return null;
        String step = job.meta().get(WorkflowMeta.STEP);
        String parentsJson = job.meta().get(WorkflowMeta.PARENTS);
        if (step == null || parentsJson == null || parentsJson.equals("{}")) {
            // The end job, a compensation, or a step without parents: nothing to read first.
            boolean fromParents = WorkflowMeta.FROM_PARENTS.equals(job.meta().get(WorkflowMeta.ARGS_FROM));
            return new Run(fromParents ? "null" : null, new WorkflowContext(workflowId, step, Map.of(), codec, broker));
        }
        Map<String, String> parentIds;
        try {
            parentIds = codec.decode(parentsJson, PARENTS.getType());
        } catch (RuntimeException e) {
            parentIds = null;
        }
        // Garbage stored by hand must end the step here: a null or a malformed id would otherwise fail the read
        // below on some engines, and the job would be handed back until it died of it.
        if (parentIds == null || !parentIds.values().stream().allMatch(JobIds::isValid)) {
            return new Skip(
                    "skipped: its meta " + WorkflowMeta.PARENTS + " is not a JSON object of step names to job ids");
        }
        var byId = new HashMap<String, Job>(parentIds.size() * 2);
        for (Job p : broker.jobsGet(List.copyOf(parentIds.values()))) byId.put(p.id(), p);
        var parents = new LinkedHashMap<String, Job>(parentIds.size() * 2);
        for (var e : parentIds.entrySet()) {
            Job p = byId.get(e.getValue());
            // The name as shown: a stored key written by hand may hold a newline, and a reason is one line.
            String shown = Printable.line(e.getKey());
            String why = p == null ? "step " + shown + " is gone" : blocking(shown, p);
            if (why != null) return new Skip("skipped: " + why);
            parents.put(e.getKey(), p);
        }
        String args =
                WorkflowMeta.FROM_PARENTS.equals(job.meta().get(WorkflowMeta.ARGS_FROM)) ? argsFrom(parents) : null;
        return new Run(args, new WorkflowContext(workflowId, step, parents, codec, broker));
    }

    /** Why this parent stops its child from running, or null when it does not. */
    private static String blocking(String name, Job p) {
        if (p.state() == JobState.SUCCEEDED) return null;
        if (!p.state().isTerminal())
            return "step " + name + " is " + p.state() + ", not ended"; // retried by hand after it released us
        if (wasSkipped(p)) return "step " + name + " was skipped";
        FailurePolicy policy = policyOf(p);
        if (policy != FailurePolicy.FAIL) return null;
        return "step " + name + (p.state() == JobState.FAILED ? " failed" : " was cancelled");
    }

    static boolean wasSkipped(Job j) {
        JobError e = j.lastError();
        return j.state() == JobState.CANCELLED && e != null && WorkflowMeta.SKIPPED.equals(e.type());
    }

    static FailurePolicy policyOf(Job j) {
        try {
            return FailurePolicy.valueOf(j.meta().getOrDefault(WorkflowMeta.ON_FAILURE, "FAIL"));
        } catch (IllegalArgumentException e) {
            return FailurePolicy.FAIL;
        }
    }

    /** One parent: its result as the args. Several: {stepName: result}, written from the stored JSON texts as they are. */
    private static String argsFrom(Map<String, Job> parents) {
        if (parents.size() == 1) return resultOf(parents.values().iterator().next());
        var sb = new StringBuilder(64 * parents.size()).append('{');
        boolean first = true;
        for (var e : parents.entrySet()) {
            if (!first) sb.append(',');
            first = false;
            sb.append(JsonCodec.shared().encode(e.getKey())).append(':').append(resultOf(e.getValue()));
        }
        return sb.append('}').toString();
    }

    private static String resultOf(Job p) {
        return p.state() == JobState.SUCCEEDED && p.result() != null ? p.result() : "null";
    }
}
