package dev.kyu.spi;

import dev.kyu.job.UniqueScope;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A job to store. The due time is {@code runAt} if set, else the engine's now plus {@code delay} if
 * set, else now; the engine judges it by its own clock so that producers' clock skew does not matter
 * for delays. {@code resultTtl}, when set, is how long the job is kept once it ends, in place of the
 * prune's global retention.
 */
public record NewJob(
        String id, String task, String queue, String args, int priority, int maxAttempts,
        Instant runAt, Duration delay, String uniqueKey, UniqueScope uniqueScope, Duration uniquePeriod,
        Duration timeout, String backoff, Map<String, String> meta, Duration resultTtl) {

    public NewJob {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(args, "args");
        if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        if (uniqueKey != null && uniqueScope == null) uniqueScope = UniqueScope.ACTIVE;
        if (uniqueScope == UniqueScope.PERIOD && uniquePeriod == null) {
            throw new IllegalArgumentException("unique scope PERIOD needs a uniquePeriod");
        }
        meta = meta == null ? Map.of() : Map.copyOf(meta);
    }

    public static Builder builder(String id, String task) {
        return new Builder(id, task);
    }

    public static final class Builder {
        private final String id, task;
        private String queue = "default", args = "null", uniqueKey, backoff;
        private int priority, maxAttempts = 1;
        private Instant runAt;
        private Duration delay, uniquePeriod, timeout, resultTtl;
        private UniqueScope uniqueScope;
        private Map<String, String> meta = Map.of();

        private Builder(String id, String task) { this.id = id; this.task = task; }

        public Builder queue(String v) { queue = v; return this; }
        public Builder args(String v) { args = v; return this; }
        public Builder priority(int v) { priority = v; return this; }
        public Builder maxAttempts(int v) { maxAttempts = v; return this; }
        public Builder runAt(Instant v) { runAt = v; return this; }
        public Builder delay(Duration v) { delay = v; return this; }
        public Builder unique(String key, UniqueScope scope, Duration period) { uniqueKey = key; uniqueScope = scope; uniquePeriod = period; return this; }
        public Builder timeout(Duration v) { timeout = v; return this; }
        public Builder backoff(String v) { backoff = v; return this; }
        public Builder meta(Map<String, String> v) { meta = v; return this; }
        public Builder resultTtl(Duration v) { resultTtl = v; return this; }

        public NewJob build() {
            return new NewJob(id, task, queue, args, priority, maxAttempts, runAt, delay, uniqueKey, uniqueScope,
                    uniquePeriod, timeout, backoff, meta, resultTtl);
        }
    }
}
