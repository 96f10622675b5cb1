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
        var shown = new ArrayList<WorkflowView>(limit);
        int skipped = 0;
        for (int at = 0; ; at += PAGE) {
            List<Job> ends = broker.jobsList(JobQuery.all(PAGE).withTask(WorkflowMeta.END_TASK).withOffset(at));
            for (Job end : ends) {
                if (state != null && stateOf(codec, end) != state) continue;
                if (skipped++ < offset) continue;
                shown.add(WorkflowView.of(broker, codec, end));
                if (shown.size() == limit) return shown;
            }
            if (ends.size() < PAGE) return shown;
        }
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
