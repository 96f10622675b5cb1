package dev.kyu.broker.sqlite;

import dev.kyu.job.JobIds;
import dev.kyu.testkit.faults.FaultFixture;
import dev.kyu.testkit.faults.Garbage;
import dev.kyu.testkit.faults.GarbageCase;
import dev.kyu.testkit.faults.RunHistory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The SQLite side of the fault suite. Garbage is written with plain JDBC, as another tool or a hand edit
 * would: each job case is a due job row as the engine writes it with one column replaced by a garbage value
 * of each kind (SQLite keeps whatever it is given in this non-STRICT table: text in an integer column, a
 * blob in a text column, a real infinity); the other tables get foreign rows of their own. The link columns
 * get the same, and BLOCKED rows with a wait count no release can lower (missing, text, zero, negative)
 * must not wait for ever either.
 */
final class SqliteFaultFixture implements FaultFixture {
    private static final Set<String> INTEGER_COLUMNS = Set.of(
            "priority",
            "attempt",
            "max_attempts",
            "enqueued_at",
            "scheduled_at",
            "started_at",
            "finished_at",
            "lease_expires_at",
            "timeout_ms",
            "cancel_requested",
            "waits_for");

    /** A right-typed value outside what Kyu writes, per column: the rows that bypass the input contract. */
    private static final Map<String, Object> OUT_OF_RANGE = Map.ofEntries(
            Map.entry("id", "not-a-uuid"),
            Map.entry("task", "no.such.task\u0000\n\u001b[31m"),
            Map.entry("queue", "bad queue\nname"),
            Map.entry("args", "{\"n\":\"not a number\",\"ms\":[]}"),
            Map.entry("priority", 1L << 40),
            Map.entry("state", "WEIRD"),
            Map.entry("attempt", -5L),
            Map.entry("max_attempts", -1L),
            Map.entry("enqueued_at", Long.MIN_VALUE),
            Map.entry("scheduled_at", Double.POSITIVE_INFINITY),
            Map.entry("started_at", Long.MAX_VALUE),
            Map.entry("finished_at", Long.MAX_VALUE),
            Map.entry("lease_expires_at", Long.MIN_VALUE),
            Map.entry("worker_id", "\u001b]0;owned\u0007"),
            Map.entry("result", "{\"half\":"),
            Map.entry("errors", "{\"not\":\"a list\"}"),
            Map.entry("unique_key", "\ud800"),
            Map.entry("timeout_ms", -1L),
            Map.entry("backoff", "sideways"),
            Map.entry("meta", "[1,2,3]"),
            Map.entry("cancel_requested", 7L),
            Map.entry("waits_for", -3L),
            Map.entry("dependents", "[\"not-a-job\", 42, {\"id\": null}]"),
            Map.entry("retain_with", "not-a-job"));

    /** Marks a value written as an SQL expression (text holding bytes that are not UTF-8). */
    private record Sql(String expression) {}

    private final Path file;

    SqliteFaultFixture(Path file) {
        this.file = file;
    }

    @Override
    public String engine() {
        return "sqlite";
    }

    @Override
    public String brokerUrl() {
        return "sqlite:" + file;
    }

    @Override
    public Restart restart() {
        return Restart.HOLDERS;
    }

    @Override
    public List<GarbageCase> garbage(String queue) {
        var cases = new ArrayList<GarbageCase>();
        for (String column : JobRow.COLUMNS.split(",\\s*")) {
            for (Garbage.Kind kind : Garbage.Kind.values()) {
                Object value = value(column, kind);
                cases.add(GarbageCase.of(
                        "jobs." + column + "=" + kind.name().toLowerCase(), () -> insertJob(queue, column, value)));
            }
        }
        for (Garbage.Kind kind : Garbage.Kind.values()) {
            // Zero rather than negative: a count Kyu could hold, but never in a BLOCKED row.
            Object value = kind == Garbage.Kind.OUT_OF_RANGE ? (Object) 0L : value("waits_for", kind);
            cases.add(GarbageCase.of("jobs.waits_for=" + kind.name().toLowerCase() + " while BLOCKED", () -> {
                var columns = new LinkedHashMap<String, Object>();
                columns.put("state", "BLOCKED");
                columns.put("waits_for", value);
                return insertJob(queue, columns);
            }));
        }
        for (Garbage.Kind kind : Garbage.Kind.values()) {
            // The count a BLOCKED job is released by lives in job_waits: garbage there must not keep it waiting.
            Object value = kind == Garbage.Kind.OUT_OF_RANGE ? (Object) 0L : value("waits_for", kind);
            cases.add(GarbageCase.of("job_waits.waits_for=" + kind.name().toLowerCase() + " while BLOCKED", () -> {
                var columns = new LinkedHashMap<String, Object>();
                columns.put("state", "BLOCKED");
                columns.put("waits_for", 1L);
                String id = insertJob(queue, columns);
                setWaits(id, value);
                return id;
            }));
        }
        String hex = hex(Garbage.invalidUtf8());
        for (String[] row : List.of(
                new String[] {"job_waits", "(job_id, waits_for) VALUES ('not-a-job-' || hex(randomblob(4)), 'never')"},
                new String[] {"job_waits", "(job_id, waits_for) VALUES (X'" + hex + "', -1)"},
                new String[] {
                    "unique_keys",
                    "(key, job_id, scope, until) VALUES ('u-' || hex(randomblob(8)), 'not-a-job', 'SIDEWAYS', 'never')"
                },
                new String[] {
                    "unique_keys",
                    "(key, job_id, scope, until) VALUES (CAST(X'" + hex + "' AS TEXT), X'00FF', 42, NULL)"
                },
                new String[] {
                    "stats",
                    "(minute, queue, succeeded, failed, retried) VALUES ('soon', CAST(X'" + hex
                            + "' AS TEXT), 'many', -1, 1e999)"
                },
                new String[] {
                    "stats", "(minute, queue, succeeded) VALUES (" + Long.MAX_VALUE + ", '" + queue + "', 'x')"
                },
                new String[] {
                    "workers",
                    "(id, info, heartbeat_at) VALUES ('garbage-' || hex(randomblob(4)), '{not json', 'yesterday')"
                },
                new String[] {
                    "workers",
                    "(id, info, heartbeat_at) VALUES (CAST(X'" + hex + "' AS TEXT), X'" + hex + "', " + Long.MAX_VALUE
                            + ")"
                },
                new String[] {"kv", "(key, value) VALUES ('garbage-' || hex(randomblob(4)), X'" + hex + "')"},
                new String[] {
                    "locks",
                    "(name, owner, expires_at) VALUES ('maintenance-garbage-' || hex(randomblob(4)), '', 'later')"
                },
                new String[] {"paused_queues", "(queue) VALUES (CAST(X'" + hex + "' AS TEXT))"})) {
            cases.add(GarbageCase.of(row[0] + "=foreign row", () -> {
                exec("INSERT INTO " + row[0] + " " + row[1]);
                return null;
            }));
        }
        return cases;
    }

