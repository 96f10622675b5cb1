package dev.kyu.bench.compare;

import dev.kyu.bench.subject.Subject;

/** Opens the systems Kyu is compared with, by name. */
public final class Comparisons {
    private Comparisons() {}

    public static Subject open(String name, String jdbcUrl) {
        throw new IllegalArgumentException("unknown system to compare '" + name + "': expected jobrunr or db-scheduler");
    }
}
