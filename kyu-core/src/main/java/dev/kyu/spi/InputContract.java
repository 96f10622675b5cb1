package dev.kyu.spi;

import dev.kyu.KyuException;
import dev.kyu.codec.Printable;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobLinks;
import dev.kyu.job.JobOptions;
import dev.kyu.job.UniqueScope;
import dev.kyu.task.Task;
import java.time.Duration;
import java.time.Instant;

/**
 * The one check of what an engine may be asked to store, made when a {@link NewJob} is built, so that every
 * engine sees only jobs that keep it and none needs a validator of its own: a UUID id, valid task and queue
 * names, a due time inside {@link JobOptions#EARLIEST} … {@link JobOptions#LATEST}, no negative delay, timeout
 * or result ttl, a positive unique period, a unique key that is not blank and at most 1,000 characters (any text: it is
 * escaped wherever it is shown), links naming UUIDs. A broken rule
 * is a {@link KyuException.InvalidInput} with one line naming the job and the rule.
 */
final class InputContract {
    /** Longest unique key accepted: keys are stored and indexed by every engine. */
    static final int MAX_UNIQUE_KEY = 1_000;

    private InputContract() {}

    /** Checks the parts of a NewJob as its constructor receives them (a record's fields are set only after it). */
    static void check(
            String id,
            String task,
            String queue,
            Instant runAt,
            Duration delay,
            String uniqueKey,
            UniqueScope uniqueScope,
            Duration uniquePeriod,
            Duration timeout,
            Duration resultTtl,
            JobLinks links) {
        check(new Parts(
                id, task, queue, runAt, delay, uniqueKey, uniqueScope, uniquePeriod, timeout, resultTtl, links));
    }

    private record Parts(
            String id,
            String task,
            String queue,
            Instant runAt,
            Duration delay,
            String uniqueKey,
            UniqueScope uniqueScope,
            Duration uniquePeriod,
            Duration timeout,
            Duration resultTtl,
            JobLinks links) {}

    private static void check(Parts j) {
        if (!JobIds.isValid(j.id())) throw bad("job id " + Printable.quoted(cut(j.id())) + " is not a UUID");
        if (!Task.isValidName(j.task())) {
            throw bad("job " + j.id() + ": task name " + Printable.quoted(cut(j.task()))
                    + " is not valid (1-200 of a-z A-Z 0-9 _ . : -)");
        }
        if (!Task.isValidName(j.queue())) {
            throw bad("job " + j.id() + ": queue name " + Printable.quoted(cut(j.queue()))
                    + " is not valid (1-200 of a-z A-Z 0-9 _ . : -)");
        }
        Instant at = j.runAt();
        if (at != null && (at.isBefore(JobOptions.EARLIEST) || at.isAfter(JobOptions.LATEST))) {
            throw bad("job " + j.id() + ": run-at " + at + " is outside " + JobOptions.EARLIEST + " … "
                    + JobOptions.LATEST);
        }
        notNegative(j, "delay", j.delay());
        notNegative(j, "result ttl", j.resultTtl());
        if (j.timeout() != null && !j.timeout().isPositive())
            throw bad("job " + j.id() + ": timeout must be positive, was " + j.timeout());
        if (j.uniqueKey() != null) {
            String k = j.uniqueKey();
            if (k.isBlank()) throw bad("job " + j.id() + ": unique key must not be blank");
            if (k.length() > MAX_UNIQUE_KEY)
                throw bad("job " + j.id() + ": unique key is " + k.length() + " characters, over " + MAX_UNIQUE_KEY);
        }
        if (j.uniqueScope() == UniqueScope.PERIOD && !j.uniquePeriod().isPositive()) {
            throw bad("job " + j.id() + ": unique period must be positive, was " + j.uniquePeriod());
        }
        JobLinks l = j.links();
        for (String d : l.dependents()) {
            if (!JobIds.isValid(d))
                throw bad("job " + j.id() + ": dependent " + Printable.quoted(cut(d)) + " is not a UUID");
            if (d.equals(j.id())) throw bad("job " + j.id() + " names itself as a dependent");
        }
        if (l.retainWith() != null && !JobIds.isValid(l.retainWith())) {
            throw bad("job " + j.id() + ": retain-with " + Printable.quoted(cut(l.retainWith())) + " is not a UUID");
        }
    }

    private static void notNegative(Parts j, String what, Duration d) {
        if (d != null && d.isNegative()) throw bad("job " + j.id() + ": " + what + " must not be negative, was " + d);
    }

    private static String cut(String s) {
        return s == null ? "null" : s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }

    private static KyuException.InvalidInput bad(String message) {
        return new KyuException.InvalidInput(message);
    }
}
