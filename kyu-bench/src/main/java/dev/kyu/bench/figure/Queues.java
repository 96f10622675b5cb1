package dev.kyu.bench.figure;

/** Queue names for runs: each run of each figure gets its own queue, so no run sees another's jobs. */
final class Queues {
    private static final String PASS = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);

    private Queues() {}

    static String name(String figure, int run) {
        return "bench-" + figure + "-" + PASS + "-" + run;
    }
}
