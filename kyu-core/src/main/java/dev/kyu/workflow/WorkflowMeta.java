package dev.kyu.workflow;

/** The meta keys and names by which workflow jobs are known in the broker (docs/json.md). */
public final class WorkflowMeta {
    private WorkflowMeta() {}

    /** The built-in task of a workflow's end job, whose id is the workflow's id. */
    public static final String END_TASK = "kyu.workflow";
    /** On every step and compensation job: the workflow's id. */
    public static final String WORKFLOW = "kyu.workflow";
    /** On every step job: the step's name; on a compensation job: {@code compensate:<step>}. */
    public static final String STEP = "kyu.step";
    /** On every step job: a JSON object {parentStepName: parentJobId}. */
    public static final String PARENTS = "kyu.parents";
    /** On every step job: its {@link FailurePolicy}. */
    public static final String ON_FAILURE = "kyu.onFailure";
    /** On a step job without args of its own: {@value #FROM_PARENTS}, its args are its parents' results. */
    public static final String ARGS_FROM = "kyu.argsFrom";

    public static final String FROM_PARENTS = "parents";
    /** The prefix of a compensation job's {@link #STEP}. */
    public static final String COMPENSATE_PREFIX = "compensate:";
    /** The error type of a step skipped because a step before it failed (it ends CANCELLED). */
    public static final String SKIPPED = "kyu.Skipped";
}
