package dev.kyu.broker.postgres;

import dev.kyu.job.JobIds;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.testkit.faults.FaultFixture;
import dev.kyu.testkit.faults.Garbage;
import dev.kyu.testkit.faults.GarbageCase;
import dev.kyu.testkit.faults.RunHistory;
import dev.kyu.testkit.faults.TcpProxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The PostgreSQL side of the fault suite: a server of its own (stopped and started by the suite), a
 * {@link TcpProxy} in front of it for the workers, and garbage written with plain SQL. PostgreSQL's types
 * refuse much of it (text in an int column, invalid UTF-8, NULL in a NOT NULL column): those cases count
 * as refused by the storage. What its types admit is what Kyu must survive: values outside what Kyu
 * writes (infinite times, negative attempts, a foreign state or queue name, text that is not Kyu's JSON).
 */
final class PostgresFaultFixture implements FaultFixture {
    private static final String SCHEMA = "faults";

    /** Each column of kyu_jobs and its type. */
    private static final Map<String, String> COLUMNS = columns(
            "id uuid",
            "task text",
            "queue text",
            "args text",
            "priority int",
            "state text",
            "attempt int",
            "max_attempts int",
            "enqueued_at timestamptz",
            "scheduled_at timestamptz",
            "started_at timestamptz",
            "finished_at timestamptz",
            "lease_expires_at timestamptz",
            "worker_id text",
            "result text",
            "errors text",
            "unique_key text",
            "unique_scope text",
            "unique_claim text",
            "timeout_ms bigint",
            "backoff text",
            "meta text",
            "cancel_requested boolean",
            "waits_for int",
            "dependents uuid[]",
            "retain_with uuid");

    /** A right-typed SQL value outside what Kyu writes, per column. */
    private static final Map<String, String> OUT_OF_RANGE = Map.ofEntries(
            Map.entry("id", "'00000000-0000-0000-0000-000000000000'"),
            Map.entry("task", "E'no.such.task\\n\\u001b[31m'"),
            Map.entry("queue", "E'bad queue\\nname'"),
            Map.entry("args", "'{\"n\":\"not a number\",\"ms\":[]}'"),
            Map.entry("priority", "2147483647"),
            Map.entry("state", "'WEIRD'"),
            Map.entry("attempt", "-5"),
            Map.entry("max_attempts", "-1"),
            Map.entry("enqueued_at", "'-infinity'"),
            Map.entry("scheduled_at", "'infinity'"),
            Map.entry("started_at", "'infinity'"),
            Map.entry("finished_at", "'infinity'"),
            Map.entry("lease_expires_at", "'-infinity'"),
            Map.entry("worker_id", "E'\\u001b]0;owned\\u0007'"),
            Map.entry("result", "'{\"half\":'"),
            Map.entry("errors", "'{\"not\":\"a list\"}'"),
            Map.entry("unique_key", "repeat('k', 3000)"),
            Map.entry("unique_scope", "'SIDEWAYS'"),
            Map.entry("unique_claim", "'claim-' || gen_random_uuid()"),
            Map.entry("timeout_ms", "-1"),
            Map.entry("backoff", "'sideways'"),
            Map.entry("meta", "'[1,2,3]'"),
            Map.entry("cancel_requested", "true"),
            // a count below zero; dependents that are missing, null, the nil id and many; a job kept with one that
            // never was
            Map.entry("waits_for", "-5"),
            Map.entry("dependents", "ARRAY[NULL, '00000000-0000-0000-0000-000000000000', gen_random_uuid()]::uuid[]"),
            Map.entry("retain_with", "gen_random_uuid()"));

    private final EmbeddedPg pg;
    private final TcpProxy proxy;

    private PostgresFaultFixture(EmbeddedPg pg, TcpProxy proxy) {
        this.pg = pg;
        this.proxy = proxy;
    }

    static PostgresFaultFixture start() throws Exception {
        var pg = EmbeddedPg.start();
        return new PostgresFaultFixture(pg, new TcpProxy("127.0.0.1", pg.port()));
    }

    private static Map<String, String> columns(String... specs) {
        var out = new LinkedHashMap<String, String>();
        for (String s : specs) out.put(s.split(" ")[0], s.split(" ")[1]);
        return out;
    }

    @Override
    public String engine() {
        return "postgresql";
    }

    @Override
    public String brokerUrl() {
        return pg.url(SCHEMA);
    }

    @Override
    public String workerUrl() {
        return pg.url(SCHEMA).replace(":" + pg.port() + "/", ":" + proxy.port() + "/");
    }

    @Override
    public Restart restart() {
        return Restart.SERVER;
    }

    @Override
    public void restartServer() throws Exception {
        pg.stopServer();
        pg.startServer();
    }

    @Override
    public boolean blackholes() {
        return true;
    }

    @Override
    public void dark() {
        proxy.dark();
    }

    @Override
    public void light() {
        proxy.light();
    }

    @Override
    public List<GarbageCase> garbage(String queue) {
        var cases = new ArrayList<GarbageCase>();
        for (String column : COLUMNS.keySet()) {
            for (Garbage.Kind kind : Garbage.Kind.values()) {
                String value = value(column, kind);
                cases.add(GarbageCase.of(
                        "kyu_jobs." + column + "=" + kind.name().toLowerCase(), () -> insertJob(queue, column, value)));
            }
        }
        for (String[] row : List.of(
                new String[] {
                    "kyu_unique_periods",
                    "(key, job_id, until) VALUES ('garbage-' || gen_random_uuid(), gen_random_uuid(), 'infinity')"
                },
                new String[] {
                    "kyu_unique_periods",
                    "(key, job_id, until) VALUES ('', '00000000-0000-0000-0000-000000000000', '-infinity')"
                },
                new String[] {"kyu_queues", "(queue, paused) VALUES (E'bad\\nqueue ' || gen_random_uuid(), true)"},
                new String[] {"kyu_queues", "(queue, paused) VALUES (repeat('q', 100000) || gen_random_uuid(), false)"},
                new String[] {
                    "kyu_stats",
                    "(minute, queue, succeeded, failed, retried) VALUES ('infinity', '" + queue
                            + "', -1, 9223372036854775807, -9223372036854775808)"
                },
                new String[] {"kyu_stats", "(minute, queue, succeeded) VALUES ('-infinity', E'\\u001b[31m', 1)"},
                new String[] {
                    "kyu_workers",
                    "(id, info, heartbeat_at) VALUES ('garbage-' || gen_random_uuid(), '{not json', 'infinity')"
                },
                new String[] {
                    "kyu_workers",
                    "(id, info, heartbeat_at) VALUES ('garbage-' || gen_random_uuid(), repeat('x', "
                            + Garbage.HUGE_LENGTH + "), '-infinity')"
                },
                new String[] {"kyu_kv", "(key, value) VALUES ('garbage-' || gen_random_uuid(), E'\\u0001not a value')"},
                new String[] {
                    "kyu_locks", "(name, owner, expires_at) VALUES ('garbage-' || gen_random_uuid(), '', 'infinity')"
                })) {
            cases.add(GarbageCase.of(row[0] + "=foreign row", () -> {
                exec("INSERT INTO " + row[0] + " " + row[1]);
                return null;
            }));
        }
        return cases;
    }

    private static String value(String column, Garbage.Kind kind) {
        String type = COLUMNS.get(column);
        boolean text = type.equals("text");
        return switch (kind) {
            case MISSING -> "NULL";
            case EMPTY -> type.equals("uuid[]") ? "'{}'" : "''";
            // A number as text: with its '+' it is no valid task or queue name either ('1.5e300' is one, and a
            // job in a queue of that name rightly waits for a worker of that queue).
            case WRONG_TYPE ->
                text
                        ? (column.equals("args") || column.equals("meta") || column.equals("errors")
                                ? "'42'"
                                : "'1.5e+300'")
                        : "'not a number'";
            // uuid[] holds no long text: many ids instead, each released (and found missing) when the job ends
            case HUGE ->
                type.equals("uuid[]")
                        ? "ARRAY(SELECT gen_random_uuid() FROM generate_series(1, 20000))"
                        : "repeat('" + (text ? "x" : "9") + "', " + Garbage.HUGE_LENGTH + ")";
            case INVALID_UTF8 -> "convert_from('\\x80c0afe282'::bytea, 'UTF8')";
            case OUT_OF_RANGE -> OUT_OF_RANGE.get(column);
        };
    }

    /** A due job row as the engine writes one, with {@code column} set to the SQL value {@code value}; returns the row's id. */
    private String insertJob(String queue, String column, String value) throws Exception {
        String id = JobIds.next();
        var row = new LinkedHashMap<String, String>();
        row.put("id", "'" + id + "'");
        row.put("task", "'" + RunHistory.TASK + "'");
        row.put("queue", "'" + queue + "'");
        row.put("args", "'{\"n\":-1,\"ms\":0}'");
        row.put("priority", "0");
        row.put("state", "'QUEUED'");
        row.put("attempt", "0");
        row.put("max_attempts", "3");
        row.put("enqueued_at", "now()");
        row.put("scheduled_at", "now()");
        row.put(column, value);
        var values = new ArrayList<String>();
        row.forEach((c, v) -> values.add("(" + v + ")::" + COLUMNS.get(c)));
        exec("INSERT INTO kyu_jobs (" + String.join(", ", row.keySet()) + ") VALUES (" + String.join(", ", values)
                + ")");
        if (column.equals("id")) return value.startsWith("'") ? value.substring(1, value.length() - 1) : null;
        return id;
    }

    private void exec(String sql) throws Exception {
        PgSettings s = PgSettings.parse(BrokerConfig.of(brokerUrl()));
        try (Connection c = DriverManager.getConnection(s.jdbcUrl(), s.driverProperties())) {
            c.createStatement().execute("SET search_path TO " + SCHEMA);
            c.createStatement().execute(sql);
        }
    }

    @Override
    public void close() {
        proxy.close();
        pg.close();
    }
}
