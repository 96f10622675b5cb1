package dev.kyu.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kyu.codec.JsonCodec;
import dev.kyu.job.Job;
import dev.kyu.spi.Outcome;
import dev.kyu.worker.JobListener;
import dev.kyu.workflow.WorkflowMeta;
import dev.kyu.workflow.WorkflowState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Follows one demo run's workflows as the worker records their jobs' outcomes: which orders ended and how,
 * their compensations, retries and jobs run. An order has ended once its workflow's end job ran and the
 * compensations it started have ended too. Jobs of other workflows sharing the broker are ignored.
 */
public final class DemoTally implements JobListener {
    /** How one order ended ({@code state} null while its workflow runs), and its compensations started and ended. */
    public record OrderOutcome(
            String orderId,
            String workflowId,
            WorkflowState state,
            List<String> failed,
            int compensations,
            int compensated) {}

    private static final class Progress {
        final String orderId;
        WorkflowState state;
        List<String> failed = List.of();
        int expectedCompensations = -1;
        int compensated;

        Progress(String orderId) {
            this.orderId = orderId;
        }

        boolean ended() {
            return state != null && compensated >= expectedCompensations;
        }
    }

    private final Map<String, Progress> byWorkflow = new LinkedHashMap<>();
    private int ended;
    private int retries;
    private int jobsRun;
    private String retriedJobId;

    /** Follows this workflow; call before a worker can run it. */
    public synchronized void watch(String workflowId, String orderId) {
        byWorkflow.put(workflowId, new Progress(orderId));
    }

    @Override
    public synchronized void onRecorded(Job job, Outcome outcome, Duration runTime) {
        if (outcome instanceof Outcome.Released) return;
        boolean end = WorkflowMeta.END_TASK.equals(job.task());
        Progress p = byWorkflow.get(end ? job.id() : job.meta().get(WorkflowMeta.WORKFLOW));
        if (p == null) return;
        jobsRun++;
        boolean wasEnded = p.ended();
        if (outcome instanceof Outcome.Retry) {
            retries++;
            if (retriedJobId == null) retriedJobId = job.id();
        } else if (end) {
            endJob(p, outcome);
        } else if (String.valueOf(job.meta().get(WorkflowMeta.STEP)).startsWith(WorkflowMeta.COMPENSATE_PREFIX)) {
            p.compensated++;
        }
        if (!wasEnded && p.ended()) ended++;
        notifyAll();
    }

    /** The end job's result says the workflow's state and which compensations it started. */
    private static void endJob(Progress p, Outcome outcome) {
        if (!(outcome instanceof Outcome.Succeeded s) || s.result() == null) {
            p.state = WorkflowState.FAILED;
            p.expectedCompensations = 0;
            return;
        }
        JsonNode r = JsonCodec.shared().parse(s.result());
        p.state = WorkflowState.valueOf(r.path("state").asText("FAILED"));
        var failed = new ArrayList<String>();
        r.path("failed").forEach(f -> failed.add(f.asText()));
        p.failed = failed;
        p.expectedCompensations = r.path("compensations").size();
    }

    /** Waits until {@code orders} orders ended or the deadline passed; returns how many ended. */
    public synchronized int awaitFinished(int orders, long deadlineNanos, java.util.function.IntConsumer progress)
            throws InterruptedException {
        while (ended < orders) {
            progress.accept(ended);
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) break;
            wait(Math.max(1, Math.min(200, left / 1_000_000)));
        }
        progress.accept(ended);
        return ended;
    }

    /** Every followed order in the order it was placed, with its outcome so far. */
    public synchronized List<OrderOutcome> outcomes() {
        var out = new ArrayList<OrderOutcome>(byWorkflow.size());
        byWorkflow.forEach((id, p) -> out.add(new OrderOutcome(
                p.orderId, id, p.state, p.failed, Math.max(0, p.expectedCompensations), p.compensated)));
        return out;
    }

    public synchronized int done() {
        return count(WorkflowState.SUCCEEDED);
    }

    public synchronized int failed() {
        return count(WorkflowState.FAILED) + count(WorkflowState.CANCELLED);
    }

    public synchronized int compensated() {
        return byWorkflow.values().stream().mapToInt(p -> p.compensated).sum();
    }

    public synchronized int retries() {
        return retries;
    }

    public synchronized int jobsRun() {
        return jobsRun;
    }
    /** A job of this run that was retried, to point the user at; null when none was. */
    public synchronized String retriedJobId() {
        return retriedJobId;
    }

    /** A workflow of this run that failed, to point the user at; null when none did. */
    public synchronized String failedWorkflowId() {
        for (var e : byWorkflow.entrySet()) if (e.getValue().state == WorkflowState.FAILED) return e.getKey();
        return null;
    }

    private int count(WorkflowState s) {
        return (int) byWorkflow.values().stream().filter(p -> p.state == s).count();
    }
}
