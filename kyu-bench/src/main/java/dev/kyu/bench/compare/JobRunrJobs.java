package dev.kyu.bench.compare;

/**
 * The no-op job JobRunr runs: a static method, as JobRunr's lambdas name one. The worker JVM installs a
 * recorder when the run reads start times.
 */
public final class JobRunrJobs {
    static volatile TimesRecorder recorder;

    private JobRunrJobs() {}

    public static void noop(long enqueuedMicros) {
        TimesRecorder r = recorder;
        if (r != null) r.started(enqueuedMicros);
    }
}
