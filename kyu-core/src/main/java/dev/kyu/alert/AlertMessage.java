package dev.kyu.alert;

import dev.kyu.job.Job;
import java.time.Instant;
import java.util.List;

/**
 * What a channel sends: a subject line, a readable text and the facts behind it.
 *
 * @param kind    what happened
 * @param rule    the rule's name
 * @param key     what the rule is about (a queue, a schedule, a task), or the job id
 * @param subject one line, e.g. "[kyu] job failed: mail.send on mail"
 * @param text    the message body (a few lines)
 * @param link    the dashboard page to look at, or null when no dashboard URL is configured
 * @param count   jobs behind the message (1 for one job, n for a digest, 0 for a condition)
 * @param jobs    the jobs (a digest carries a few examples only)
 * @param at      when it was decided (the broker's time)
 */
public record AlertMessage(
        Kind kind,
        String rule,
        String key,
        String subject,
        String text,
        String link,
        int count,
        List<Job> jobs,
        Instant at) {
    public enum Kind {
        JOB_FAILED,
        DIGEST,
        FIRING,
        RESOLVED
    }

    public AlertMessage {
        jobs = List.copyOf(jobs);
    }
}
