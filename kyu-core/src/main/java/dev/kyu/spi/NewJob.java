package dev.kyu.spi;

import dev.kyu.job.JobLinks;
import dev.kyu.job.UniqueScope;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A job to store. The due time is {@code runAt} if set, else the engine's now plus {@code delay} if
 * set, else now; the engine judges it by its own clock so that producers' clock skew does not matter
 * for delays. {@code resultTtl}, when set, is how long the job is kept once it ends, in place of the
 * prune's global retention. {@code links} (never null) are the job's links to other jobs ({@link JobLinks}):
 * a job with {@code links.waitsFor() > 0} is stored BLOCKED whatever its due time, and is QUEUED at the engine's
 * now once released; {@code runAt} and {@code delay} apply only to jobs that do not wait.
 */
public record NewJob(
        String id,
        String task,
        String queue,
        String args,
        int priority,
        int maxAttempts,
        Instant runAt,
        Duration delay,
        String uniqueKey,
        UniqueScope uniqueScope,
        Duration uniquePeriod,
        Duration timeout,
        String backoff,
        Map<String, String> meta,
        Duration resultTtl,
        JobLinks links) {

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
        if (links == null) links = JobLinks.NONE;
        InputContract.check(
                id, task, queue, runAt, delay, uniqueKey, uniqueScope, uniquePeriod, timeout, resultTtl, links);
    }

    /** The same job without links, for callers that build one positionally. */
    public NewJob(
            String id,
            String task,
            String queue,
            String args,
            int priority,
            int maxAttempts,
            Instant runAt,
            Duration delay,
            String uniqueKey,
            UniqueScope uniqueScope,
            Duration uniquePeriod,
            Duration timeout,
            String backoff,
            Map<String, String> meta,
            Duration resultTtl) {
        this(
                id,
                task,
                queue,
                args,
                priority,
                maxAttempts,
                runAt,
                delay,
                uniqueKey,
                uniqueScope,
                uniquePeriod,
                timeout,
                backoff,
                meta,
                resultTtl,
                JobLinks.NONE);
    }

    /** This job with other links. */
    public NewJob withLinks(JobLinks l) {
        return new NewJob(
                id,
                task,
                queue,
                args,
                priority,
                maxAttempts,
                runAt,
                delay,
                uniqueKey,
                uniqueScope,
                uniquePeriod,
                timeout,
                backoff,
                meta,
                resultTtl,
                l);
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
        private JobLinks links = JobLinks.NONE;

        private Builder(String id, String task) {
            this.id = id;
            this.task = task;
        }

        public Builder queue(String v) {
            queue = v;
            return this;
        }

        public Builder args(String v) {
            args = v;
            return this;
        }

        public Builder priority(int v) {
            priority = v;
            return this;
        }

        public Builder maxAttempts(int v) {
            maxAttempts = v;
            return this;
        }

        public Builder runAt(Instant v) {
            runAt = v;
            return this;
        }

        public Builder delay(Duration v) {
            delay = v;
            return this;
        }

        public Builder unique(String key, UniqueScope scope, Duration period) {
            uniqueKey = key;
            uniqueScope = scope;
            uniquePeriod = period;
            return this;
        }

        public Builder timeout(Duration v) {
            timeout = v;
            return this;
        }

        public Builder backoff(String v) {
            backoff = v;
            return this;
        }

        public Builder meta(Map<String, String> v) {
            meta = v;
            return this;
        }

        public Builder resultTtl(Duration v) {
            resultTtl = v;
            return this;
        }

        public Builder links(JobLinks v) {
            links = v;
            return this;
        }

        public NewJob build() {
            return new NewJob(
                    id,
                    task,
                    queue,
                    args,
                    priority,
                    maxAttempts,
                    runAt,
                    delay,
                    uniqueKey,
                    uniqueScope,
                    uniquePeriod,
                    timeout,
                    backoff,
                    meta,
                    resultTtl,
                    links);
        }
    }
}
