package dev.kyu.broker.postgres;

/**
 * The release of dependents ({@link dev.kyu.job.JobLinks}), written once and spliced into every statement
 * that ends or deletes jobs: completion, hand-back into CANCELLED, rescue, cancel, quarantine, delete, purge
 * and prune. The statement names the jobs it ends in a CTE {@code kyu_ended (id uuid, dependents uuid[])},
 * with each job's dependents as they were before the statement cleared them; these CTEs follow it and lower
 * the count of each BLOCKED dependent by the number of ended jobs naming it, queueing at {@code now()} (and
 * notifying the queue of) those that reach zero.
 *
 * <p>Concurrency: the dependents are locked in id order before they are written, so two statements that
 * release overlapping sets of jobs cannot deadlock on them, and each UPDATE recomputes the count from the row
 * as the other statement committed it (READ COMMITTED re-reads a row it waited for), so two parents of one
 * job ending at the same moment in two transactions both count. A dependent that is one of the statement's
 * own ended jobs is left alone: the statement already writes that row. Missing ids and jobs no longer BLOCKED
 * are skipped. The dependents are found by primary key ({@code = ANY(ARRAY(...))}), whatever the plan.
 */
final class Releases {
    private Releases() {}

    /**
     * The CTEs, to follow {@code kyu_ended} in a WITH list (a leading comma included). They contain no
     * parameter: the channel, derived from the schema's name, is written in as a literal.
     */
    static String after(String s, String channel) {
        return """
                , kyu_rel AS (
                  SELECT dep, count(*)::int AS n FROM kyu_ended e CROSS JOIN LATERAL unnest(e.dependents) AS dep
                  WHERE dep IS NOT NULL AND dep <> ALL(ARRAY(SELECT id FROM kyu_ended)) GROUP BY dep),
                kyu_rel_locked AS (
                  SELECT k.id, r.n FROM %1$s.kyu_jobs k JOIN kyu_rel r ON r.dep = k.id
                  WHERE k.id = ANY(ARRAY(SELECT dep FROM kyu_rel)) AND k.state = 'BLOCKED' ORDER BY k.id FOR UPDATE OF k),
                kyu_released AS (
                  UPDATE %1$s.kyu_jobs d SET waits_for = greatest(d.waits_for - l.n, 0),
                         state = CASE WHEN d.waits_for <= l.n THEN 'QUEUED' ELSE 'BLOCKED' END,
                         scheduled_at = CASE WHEN d.waits_for <= l.n THEN now() ELSE d.scheduled_at END
                  FROM kyu_rel_locked l
                  WHERE d.id = l.id AND d.id = ANY(ARRAY(SELECT id FROM kyu_rel_locked)) AND d.state = 'BLOCKED'
                  RETURNING d.id, CASE WHEN d.state = 'QUEUED' THEN pg_notify('%2$s', d.queue) END)
                """.formatted(s, channel.replace("'", "''"));
    }
}
