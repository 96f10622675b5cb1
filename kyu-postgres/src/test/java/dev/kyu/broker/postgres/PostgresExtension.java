package dev.kyu.broker.postgres;

import dev.kyu.spi.BrokerConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The PostgreSQL a test class runs against:
 * {@code @RegisterExtension static final PostgresExtension pg = PostgresExtension.shared();}. Each test works
 * in schemas of its own ({@link #freshUrl()}), so tests never see each other's jobs; the schemas handed out
 * are dropped after the class's last test.
 */
final class PostgresExtension implements BeforeAllCallback, AfterAllCallback {
    private final boolean ownServer;
    private final List<String> schemas = new CopyOnWriteArrayList<>();
    private EmbeddedPg server; // with ownServer only
    private String baseUrl;
    private boolean embedded;
    // @Nested classes inherit the extension and call it around themselves too: the server and the schemas
    // live from the outermost class's start to its end, shared by the classes nested in it.
    private int depth;

    private PostgresExtension(boolean ownServer) {
        this.ownServer = ownServer;
    }

    /** The server {@code KYU_TEST_POSTGRES_URL} names, else one embedded server shared by every class of the JVM. */
    static PostgresExtension shared() {
        return new PostgresExtension(false);
    }

    /** An embedded server of the class's own, which its tests may stop and start ({@link #server()}). */
    static PostgresExtension ownServer() {
        return new PostgresExtension(true);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (depth++ > 0) return;
        if (ownServer) {
            server = EmbeddedPg.start();
            baseUrl = withoutQuery(server.url("kyu"));
            embedded = true;
        } else {
            baseUrl = Shared.baseUrl();
            embedded = Shared.embedded();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (--depth > 0) return;
        schemas.forEach(this::dropSchema);
        schemas.clear();
        if (server != null) server.close();
        server = null;
    }

    /** The server's URL without a query: no schema, no options. */
    String baseUrl() {
        return baseUrl;
    }

    /** True when the tests started the server themselves (and so know it checks passwords). */
    boolean embedded() {
        return embedded;
    }

    /** The embedded server of {@link #ownServer()}, to stop and start. */
    EmbeddedPg server() {
        if (server == null)
            throw new IllegalStateException("only an ownServer() extension has a server to stop and start");
        return server;
    }

    /** A new schema name, dropped after the class. */
    String freshSchema() {
        String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        schemas.add(schema);
        return schema;
    }

    /** A broker URL on the given schema. */
    String url(String schema) {
        return baseUrl + "?schema=" + schema + "&poolSize=4";
    }

    /** A broker URL on a fresh schema. */
    String freshUrl() {
        return url(freshSchema());
    }

    PostgresBroker open(String url) {
        return new PostgresBroker(PgSettings.parse(BrokerConfig.of(url)));
    }

    /** A broker on a fresh schema. */
    PostgresBroker openFresh() {
        return open(freshUrl());
    }

    /** A plain JDBC connection (autocommit on) to the test database, as an application would hold one. */
    Connection connect() throws Exception {
        PgSettings s = PgSettings.parse(BrokerConfig.of(baseUrl));
        Properties p = s.driverProperties();
        return DriverManager.getConnection(s.jdbcUrl(), p);
    }

    void execute(String sql) throws Exception {
        try (Connection c = connect()) {
            c.createStatement().execute(sql);
        }
    }

    void dropSchema(String schema) {
        try (Connection c = connect()) {
            c.createStatement().execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
        } catch (Exception ignored) {
            // best effort: an embedded server is thrown away at the end anyway
        }
    }

    private static String withoutQuery(String url) {
        return url.contains("?") ? url.substring(0, url.indexOf('?')) : url;
    }

    /** The server every shared() extension of the JVM uses, started on first need; stopped by a shutdown hook. */
    private static final class Shared {
        private static String baseUrl;
        private static boolean embedded;

        static synchronized String baseUrl() throws Exception {
            if (baseUrl == null) {
                String env = System.getenv("KYU_TEST_POSTGRES_URL");
                if (env != null && !env.isBlank()) {
                    baseUrl = withoutQuery(env);
                } else {
                    baseUrl = withoutQuery(EmbeddedPg.start().url("kyu"));
                    embedded = true;
                }
            }
            return baseUrl;
        }

        static synchronized boolean embedded() {
            return embedded;
        }
    }
}
