package dev.kyu.flow;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The fleet's flow limits, kept in the broker so that every worker on every machine shares them and a change
 * (from code, {@code kyu limits}, or the dashboard) takes effect without restarting a worker: workers read the
 * definitions again at most {@link #REFRESH} after a change.
 */
public interface Limits {
    Duration REFRESH = Duration.ofSeconds(2);

    /**
     * Stores or replaces a limit. Its slots and pauses are kept when it is replaced; a rate whose numbers change
     * starts afresh under the new ones, and jobs it held back under the old numbers take a start under the new
     * ones when they come back at the time they were given.
     */
    void define(Limit limit);

    /** Removes a limit; true when it existed. Jobs it held back run as their due times come. */
    boolean remove(String name);

    Optional<Limit> get(String name);

    /** Every limit, by name. */
    List<Limit> list();

    /**
     * Pauses a limit for {@code duration}: jobs it applies to (of that key only, when {@code key} is given) wait
     * until then. What {@link RateLimited} does on its own.
     */
    void pause(String name, String key, Duration duration);

    /** What a limit is doing now: for the CLI, the dashboard and metrics. */
    LimitStatus status(String name);

    /**
     * @param waiting jobs the limit is holding back now (sent back to wait by it and not yet started)
     * @param running CONCURRENCY: slots held now, over every key; RATE: 0
     * @param pausedUntil per key ("" for the whole limit), the pauses in force
     */
    record LimitStatus(Limit limit, long waiting, long running, java.util.Map<String, Instant> pausedUntil) {}
}
