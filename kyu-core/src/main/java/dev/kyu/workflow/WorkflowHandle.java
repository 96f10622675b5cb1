package dev.kyu.workflow;

import dev.kyu.KyuException;
import dev.kyu.codec.JsonCodec;
import dev.kyu.job.Job;
import dev.kyu.job.JobState;
import dev.kyu.spi.Broker;
import dev.kyu.spi.CancelResult;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A stored workflow, seen from the code that enqueued it. Its id is its end job's id. Each call asks the
 * broker afresh; handles are cheap values.
 */
public final class WorkflowHandle {
    private final String id;
    private final Broker broker;
    private final JsonCodec codec;

    public WorkflowHandle(String id, Broker broker, JsonCodec codec) {
        this.id = id;
        this.broker = broker;
        this.codec = codec;
    }

    public String id() {
        return id;
    }

    /** The workflow as it stands: its state and every step's job. */
    public WorkflowView status() {
        return WorkflowView.load(broker, codec, id).orElseThrow(() -> new KyuException.JobNotFound(id));
    }

    /** Its state alone: one read of the end job. */
    public WorkflowState state() {
        Job end = broker.jobGet(id)
                .filter(j -> WorkflowMeta.END_TASK.equals(j.task()))
                .orElseThrow(() -> new KyuException.JobNotFound(id));
        if (end.state() != JobState.SUCCEEDED) {
            return end.state() == JobState.FAILED
                    ? WorkflowState.FAILED
                    : end.state() == JobState.CANCELLED ? WorkflowState.CANCELLED : WorkflowState.RUNNING;
        }
        WorkflowOutcome o = WorkflowJson.outcome(codec, end);
        return o == null ? WorkflowState.FAILED : o.state();
    }

    /**
     * Waits until the workflow has ended (its end job has run) or the timeout passes, and returns it as it
     * then is; its state is RUNNING when the timeout passed first. Compensations may still be running.
     */
    public WorkflowView await(Duration timeout) throws InterruptedException {
        broker.jobAwait(id, timeout).orElseThrow(() -> new KyuException.JobNotFound(id));
        return status();
    }

    /** Waits as {@link #await} and throws unless the workflow SUCCEEDED. */
    public WorkflowView awaitSuccess(Duration timeout) throws InterruptedException {
        WorkflowView v = await(timeout);
        if (v.state() != WorkflowState.SUCCEEDED) {
            throw new KyuException(
                    "workflow " + id + " (" + dev.kyu.codec.Printable.line(v.name()) + ") is " + v.state()
                            + (v.failed().isEmpty() ? "" : ", failed steps: " + String.join(", ", v.failed()))
                            + (v.state() == WorkflowState.RUNNING ? " after " + timeout : ""));
        }
        return v;
    }

    /** The result of a step that SUCCEEDED, read as {@code type}. */
    public <T> T result(String step, Class<T> type) {
        return result(step, (Type) type);
    }

    public <T> T result(String step, Type type) {
        var s = status().step(step)
                .orElseThrow(() -> new KyuException.InvalidInput("workflow " + id + " has no step '" + step + "'"));
        if (s.job() == null) throw new KyuException.JobNotFound(s.id());
        if (s.job().state() != JobState.SUCCEEDED) {
            throw new KyuException(
                    "step '" + step + "' of workflow " + id + " is " + s.job().state() + ", it has no result");
        }
        return s.job().result() == null ? null : codec.decode(s.job().result(), type);
    }

    /**
     * Cancels every step that has not ended: waiting steps at once, running ones at their worker's next
     * heartbeat. The end job then runs, records CANCELLED and enqueues the compensations of the steps that
     * had succeeded. Returns how many steps were cancelled.
     */
    public int cancel() {
        WorkflowView v = status();
        var ids = new ArrayList<String>();
        for (var s : v.steps()) if (s.job() != null && !s.job().state().isTerminal()) ids.add(s.id());
        if (ids.isEmpty()) return 0;
        List<CancelResult> results = broker.jobsCancel(ids);
        return (int) results.stream()
                .filter(r -> r == CancelResult.CANCELLED || r == CancelResult.CANCEL_REQUESTED)
                .count();
    }

    @Override
    public String toString() {
        return "WorkflowHandle[" + id + "]";
    }
}
