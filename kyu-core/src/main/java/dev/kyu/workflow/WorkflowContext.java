package dev.kyu.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kyu.KyuException;
import dev.kyu.codec.JsonCodec;
import dev.kyu.job.Job;
import dev.kyu.job.JobState;
import dev.kyu.spi.Broker;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a running workflow step knows of its workflow ({@code ctx.workflow()}): the workflow's id, its own step
 * name, and its parents as they ended, read once before the task ran.
 *
 * <pre>{@code
 * Reservation r = ctx.workflow().result("reserve", Reservation.class);
 * }</pre>
 */
public final class WorkflowContext {
    private final String workflowId;
    private final String step;
    private final Map<String, Job> parents;
    private final JsonCodec codec;
    private final Broker broker;

    WorkflowContext(String workflowId, String step, Map<String, Job> parents, JsonCodec codec, Broker broker) {
        this.workflowId = workflowId;
        this.step = step;
        this.parents = Collections.unmodifiableMap(new LinkedHashMap<>(parents));
        this.codec = codec;
        this.broker = broker;
    }

    /** The workflow's id (its end job's id). */
    public String id() {
        return workflowId;
    }

    /** This step's name, or null for the workflow's end job. */
    public String step() {
        return step;
    }

    /** The parent steps' jobs by step name, as they were when this attempt began. */
    public Map<String, Job> parents() {
        return parents;
    }

    /**
     * The result of parent step {@code name} read as {@code type}; null when it ended with a null result or
     * failed under a policy that let this step run (CONTINUE, IGNORE).
     */
    public <T> T result(String name, Class<T> type) {
        return result(name, (Type) type);
    }

    public <T> T result(String name, Type type) {
        Job p = parents.get(name);
        if (p == null) {
            throw new KyuException.InvalidInput("step '" + step + "' has no parent step '" + name + "' (its parents: "
                    + String.join(", ", parents.keySet()) + ")");
        }
        return p.state() != JobState.SUCCEEDED || p.result() == null ? null : codec.decode(p.result(), type);
    }

    /** Every parent's result as JSON by step name (JSON null for a parent that did not succeed). */
    public Map<String, JsonNode> results() {
        var m = new LinkedHashMap<String, JsonNode>();
        for (var e : parents.entrySet()) {
            Job p = e.getValue();
            m.put(
                    e.getKey(),
                    p.state() == JobState.SUCCEEDED && p.result() != null
                            ? codec.parse(p.result())
                            : com.fasterxml.jackson.databind.node.NullNode.getInstance());
        }
        return Collections.unmodifiableMap(m);
    }

    /** The parents that did not succeed (FAILED or CANCELLED) and yet let this step run: CONTINUE or IGNORE. */
    public List<String> failed() {
        var out = new ArrayList<String>();
        for (var e : parents.entrySet()) if (e.getValue().state() != JobState.SUCCEEDED) out.add(e.getKey());
        return out;
    }

    /** The broker, for the built-in end task of a workflow. */
    Broker broker() {
        return broker;
    }

    JsonCodec codec() {
        return codec;
    }
}
