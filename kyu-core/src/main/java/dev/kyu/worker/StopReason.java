package dev.kyu.worker;

/** Why a running job was stopped from outside its own code; it decides what its attempt's outcome is. */
public enum StopReason {
    /** Not stopped: the job's own result or exception decides. */
    NONE,
    /** Cancelled by an operator: the job ends CANCELLED. */
    CANCELLED,
    /** Ran past its timeout: a retryable failure. */
    TIMED_OUT,
    /** Its lease was lost to another attempt: nothing is reported. */
    LEASE_LOST,
    /** Handed back at shutdown: QUEUED again without spending an attempt. */
    RELEASED
}
