package dev.kyu.bench.compare;

import dev.kyu.bench.subject.Subject;

/** Opens the systems Kyu is compared with, by name, on one PostgreSQL. */
public final class Comparisons {
    private Comparisons() {}

    /** @param warmupJobs executions a worker runs before it is measured, where the system allows one (not JobRunr: see its subject) */
    public static Subject open(String name, String jdbcUrl, int threads, int warmupJobs) {
        return switch (name) {
            case "db-scheduler" -> new DbSchedulerSubject(jdbcUrl, threads, warmupJobs);
            case "jobrunr" -> new JobRunrSubject(jdbcUrl, threads);
            default ->
                throw new IllegalArgumentException(
                        "unknown system to compare '" + name + "': expected jobrunr or db-scheduler");
        };
    }
}
