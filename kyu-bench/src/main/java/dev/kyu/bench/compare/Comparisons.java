package dev.kyu.bench.compare;

import dev.kyu.bench.subject.Subject;

/** Opens the systems Kyu is compared with, by name: JobRunr and db-scheduler on PostgreSQL, Celery on RabbitMQ. */
public final class Comparisons {
    /** RabbitMQ's out-of-the-box address, for Celery when Kyu is not itself measured on RabbitMQ. */
    public static final String DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672//";

    private Comparisons() {}

    /**
     * Where the compared systems keep their jobs, and how their workers run.
     *
     * @param warmupJobs executions a worker runs before it is measured, where the system allows one (not
     *     JobRunr: see its subject; not Celery, whose Python has no JIT to warm)
     * @param celeryProcesses the most processes of Celery's prefork pool
     */
    public record Settings(String jdbcUrl, String amqpUrl, int threads, int warmupJobs, int celeryProcesses) {}

    public static Subject open(String name, Settings s) {
        return switch (name) {
            case "db-scheduler" -> new DbSchedulerSubject(s.jdbcUrl(), s.threads(), s.warmupJobs());
            case "jobrunr" -> new JobRunrSubject(s.jdbcUrl(), s.threads());
            case "celery" -> new CelerySubject(s.amqpUrl(), s.celeryProcesses());
            default ->
                throw new IllegalArgumentException(
                        "unknown system to compare '" + name + "': expected jobrunr, db-scheduler or celery");
        };
    }

    /**
     * The RabbitMQ Celery uses: the one given for it, else Kyu's own broker when that is RabbitMQ (so both run
     * on the same server and vhost, without Kyu's {@code ?store=…} options), else {@link #DEFAULT_AMQP_URL}.
     */
    public static String amqpUrl(String given, String kyuBroker) {
        if (given != null && !given.isBlank()) return given.trim();
        String k = kyuBroker == null ? "" : kyuBroker.trim();
        // Kyu's URL names its store and options after '?'; Celery gets the server and vhost only.
        if (k.startsWith("amqp://") || k.startsWith("amqps://"))
            return k.contains("?") ? k.substring(0, k.indexOf('?')) : k;
        return DEFAULT_AMQP_URL;
    }
}
