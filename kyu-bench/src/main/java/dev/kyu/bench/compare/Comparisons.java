package dev.kyu.bench.compare;

import dev.kyu.bench.subject.Subject;

/** Opens the systems Kyu is compared with, by name, on one PostgreSQL. */
public final class Comparisons {
    private Comparisons() {}

    public static Subject open(String name, String jdbcUrl, int threads) {
        return switch (name) {
            case "db-scheduler" -> new DbSchedulerSubject(jdbcUrl, threads);
            case "jobrunr" -> new JobRunrSubject(jdbcUrl, threads);
            default -> throw new IllegalArgumentException("unknown system to compare '" + name + "': expected jobrunr or db-scheduler");
        };
    }
}
