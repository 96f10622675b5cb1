package dev.kyu.worker;

import dev.kyu.job.Job;
import dev.kyu.spi.Outcome;
import java.time.Duration;

/**
 * Hears of each job this process enqueues, and of each job a worker finishes after the broker recorded the
 * outcome (so a listener never reports an outcome that was fenced out). Metrics and failure alerts are listeners. Listeners run on the
 * completer's thread: they must be quick and must not throw; a throwing listener is logged and ignored.
 */
public interface JobListener {
    /** A job was stored by a producer of this process (not called for an enqueue that a unique key turned away). */
    default void onEnqueued(String task, String queue) {}

    default void onStarted(Job job) {}

    /**
     * @param job     the job as it was fetched (state RUNNING)
     * @param outcome how the attempt ended
     * @param runTime how long the attempt ran
     */
    void onRecorded(Job job, Outcome outcome, Duration runTime);

    /**
     * A job's task ignored its timeout past the grace: its attempt was failed as timed out and its slot
     * freed, but its thread could not be stopped and still runs (a runaway). Called on a timer thread.
     */
    default void onAbandoned(Job job) {}
}
