package dev.kyu.spi;

/** What a cancel did to one job. */
public enum CancelResult {
    /** It was waiting (SCHEDULED or QUEUED) and is now CANCELLED. */
    CANCELLED,
    /** It is RUNNING: flagged, and its worker stops it at its next heartbeat. */
    CANCEL_REQUESTED,
    /** It had already finished; nothing changed. */
    ALREADY_FINISHED,
    /** No such job. */
    NOT_FOUND
}
