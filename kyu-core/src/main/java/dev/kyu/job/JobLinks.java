package dev.kyu.job;

import java.util.List;

/**
 * A job's links to other jobs: what the engine keeps so that workflows (dev.kyu.workflow) can be built above
 * the broker SPI out of ordinary jobs. Engines store and apply these three fields; every policy (which step
 * runs, skips or compensates) is decided above the SPI.
 *
 * <ul>
 *   <li>{@code waitsFor}: how many jobs this one still waits for. A job stored with a count above zero is
 *       {@link JobState#BLOCKED}: never fetched, promoted or rescued. When the count reaches zero the engine
 *       moves it to QUEUED, due at the engine's now.</li>
 *   <li>{@code dependents}: ids of the jobs whose count this job lowers by one when it ends: when it reaches
 *       SUCCEEDED, FAILED or CANCELLED by any path (outcome, rescue, cancel, quarantine) or is deleted (by id
 *       or by a purge). The engine does this in the same atomic step as the change of state, and then clears
 *       the list, so that a job releases its dependents once in its life even if it is retried by hand and
 *       ends again. A dependent that is missing or no longer BLOCKED is skipped.</li>
 *   <li>{@code retainWith}: the id of a job this one is kept with. A terminal job is not pruned while the job
 *       it names still exists, so a workflow's steps and their results live as long as the workflow's own
 *       record and go with it.</li>
 * </ul>
 */
public record JobLinks(int waitsFor, List<String> dependents, String retainWith) {
    public static final JobLinks NONE = new JobLinks(0, List.of(), null);

    public JobLinks {
        if (waitsFor < 0) throw new IllegalArgumentException("waitsFor must not be negative, was " + waitsFor);
        dependents = dependents == null ? List.of() : List.copyOf(dependents);
    }

    public static JobLinks of(int waitsFor, List<String> dependents, String retainWith) {
        return waitsFor == 0 && (dependents == null || dependents.isEmpty()) && retainWith == null
                ? NONE
                : new JobLinks(waitsFor, dependents, retainWith);
    }

    public boolean isNone() {
        return waitsFor == 0 && dependents.isEmpty() && retainWith == null;
    }

    public JobLinks withWaitsFor(int n) {
        return of(n, dependents, retainWith);
    }

    /** The links once the job has released its dependents. */
    public JobLinks released() {
        return of(waitsFor, List.of(), retainWith);
    }
}
