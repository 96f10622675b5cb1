package dev.kyu.job;

import dev.kyu.task.Task;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What every stored job satisfies when Kyu wrote it, because every enqueue checks it: a UUID id, valid
 * task and queue names, args present, attempts not negative (and, while waiting, below the int limit a lease
 * counts up from), at least one attempt allowed, enqueue and due
 * times present and within {@link JobOptions#EARLIEST} … {@link JobOptions#LATEST}, and a RUNNING job
 * held by a worker under a lease.
 *
 * <p>A row written behind Kyu's back (a hand edit, a foreign tool, a bad restore) may break it. Engines
 * check a job against it before they hand the job to a worker, and their sweeps look for the breaks that
 * would keep a job waiting for ever (a due time past the end of the range); a job that breaks it is
 * quarantined (FAILED, {@link JobError#CORRUPT}, its stored data kept), so it neither runs nor waits for
 * ever, and the jobs around it keep flowing.
 */
public final class JobContract {
    private JobContract() {}

    /** What the job breaks, one short phrase each; empty when it keeps the contract. */
    public static List<String> violations(Job j) {
        var out = new ArrayList<String>(0);
        if (!JobIds.isValid(j.id())) out.add("id '" + shown(j.id()) + "' is not a UUID");
        if (!Task.isValidName(j.task())) out.add("task name '" + shown(j.task()) + "' is not a valid name");
        if (!Task.isValidName(j.queue())) out.add("queue name '" + shown(j.queue()) + "' is not a valid name");
        if (j.args() == null) out.add("args are missing");
        // A job counts its attempts from 0; once leased, the attempt it runs is at least the first.
        int least = j.state() == JobState.RUNNING ? 1 : 0;
        if (j.attempt() < least) out.add("attempt " + j.attempt() + " is below " + least);
        // A lease counts the attempt up by one: a waiting job already at the int limit can never be leased.
        if ((j.state() == JobState.QUEUED || j.state() == JobState.SCHEDULED) && j.attempt() == Integer.MAX_VALUE) {
            out.add("attempt " + j.attempt() + " leaves no attempt to lease");
        }
        if (j.maxAttempts() < 1) out.add("max attempts " + j.maxAttempts() + " is below 1");
        time(out, "enqueued at", j.enqueuedAt());
        time(out, "scheduled at", j.scheduledAt());
        if (j.state() == JobState.RUNNING && (j.workerId() == null || j.leaseExpiresAt() == null)) {
            out.add("RUNNING without a worker or lease");
        }
        return out;
    }

    /** True when a due time lies past the range any enqueue accepts: such a job would wait for ever. */
    public static boolean beyondRange(Instant t) {
        return t != null && t.isAfter(JobOptions.LATEST);
    }

    private static void time(List<String> out, String what, Instant t) {
        if (t == null) out.add(what + " is missing");
        else if (t.isBefore(JobOptions.EARLIEST) || beyondRange(t)) out.add(what + " " + t + " is out of range");
    }

    /** A stored value as a log line or an error may show it: control characters neutralised, long text cut. */
    private static String shown(String v) {
        if (v == null) return "null";
        String s = v.replaceAll("\\p{Cntrl}", "?");
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }
}
