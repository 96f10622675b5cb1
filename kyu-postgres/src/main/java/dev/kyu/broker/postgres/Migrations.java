package dev.kyu.broker.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Brings the schema up to date. The SQL files ship in this jar under
 * {@code dev/kyu/broker/postgres/migrations/} (the same files users hand to Flyway or Liquibase). All of
 * it runs in one transaction under a transaction-scoped advisory lock keyed by the schema name, so any
 * number of processes may start at once: one migrates, the others wait for its commit and find nothing
 * left to do.
 */
final class Migrations {
    /** In order; each file records its own version in kyu_schema_version. */
    static final List<String> FILES = List.of(
            "V1__jobs.sql",
            "V2__lean_indexes.sql",
            "V3__fence_progress.sql",
            "V4__result_ttl.sql",
            "V5__job_links.sql",
            "V6__awaited_jobs.sql");

    static final int LATEST = FILES.size();

    private Migrations() {}

    /**
     * At open: applies the migrations, or with migrate=false refuses a schema older than {@link #LATEST}
     * (the operator applies the SQL files through their own tooling).
     */
    static void prepare(javax.sql.DataSource pool, PgSettings settings) {
        try (Connection c = pool.getConnection()) {
            if (settings.migrate()) {
                apply(c, settings.schema());
            } else {
                int v = currentVersion(c, settings.schema());
                if (v < LATEST) {
                    throw new dev.kyu.KyuException.BrokerConfig("schema '" + settings.schema() + "' at "
                            + settings.redacted() + " is at version " + v + ", Kyu needs " + LATEST
                            + ": apply the SQL files in dev/kyu/broker/postgres/migrations/ or drop migrate=false");
                }
            }
        } catch (SQLException e) {
            throw PgErrors.atOpen(settings, e);
        }
    }

    static void apply(Connection c, String schema) throws SQLException {
        // Mostly there is nothing to do: one look without the lock or a transaction (two short queries
        // instead of seven round trips; it matters to a one-shot command, docs/cli.md "Start time").
        if (upToDate(c, schema)) return;
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("SELECT pg_advisory_xact_lock(" + lockKey(schema) + ")");
            boolean exists;
            try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_namespace WHERE nspname = '" + schema + "'")) {
                exists = rs.next();
            }
            if (!exists) st.execute("CREATE SCHEMA \"" + schema + "\"");
            st.execute("SET LOCAL search_path TO \"" + schema + "\"");
            Set<Integer> applied = appliedVersions(st, schema);
            for (int i = 0; i < FILES.size(); i++) {
                if (!applied.contains(i + 1)) st.execute(read(FILES.get(i)));
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /** Whether every migration is recorded as applied; false too when the schema or its version table is missing. */
    private static boolean upToDate(Connection c, String schema) throws SQLException {
        try (Statement st = c.createStatement()) {
            Set<Integer> applied = appliedVersions(st, schema);
            for (int v = 1; v <= FILES.size(); v++) if (!applied.contains(v)) return false;
            return true;
        }
    }

    /** The highest version recorded, 0 when the schema or its version table is missing. */
    static int currentVersion(Connection c, String schema) throws SQLException {
        try (Statement st = c.createStatement()) {
            Set<Integer> v = appliedVersions(st, schema);
            return v.stream().mapToInt(Integer::intValue).max().orElse(0);
        }
    }

    private static Set<Integer> appliedVersions(Statement st, String schema) throws SQLException {
        var out = new HashSet<Integer>();
        boolean table;
        try (ResultSet rs =
                st.executeQuery("SELECT to_regclass('\"" + schema + "\".kyu_schema_version') IS NOT NULL")) {
            rs.next();
            table = rs.getBoolean(1);
        }
        if (!table) return out;
        try (ResultSet rs = st.executeQuery("SELECT version FROM \"" + schema + "\".kyu_schema_version")) {
            while (rs.next()) out.add(rs.getInt(1));
        }
        return out;
    }

    /** A stable 64-bit key per schema, so that migrations of different schemas do not wait for each other. */
    static long lockKey(String schema) {
        long h = 0x6b79755f6d696772L; // "kyu_migr"
        for (byte b : schema.getBytes(StandardCharsets.UTF_8)) h = (h ^ b) * 0x100000001b3L;
        return h;
    }

    static String read(String file) {
        String path = "/dev/kyu/broker/postgres/migrations/" + file;
        try (InputStream in = Migrations.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException("migration " + path + " is missing from the jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read migration " + path, e);
        }
    }
}
