package dev.kyu.broker.postgres;

import dev.kyu.spi.BrokerConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.UUID;

/**
 * The PostgreSQL the tests use: the one {@code KYU_TEST_POSTGRES_URL} names (a {@code postgresql://}
 * URL), else one embedded server started once per JVM. Each test gets a fresh schema, so tests never see
 * each other's jobs.
 */
final class TestPostgres {
    private static String baseUrl;
    private static boolean embedded;

    private TestPostgres() {}

    static synchronized String baseUrl() throws Exception {
        if (baseUrl == null) {
            String env = System.getenv("KYU_TEST_POSTGRES_URL");
            if (env != null && !env.isBlank()) {
                baseUrl = env.contains("?") ? env.substring(0, env.indexOf('?')) : env;
            } else {
                EmbeddedPg pg = EmbeddedPg.start();
                baseUrl = pg.url("kyu").substring(0, pg.url("kyu").indexOf('?'));
                embedded = true;
            }
        }
        return baseUrl;
    }

    /** True when the tests started the server themselves (and so know it checks passwords). */
    static synchronized boolean embedded() throws Exception {
        baseUrl();
        return embedded;
    }

    static String freshSchema() {
        return "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    /** A broker URL on a fresh schema. */
    static String freshUrl() throws Exception {
        return baseUrl() + "?schema=" + freshSchema() + "&poolSize=4";
    }

    static PostgresBroker open(String url) {
        return new PostgresBroker(PgSettings.parse(BrokerConfig.of(url)));
    }

    /** A plain JDBC connection (autocommit on) to the test database, as an application would hold one. */
    static Connection connect() throws Exception {
        PgSettings s = PgSettings.parse(BrokerConfig.of(baseUrl()));
        Properties p = s.driverProperties();
        return DriverManager.getConnection(s.jdbcUrl(), p);
    }

    static void dropSchema(String schema) {
        try (Connection c = connect()) {
            c.createStatement().execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
        } catch (Exception ignored) {
            // best effort: the server is thrown away at the end anyway
        }
    }

    static void execute(String sql) throws Exception {
        try (Connection c = connect()) {
            c.createStatement().execute(sql);
        } catch (SQLException e) {
            throw e;
        }
    }
}