    private static Object value(String column, Garbage.Kind kind) {
        boolean integer = INTEGER_COLUMNS.contains(column);
        return switch (kind) {
            case MISSING -> null;
            case EMPTY -> "";
            case WRONG_TYPE -> integer ? "not a number" : Garbage.invalidUtf8(); // a blob where text is kept
            case HUGE -> integer ? (Object) ("9".repeat(Garbage.HUGE_LENGTH)) : Garbage.huge();
            case INVALID_UTF8 -> new Sql("CAST(X'" + hex(Garbage.invalidUtf8()) + "' AS TEXT)");
            case OUT_OF_RANGE -> OUT_OF_RANGE.get(column);
        };
    }

    /** A due job row as the engine writes one, with {@code column} set to {@code value}; returns the row's id. */
    private String insertJob(String queue, String column, Object value) throws Exception {
        var values = new LinkedHashMap<String, Object>();
        values.put(column, value);
        return insertJob(queue, values);
    }

    /** A due job row as the engine writes one, with the given columns replaced; returns the row's id. */
    private String insertJob(String queue, Map<String, Object> columns) throws Exception {
        long now = System.currentTimeMillis();
        var row = new LinkedHashMap<String, Object>();
        String id = JobIds.next();
        row.put("id", id);
        row.put("task", RunHistory.TASK);
        row.put("queue", queue);
        row.put("args", "{\"n\":-1,\"ms\":0}");
        row.put("priority", 0L);
        row.put("state", "QUEUED");
        row.put("attempt", 0L);
        row.put("max_attempts", 3L);
        row.put("enqueued_at", now);
        row.put("scheduled_at", now);
        row.put("cancel_requested", 0L);
        row.putAll(columns);
        var names = String.join(", ", row.keySet());
        var marks = new ArrayList<String>();
        for (Object v : row.values()) marks.add(v instanceof Sql s ? s.expression() : "?");
        try (Connection c = SqliteTesting.raw(file)) {
            c.createStatement().execute("PRAGMA busy_timeout = 10000");
            try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO jobs (" + names + ") VALUES (" + String.join(", ", marks) + ")")) {
                int i = 1;
                for (Object v : row.values()) if (!(v instanceof Sql)) ps.setObject(i++, v);
                ps.executeUpdate();
            }
        }
        // A garbage id that is not text cannot be looked up: the suite's check that every job ends terminal covers it.
        if (columns.containsKey("id")) return columns.get("id") instanceof String s ? s : null;
        return id;
    }

    /** Replaces the side count of job {@code id} (its row is made by the insert trigger of a BLOCKED job). */
    private void setWaits(String id, Object value) throws Exception {
        String mark = value instanceof Sql s ? s.expression() : "?";
        try (Connection c = SqliteTesting.raw(file)) {
            c.createStatement().execute("PRAGMA busy_timeout = 10000");
            try (PreparedStatement ps =
                    c.prepareStatement("UPDATE job_waits SET waits_for = " + mark + " WHERE job_id = ?")) {
                int i = 1;
                if (!(value instanceof Sql)) ps.setObject(i++, value);
                ps.setString(i, id);
                ps.executeUpdate();
            }
        }
    }

    private void exec(String sql) throws Exception {
        try (Connection c = SqliteTesting.raw(file)) {
            c.createStatement().execute("PRAGMA busy_timeout = 10000");
            c.createStatement().execute(sql);
        }
    }

    private static String hex(byte[] bytes) {
        var sb = new StringBuilder();
        for (byte b : bytes) sb.append(String.format("%02X", b));
        return sb.toString();
    }

    @Override
    public void close() {
        // the file lives in the test's temporary directory
    }
}
