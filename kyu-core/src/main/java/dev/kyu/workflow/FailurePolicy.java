package dev.kyu.workflow;

/** What a step's failure (FAILED, or CANCELLED by hand) does to the rest of its workflow. */
public enum FailurePolicy {
    /** The default: the steps after it are skipped and the workflow ends FAILED (and compensates). */
    FAIL,
    /** The steps after it still run, seeing the failure ({@code ctx.workflow().failed()}); the workflow still ends FAILED. */
    CONTINUE,
    /** As if it had succeeded with a null result: the steps after it run and the workflow may succeed. */
    IGNORE
}
