package dev.kyu.workflow;

import dev.kyu.KyuException;
import dev.kyu.codec.JsonCodec;
import dev.kyu.job.Job;

/** Reads the stored formats of a workflow's end job, with one-line errors that name the job. */
final class WorkflowJson {
    private WorkflowJson() {}

    static WorkflowDefinition definition(JsonCodec codec, Job end) {
        try {
            WorkflowDefinition d = codec.decode(end.args(), WorkflowDefinition.class);
            if (d == null) throw new KyuException.InvalidInput("args are null");
            return d;
        } catch (RuntimeException e) {
            throw new KyuException.InvalidInput(
                    "job " + end.id() + " holds no readable workflow definition: " + oneLine(e), e);
        }
    }

    static WorkflowOutcome outcome(JsonCodec codec, Job end) {
        if (end.result() == null) return null;
        try {
            return codec.decode(end.result(), WorkflowOutcome.class);
        } catch (RuntimeException e) {
            throw new KyuException.InvalidInput(
                    "job " + end.id() + " holds no readable workflow outcome: " + oneLine(e), e);
        }
    }

    static String oneLine(Throwable e) {
        return String.valueOf(e.getMessage()).replace('\n', ' ').replace('\r', ' ');
    }
}
