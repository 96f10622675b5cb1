package dev.kyu.spring;

import dev.kyu.Kyu;
import dev.kyu.spi.NewJob;
import dev.kyu.workflow.Workflow;
import dev.kyu.workflow.WorkflowPlanner;
import java.util.UUID;

/**
 * Plans a workflow without storing it, so that one sent after a commit is refused inside the transaction
 * (where the caller can still roll back) rather than in a log line after it.
 */
final class WorkflowDryRun {
    private WorkflowDryRun() {}

    /** Throws the enqueue's own one-line InvalidInput for a workflow the broker would refuse. */
    static void check(Kyu kyu, Workflow workflow) {
        var planner = new WorkflowPlanner(
                kyu.tasks(),
                kyu.codec(),
                (task, args, o) -> NewJob.builder(UUID.randomUUID().toString(), task)
                        .queue(o.queue() != null ? o.queue() : "default")
                        .args(args)
                        .meta(o.meta())
                        .build());
        planner.plan(workflow, kyu.broker().capabilities(), kyu.broker().describe());
    }
}
