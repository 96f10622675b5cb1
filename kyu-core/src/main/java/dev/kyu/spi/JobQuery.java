package dev.kyu.spi;

import dev.kyu.codec.Printable;
import dev.kyu.job.Job;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobState;
import java.util.List;

/**
 * Filters for listing jobs; null means "any". {@code text} matches a substring of the id, task, args or
 * last error message (engines may limit it to the newest jobs). Results come newest first: by id, descending,
 * ids compared as Java strings ({@link String#compareTo}), which for Kyu's own ids is the order they were made.
 *
 * <p>Paging: {@code after} is a cursor, the id of the last job of the previous page; the listing goes on with
 * the jobs whose id sorts below it, so a deep page costs what the first one does. {@code offset} skips that many
 * jobs first and costs O(offset) on every engine; it exists for page numbers on small listings. A query has one
 * or the other, not both.
 */
public record JobQuery(JobState state, String queue, String task, String text, int limit, int offset, String after) {
    public JobQuery {
        if (limit < 1 || limit > 10_000) throw new IllegalArgumentException("limit must be 1..10000, was " + limit);
        if (offset < 0) throw new IllegalArgumentException("offset must not be negative, was " + offset);
        if (after != null && offset > 0)
            throw new IllegalArgumentException("a job query pages by cursor (after) or by offset, not both");
        if (after != null) {
            if (!JobIds.isValid(after))
                throw new IllegalArgumentException("the cursor (after) must be a job id (a UUID), was '"
                        + Printable.line(after.length() > 60 ? after.substring(0, 60) + "…" : after) + "'");
            after = after.toLowerCase(java.util.Locale.ROOT);
        }
    }

    public JobQuery(JobState state, String queue, String task, String text, int limit, int offset) {
        this(state, queue, task, text, limit, offset, null);
    }

    public static JobQuery all(int limit) {
        return new JobQuery(null, null, null, null, limit, 0, null);
    }

    public JobQuery withState(JobState s) {
        return new JobQuery(s, queue, task, text, limit, offset, after);
    }

    public JobQuery withQueue(String q) {
        return new JobQuery(state, q, task, text, limit, offset, after);
    }

    public JobQuery withTask(String t) {
        return new JobQuery(state, queue, t, text, limit, offset, after);
    }

    public JobQuery withText(String t) {
        return new JobQuery(state, queue, task, t, limit, offset, after);
    }

    public JobQuery withLimit(int n) {
        return new JobQuery(state, queue, task, text, n, offset, after);
    }

    public JobQuery withOffset(int o) {
        return new JobQuery(state, queue, task, text, limit, o, null);
    }

    public JobQuery withAfter(String id) {
        return new JobQuery(state, queue, task, text, limit, 0, id);
    }

    /** The query for the page after {@code page}, the page this query returned; null when that page was not full (it was the last). */
    public JobQuery next(List<Job> page) {
        if (page.size() < limit) return null;
        return withAfter(page.get(page.size() - 1).id());
    }
}
