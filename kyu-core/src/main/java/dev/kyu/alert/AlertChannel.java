package dev.kyu.alert;

/**
 * Where alert messages go (Slack, e-mail, a webhook). {@link #send} may block and throw: the sender calls
 * it off the evaluating thread and logs a failure as a warning, so a channel's trouble never touches jobs.
 */
public interface AlertChannel extends AutoCloseable {
    String name();

    void send(AlertMessage message) throws Exception;

    /** Tries the channel's server once at start (an SMTP login); throws with a readable reason when it fails. */
    default void check() throws Exception {}

    @Override
    default void close() {}
}
