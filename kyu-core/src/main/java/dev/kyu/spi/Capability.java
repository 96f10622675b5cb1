package dev.kyu.spi;

/** What an engine can do beyond the verbs every engine has; tests and callers branch on these, never on engine names. */
public enum Capability {
    /** Judges time by the {@link java.time.Clock} it was given, so tests can move time by hand. */
    INJECTABLE_CLOCK,
    /** {@link EnqueueRequest#connection()} may carry the caller's own JDBC transaction. */
    TRANSACTIONAL_ENQUEUE,
    /** Several processes may share the store (everything but {@code memory:}). */
    SHARED_ACROSS_PROCESSES
}
