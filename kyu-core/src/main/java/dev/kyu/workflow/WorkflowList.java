package dev.kyu.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kyu.codec.JsonCodec;
import dev.kyu.job.Job;
import dev.kyu.spi.Broker;
import dev.kyu.spi.JobQuery;
import java.util.ArrayList;
import java.util.List;

/**
 * Workflows newest first, as {@code kyu inspect workflows} and the dashboard list them: the end jobs (task
 * {@code kyu.workflow}) read page by page, a workflow's state judged from its end job alone, and a full
 * {@link WorkflowView} built only for the workflows shown.
 */
public final class WorkflowList {
    /** End jobs read per broker call while looking for workflows of one state. */
    private static final int PAGE = 500;

    private WorkflowList() {}

    /**
     * At most {@code limit} workflows in {@code state} (any state when null), skipping the first {@code offset}
     * of them.
     */
    public static List<WorkflowView> page(Broker broker, JsonCodec codec, WorkflowState state, int limit, int offset) {
        return page(broker, codec, state, limit, offset, null);
    }

    /**
     * At most {@code limit} workflows in {@code state} (any state when null), older than the workflow whose id
     * is {@code after} (a cursor: the last id of the previous page; null for the newest), or skipping the first
     * {@code offset} of them. A workflow's id is its end job's, so the cursor pages the end jobs themselves and a
     * deep page costs what the first does; an offset counts workflows of the state, so it still reads the
     * end jobs it skips. One or the other, not both.
     */
    public static List<WorkflowView> page(
            Broker broker, JsonCodec codec, WorkflowState state, int limit, int offset, String after) {
        if (limit < 1) throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        if (offset < 0) throw new IllegalArgumentException("offset must not be negative, was " + offset);
        if (after != null && offset > 0)
            throw new IllegalArgumentException("a workflow listing pages by cursor (after) or by offset, not both");
        var shown = new ArrayList<WorkflowView>(Math.min(limit, PAGE));
        int skipped = 0;
        JobQuery q = JobQuery.all(PAGE).withTask(WorkflowMeta.END_TASK);
        if (after != null) q = q.withAfter(after);
        while (q != null) {
            List<Job> ends = broker.jobsList(q);
            for (Job end : ends) {
                if (state != null && stateOf(codec, end) != state) continue;
                if (skipped++ < offset) continue;
                shown.add(WorkflowView.of(broker, codec, end));
                if (shown.size() == limit) return shown;
            }
            q = q.next(ends);
        }
        return shown;
    }

    /** A workflow's state from its end job: RUNNING until it ended, then the state its result records. */
    public static WorkflowState stateOf(JsonCodec codec, Job end) {
        return switch (end.state()) {
            case FAILED -> WorkflowState.FAILED;
            case CANCELLED -> WorkflowState.CANCELLED;
            case SUCCEEDED -> recorded(codec, end);
            default -> WorkflowState.RUNNING;
        };
    }

    private static WorkflowState recorded(JsonCodec codec, Job end) {
        if (end.result() == null) return WorkflowState.FAILED;
        JsonNode s = codec.parse(end.result()).path("state");
        try {
            return WorkflowState.valueOf(s.asText());
        } catch (IllegalArgumentException e) {
            return WorkflowState.FAILED;
        }
    }
}
