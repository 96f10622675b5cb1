package dev.kyu.broker.redis;

import dev.kyu.KyuException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells passing faults (a lost connection, a server still loading its data after a restart, a Cluster
 * fail-over) from real ones, and rides out the passing kind for a bounded time. Verbs that may safely
 * be repeated (fetch, heartbeat, complete, maintenance) retry through an outage; enqueue fails at once
 * with {@link KyuException.BrokerUnavailable} so the caller decides.
 */
final class Faults {
    private static final Logger LOG = LoggerFactory.getLogger(Faults.class);
    private static final String[] PASSING = {
        "LOADING",
        "TRYAGAIN",
        "CLUSTERDOWN",
        "READONLY",
        "MASTERDOWN",
        "BUSY",
        "Currently not connected",
        "Connection closed",
        "Connection reset",
        "Connection refused",
        "Unable to connect",
        "closed",
        "disconnected"
    };

    /** The error code of a script refused because a key holds another type (see {@code check.lua}). */
    static final String BADKEY = "KYU_BADKEY ";

    private final RedisSettings settings;
    /** Set when the broker closes: nothing is retried any more, so no caller outlives the close. */
    private volatile boolean closed;
    /**
     * Set while an outage has been reported: every verb rides it out in its own loop (the worker's fetch
     * about once a second), and one line per outage says as much as one per call, without the flood.
     */
    private volatile boolean outageReported;

    Faults(RedisSettings settings) {
        this.settings = settings;
    }

    void close() {
        closed = true;
    }

    static boolean passing(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            // A key of another type stays until someone removes it; its name may contain any word of PASSING.
            if (c.getMessage() != null && c.getMessage().contains(BADKEY)) return false;
            if (c instanceof RedisConnectionException
                    || c instanceof RedisCommandTimeoutException
                    || c instanceof IOException) return true;
            if (c instanceof RedisException && c.getMessage() != null) {
                for (String p : PASSING) if (c.getMessage().contains(p)) return true;
            }
        }
        return false;
    }

    /** Runs {@code op}, retrying passing faults until {@code budget} is spent. */
    <T> T ride(String what, Duration budget, Supplier<T> op) {
        long deadline = System.nanoTime() + budget.toNanos();
        long pauseMs = 10;
        boolean logged = false;
        while (true) {
            try {
                T result = op.get();
                if (outageReported) {
                    outageReported = false;
                    LOG.info("Redis {} is available again", settings.redacted());
                }
                return result;
            } catch (KyuException e) {
                throw e;
            } catch (RuntimeException e) {
                Throwable cause = unwrap(e);
                if (closed || !passing(cause) || System.nanoTime() + pauseMs * 1_000_000 > deadline)
                    throw translate(what, cause);
                if (!logged && !outageReported) {
                    LOG.warn(
                            "Redis {} unavailable during {} ({}); retrying for up to {}",
                            settings.redacted(),
                            what,
                            settings.scrub(oneLine(cause)),
                            dev.kyu.job.Durations.format(budget));
                    outageReported = true;
                }
                logged = true;
                try {
                    Thread.sleep(pauseMs);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw translate(what, cause);
                }
                pauseMs = Math.min(pauseMs * 2, 500);
            }
        }
    }

    /** The reason of a script refused on a key of another type (see {@code check.lua}), or null for any other failure. */
    static String badKeyReason(Throwable t) {
        for (Throwable c = unwrap(t); c != null; c = c.getCause()) {
            String m = c.getMessage();
            int bad = m == null ? -1 : m.indexOf(BADKEY);
            if (bad < 0) continue;
            String reason = m.substring(bad + BADKEY.length());
            int at = reason.indexOf(" script: ");
            return (at >= 0 ? reason.substring(0, at) : reason)
                    .replace('\n', ' ')
                    .replace('\r', ' ')
                    .trim();
        }
        return null;
    }

    KyuException translate(String what, Throwable t) {
        Throwable cause = unwrap(t);
        if (cause instanceof KyuException k) return k;
        String m = cause.getMessage() == null ? "" : cause.getMessage();
        int refused = m.indexOf("KYU_EXISTS ");
        if (refused >= 0) {
            return new KyuException.InvalidInput("a job with id "
                    + m.substring(refused + 11).trim() + " already exists; nothing of the batch was stored");
        }
        if (m.contains("NOPERM")) return notAllowed(settings, what, cause);
        int bad = m.indexOf(BADKEY);
        if (bad >= 0) {
            // The script's reason, without the location Redis appends to an error raised inside a script.
            String reason = m.substring(bad + BADKEY.length());
            int at = reason.indexOf(" script: ");
            if (at >= 0) reason = reason.substring(0, at);
            return new KyuException.BrokerUnavailable(
                    "Redis " + settings.redacted() + ": " + what + " failed, nothing was changed: "
                            + settings.scrub(
                                    reason.replace('\n', ' ').replace('\r', ' ').trim()),
                    null);
        }
        return new KyuException.BrokerUnavailable(
                "Redis " + settings.redacted() + ": " + what + " failed: " + settings.scrub(oneLine(cause)), null);
    }

    /**
     * An ACL rule refused a command or a key: a setting to change on the server, not an outage, so it is
     * reported as a configuration error (a worker's fetch loop still retries it, and recovers once the
     * rights are granted).
     */
    static KyuException notAllowed(RedisSettings settings, String what, Throwable cause) {
        return new KyuException.BrokerConfig("Redis " + settings.redacted() + " does not allow this user to " + what
                + ": " + settings.scrub(oneLine(cause))
                + " (Kyu needs +@all -@dangerous +info on the keys under its prefix; see docs/brokers/redis.md)");
    }

    static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof ExecutionException || c instanceof java.util.concurrent.CompletionException)
                && c.getCause() != null) c = c.getCause();
        return c;
    }

    static String oneLine(Throwable t) {
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        if (t.getCause() != null
                && t.getCause().getMessage() != null
                && !m.contains(t.getCause().getMessage())) {
            m = m + ": " + t.getCause().getMessage();
        }
        // Lettuce names an address not looked up yet as Java prints it, 'host/<unresolved>:port'.
        // Netty, a resolved one as '/127.0.0.1:6379'. Either is shown as host:port.
        return m.replace("/<unresolved>:", ":")
                .replaceAll(": /(\\d{1,3}(\\.\\d{1,3}){3}:\\d+)", ": $1")
                .replace('\n', ' ')
                .replace('\r', ' ');
    }
}
