package dev.kyu.broker.postgres;

import dev.kyu.job.JobIds;
import dev.kyu.spi.Broker;
import dev.kyu.testkit.BrokerConformanceSuite;
import dev.kyu.testkit.RawJob;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The shared broker conformance suite against a real PostgreSQL, one fresh schema per test, dropped after the class. */
class PostgresConformanceTest extends BrokerConformanceSuite {
    @RegisterExtension
    static final PostgresExtension pg = PostgresExtension.shared();

    @Override
    protected Broker openBroker(Clock clock) throws Exception {
        return pg.openFresh();
    }

    /** A connection of the application's own, to the same database (Kyu's tables are schema-qualified). */
    @Override
    protected Connection openTransaction() throws Exception {
        Connection c = pg.connect();
        c.setAutoCommit(false);
        return c;
    }

    /**
     * A row the schema admits but Kyu cannot read: its errors column is not JSON, and its meta is not a
     * JSON object (the schema's NOT NULL and uuid types rule out a missing task or a malformed id).
     */
    @Override
    protected String insertCorruptJob(Broker broker, String queue) throws Exception {
        String id = JobIds.next();
        String schema = ((PostgresBroker) broker).schema();
        try (Connection c = pg.connect();
                PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO \"" + schema + "\".kyu_jobs "
                                + "(id, task, queue, args, state, enqueued_at, scheduled_at, errors, meta) "
                                + "VALUES (?::uuid, 'corrupt.task', ?, '\u0001\u0002garbage{{{', 'QUEUED', now(), now(), 'not json [', '[1,2')")) {
            ps.setString(1, id);
            ps.setString(2, queue);
            ps.executeUpdate();
        }
        return id;
    }

    @Override
    protected String plantRawJob(Broker broker, RawJob job) throws Exception {
        return plant(pg, ((PostgresBroker) broker).schema(), job);
    }

    /**
     * Writes {@code job} as a row, past every check of enqueue; {@link Instant#MAX} is 'infinity'. Null for a
     * job the schema refuses (an id that is no UUID, args or a time missing): no such row can exist.
     */
    static String plant(PostgresExtension pg, String schema, RawJob job) throws Exception {
        if (!JobIds.isValid(job.id()) || job.args() == null || job.enqueuedAt() == null || job.scheduledAt() == null)
            return null;
        try (Connection c = pg.connect();
                PreparedStatement ps = c.prepareStatement("INSERT INTO \"" + schema + "\".kyu_jobs "
                        + "(id, task, queue, args, state, attempt, max_attempts, enqueued_at, scheduled_at) "
                        + "VALUES (?::uuid, ?, ?, ?, ?, ?, ?, ?::timestamptz, ?::timestamptz)")) {
            ps.setString(1, job.id());
            ps.setString(2, job.task());
            ps.setString(3, job.queue());
            ps.setString(4, job.args());
            ps.setString(5, job.state());
            ps.setInt(6, Math.toIntExact(job.attempt()));
            ps.setInt(7, Math.toIntExact(job.maxAttempts()));
            ps.setString(8, time(job.enqueuedAt()));
            ps.setString(9, time(job.scheduledAt()));
            ps.executeUpdate();
        }
        return job.id();
    }

    private static String time(Instant t) {
        return t.equals(Instant.MAX) ? "infinity" : t.toString();
    }
}
