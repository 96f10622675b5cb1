package dev.kyu.job;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How to run one job: queue, priority, when, how often to try, how long, how unique, and whether calls of a
 * key coalesce ({@link KeyedFlow}: debounce or throttle, per enqueue only). Immutable; a null
 * field means "not set here", so options layer: per-job over per-task over {@link #DEFAULTS}.
 *
 * <pre>{@code
 * JobOptions.builder().queue("mail").priority(5).delay(Duration.ofMinutes(1)).maxAttempts(5).build()
 * }</pre>
 */
public record JobOptions(
        String queue,
        Integer priority,
        Duration delay,
        Instant runAt,
        Integer maxAttempts,
        Backoff backoff,
        Duration timeout,
        String uniqueKey,
        UniqueScope uniqueScope,
        Duration uniquePeriod,
        Map<String, String> meta,
        Duration resultTtl,
        KeyedFlow flow) {

    /** Kyu's own defaults: queue "default", priority 0, 3 attempts, exponential back-off 1 s … 10 min, no timeout. */
    public static final JobOptions DEFAULTS =
            new JobOptions("default", 0, null, null, 3, Backoff.DEFAULT, null, null, null, null, Map.of(), null, null);

    /** The range of {@code runAt}: the epoch to the end of year 9999. */
    public static final Instant EARLIEST = Instant.EPOCH;

    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    public static final JobOptions NONE =
            new JobOptions(null, null, null, null, null, null, null, null, null, null, Map.of(), null, null);

    public JobOptions {
        if (queue != null) dev.kyu.task.Task.checkQueue(queue);
        if (maxAttempts != null && maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        if (delay != null && delay.isNegative())
            throw new IllegalArgumentException("delay must not be negative, was " + Durations.format(delay));
        if (delay != null && runAt != null) throw new IllegalArgumentException("set either delay or runAt, not both");
        // Past these, a time no longer fits every engine's column (or a long of milliseconds).
        atMostMax("delay", delay);
        atMostMax("timeout", timeout);
        atMostMax("unique period", uniquePeriod);
        atMostMax("result ttl", resultTtl);
        if (resultTtl != null && (resultTtl.isNegative() || resultTtl.isZero())) {
            throw new IllegalArgumentException("result ttl must be positive, was " + Durations.format(resultTtl));
        }
        if (runAt != null && (runAt.isBefore(EARLIEST) || runAt.isAfter(LATEST))) {
            throw new IllegalArgumentException(
                    "runAt must be between " + EARLIEST + " and " + LATEST + ", was " + runAt);
        }
        if (uniqueKey != null && uniqueKey.isBlank()) throw new IllegalArgumentException("uniqueKey must not be blank");
        // Stored as plain text on every engine, where a lone surrogate would become '?' and match other keys.
        if (uniqueKey != null && dev.kyu.codec.Printable.hasLoneSurrogate(uniqueKey)) {
            throw new IllegalArgumentException("uniqueKey " + dev.kyu.codec.Printable.quoted(uniqueKey)
                    + " holds a lone UTF-16 surrogate, which is no Unicode text and cannot be stored");
        }
        if (meta != null && meta.keySet().stream().anyMatch(k -> k == null || k.isBlank())) {
            throw new IllegalArgumentException("meta keys must not be blank");
        }
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout must be positive, was " + Durations.format(timeout));
        }
        if (uniqueScope == UniqueScope.PERIOD && uniquePeriod == null) {
            throw new IllegalArgumentException("unique scope PERIOD needs a period");
        }
        if (flow != null) checkFlow(flow, uniqueKey, delay, runAt);
        meta = meta == null ? Map.of() : Map.copyOf(meta);
    }

    /**
     * Debounce and throttle set the due time and hold a unique key of their own, so neither may come with the
     * caller's; checked again on the layered options, where a task's defaults may bring them.
     */
    public static void checkFlow(KeyedFlow flow, String uniqueKey, Duration delay, Instant runAt) {
        String form = flow instanceof KeyedFlow.Debounce ? "debounce" : "throttle";
        if (uniqueKey != null) {
            throw new dev.kyu.KyuException.InvalidInput(form + " " + dev.kyu.codec.Printable.quoted(flow.key())
                    + " cannot be combined with a unique key: it holds one of its own");
        }
        if (delay != null || runAt != null) {
            throw new dev.kyu.KyuException.InvalidInput(form + " " + dev.kyu.codec.Printable.quoted(flow.key())
                    + " cannot be combined with a delay or run-at: it sets the due time itself");
        }
    }

    private static void atMostMax(String what, Duration d) {
        if (d != null && d.compareTo(Durations.MAX) > 0) {
            throw new IllegalArgumentException(what + " must be at most 100 years, was " + Durations.format(d));
        }
    }

    public static Builder builder() {
        return new Builder(NONE);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** These options, with every unset field taken from {@code base}; meta maps are merged, these winning. */
    public JobOptions over(JobOptions base) {
        var m = new LinkedHashMap<>(base.meta);
        m.putAll(meta);
        return new JobOptions(
                queue != null ? queue : base.queue,
                priority != null ? priority : base.priority,
                delay != null || runAt != null ? delay : base.delay,
                delay != null || runAt != null ? runAt : base.runAt,
                maxAttempts != null ? maxAttempts : base.maxAttempts,
                backoff != null ? backoff : base.backoff,
                timeout != null ? timeout : base.timeout,
                uniqueKey != null ? uniqueKey : base.uniqueKey,
                uniqueKey != null ? uniqueScope : base.uniqueScope,
                uniqueKey != null ? uniquePeriod : base.uniquePeriod,
                m,
                resultTtl != null ? resultTtl : base.resultTtl,
                flow != null ? flow : base.flow);
    }

    public JobOptions withQueue(String q) {
        return toBuilder().queue(q).build();
    }

    public JobOptions withPriority(int p) {
        return toBuilder().priority(p).build();
    }

    public JobOptions withDelay(Duration d) {
        return toBuilder().delay(d).build();
    }

    public JobOptions withMaxAttempts(int n) {
        return toBuilder().maxAttempts(n).build();
    }

    public JobOptions withUniqueKey(String k) {
        return toBuilder().unique(k, UniqueScope.ACTIVE).build();
    }

    public static final class Builder {
        private String queue, uniqueKey;
        private Integer priority, maxAttempts;
        private Duration delay, timeout, uniquePeriod, resultTtl;
        private Instant runAt;
        private Backoff backoff;
        private UniqueScope uniqueScope;
        private Map<String, String> meta;
        private KeyedFlow flow;

        private Builder(JobOptions o) {
            queue = o.queue;
            priority = o.priority;
            delay = o.delay;
            runAt = o.runAt;
            maxAttempts = o.maxAttempts;
            backoff = o.backoff;
            timeout = o.timeout;
            uniqueKey = o.uniqueKey;
            uniqueScope = o.uniqueScope;
            uniquePeriod = o.uniquePeriod;
            meta = new LinkedHashMap<>(o.meta);
            resultTtl = o.resultTtl;
            flow = o.flow;
        }

        public Builder queue(String v) {
            queue = v;
            return this;
        }

        public Builder priority(int v) {
            priority = v;
            return this;
        }
        /** Run no sooner than this long after enqueue (judged by the broker's clock). */
        public Builder delay(Duration v) {
            delay = v;
            runAt = null;
            return this;
        }
        /** Run no sooner than this instant. */
        public Builder runAt(Instant v) {
            runAt = v;
            delay = null;
            return this;
        }

        public Builder maxAttempts(int v) {
            maxAttempts = v;
            return this;
        }

        public Builder backoff(Backoff v) {
            backoff = v;
            return this;
        }

        public Builder timeout(Duration v) {
            timeout = v;
            return this;
        }
        /** Unique while queued or running: a second enqueue with the same key returns the first job. */
        public Builder unique(String key) {
            return unique(key, UniqueScope.ACTIVE);
        }

        public Builder unique(String key, UniqueScope scope) {
            uniqueKey = key;
            uniqueScope = scope;
            return this;
        }
        /** Unique for a period after the first enqueue, whatever became of that job. */
        public Builder uniqueFor(String key, Duration period) {
            uniqueKey = key;
            uniqueScope = UniqueScope.PERIOD;
            uniquePeriod = period;
            return this;
        }

        public Builder meta(String key, String value) {
            meta.put(key, value);
            return this;
        }

        public Builder meta(Map<String, String> v) {
            meta = new LinkedHashMap<>(v);
            return this;
        }
        /**
         * Keep the job this long once it ends (succeeded, failed or cancelled), in place of the prune's
         * global retention: shorter to drop a bulky result early, longer to keep one past the default.
         */
        public Builder resultTtl(Duration v) {
            resultTtl = v;
            return this;
        }

        /**
         * At most one run per {@code key} every {@code every}, with the last args: the first call of a quiet key
         * runs at once; calls during the window make one job, due at the window's end, that carries the last
         * args given. Not with a unique key, a delay or a run-at (docs/flow-control.md).
         */
        public Builder throttle(String key, Duration every) {
            flow = new KeyedFlow.Throttle(key, every);
            return this;
        }
        /**
         * Run once the {@code key} has had {@code quiet} with no new call, but at most {@code max} after the
         * burst's first call; each call replaces the waiting job's args with its own. Not with a unique key, a
         * delay or a run-at (docs/flow-control.md).
         */
        public Builder debounce(String key, Duration quiet, Duration max) {
            flow = new KeyedFlow.Debounce(key, quiet, max);
            return this;
        }

        public JobOptions build() {
            return new JobOptions(
                    queue,
                    priority,
                    delay,
                    runAt,
                    maxAttempts,
                    backoff,
                    timeout,
                    uniqueKey,
                    uniqueScope,
                    uniquePeriod,
                    meta,
                    resultTtl,
                    flow);
        }
    }
}
