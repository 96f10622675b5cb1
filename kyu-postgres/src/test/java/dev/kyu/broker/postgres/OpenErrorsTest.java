package dev.kyu.broker.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kyu.KyuException;
import dev.kyu.spi.Broker;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.Brokers;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A bad URL, option, password, database or host fails at open with one clear line and no password in it. */
class OpenErrorsTest {
    @RegisterExtension
    static final PostgresExtension pg = PostgresExtension.shared();

    @Test
    void urlFormsAreRead() {
        PgSettings a = PgSettings.parse(
                BrokerConfig.of("postgresql://bob:s%40cret@db.example:6543/app?schema=jobs&poolSize=3"));
        assertThat(a.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6543/app");
        assertThat(a.user()).isEqualTo("bob");
        assertThat(a.password()).isEqualTo("s@cret");
        assertThat(a.schema()).isEqualTo("jobs");
        assertThat(a.poolSize()).isEqualTo(3);
        assertThat(a.redacted()).doesNotContain("cret");
        PgSettings b = PgSettings.parse(BrokerConfig.of("jdbc:postgresql://h/app?user=u&password=p&sslmode=disable"));
        assertThat(b.user()).isEqualTo("u");
        assertThat(b.driverOptions()).containsEntry("sslmode", "disable").doesNotContainKey("password");
        assertThat(PgSettings.parse(BrokerConfig.of("postgres://h/app")).schema())
                .isEqualTo("kyu");
        assertThat(PgSettings.parse(new BrokerConfig("postgres://h/app", null, Map.of("schema", "s2")))
                        .schema())
                .isEqualTo("s2");
    }

    @Test
    void badUrlsAndOptionsAreRefused() {
        assertThatThrownBy(() -> PgSettings.parse(BrokerConfig.of("postgresql://u:hunter2@h/app?colour=blue")))
                .isInstanceOf(KyuException.BrokerConfig.class)
                .hasMessageContaining("colour")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> PgSettings.parse(BrokerConfig.of("postgresql://h")))
                .isInstanceOf(KyuException.BrokerConfig.class)
                .hasMessageContaining("database");
        assertThatThrownBy(() -> PgSettings.parse(BrokerConfig.of("postgresql://h/db?poolSize=zero")))
                .isInstanceOf(KyuException.BrokerConfig.class)
                .hasMessageContaining("poolSize='zero'");
        assertThatThrownBy(() -> PgSettings.parse(BrokerConfig.of("postgresql://h/db?schema=Robert');DROP")))
                .isInstanceOf(KyuException.BrokerConfig.class)
                .hasMessageContaining("bad schema name");
        for (String system : new String[] {"pg_catalog", "pg_toast", "information_schema"}) {
            assertThatThrownBy(() -> PgSettings.parse(BrokerConfig.of("postgresql://h/db?schema=" + system)))
                    .isInstanceOf(KyuException.BrokerConfig.class)
                    .hasMessageContaining("schema '" + system + "' belongs to PostgreSQL itself");
        }
        assertThatThrownBy(() -> PgSettings.parse(BrokerConfig.of("postgresql://u:pw@127.0.0.1:notaport/db")))
                .isInstanceOf(KyuException.BrokerConfig.class)
                .hasMessageContaining("port 'notaport' is not a number");
        assertThatThrownBy(() -> PgSettings.parse(BrokerConfig.of("postgresql://h1:5432,h2:99999/db")))
                .isInstanceOf(KyuException.BrokerConfig.class)
                .hasMessageContaining("port '99999'");
        assertThat(PgSettings.parse(BrokerConfig.of("postgresql://h1:5432,[::1]:5433,h3/db"))
                        .hostPort())
                .isEqualTo("h1:5432,[::1]:5433,h3");
        assertThatThrownBy(() -> PgSettings.parse(BrokerConfig.of("postgresql://u:S3c%ZZret@h/db")))
                .isInstanceOf(KyuException.BrokerConfig.class)
                .hasMessageContaining("invalid %-escape in the password at character 4")
                .hasMessageNotContaining("S3c%ZZret");
    }

    @Test
    void driverOptionsTheDriverRefusesAreTheUrlsFault() throws Exception {
        String base = pg.baseUrl();
        String sep = base.contains("?") ? "&" : "?";
        assertThatThrownBy(() -> Brokers.open(base + sep + "sslmode=bogus"))
                .isInstanceOf(KyuException.BrokerConfig.class)
                .hasMessageContaining("Invalid sslmode value: bogus")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void noPasswordForAServerThatAsksForOneSaysSo() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(pg.embedded(), "the embedded server checks passwords");
        String base = pg.baseUrl();
        String hostAndDb = base.substring(base.indexOf('@') + 1);
        assertThatThrownBy(() -> Brokers.open("postgresql://postgres@" + hostAndDb))
                .isInstanceOf(KyuException.BrokerConfig.class)
                .hasMessageContaining("asks for a password and the URL gives none")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void providerIsFoundByScheme() throws Exception {
        String url = pg.freshUrl();
        try (Broker b = Brokers.open(url)) {
            assertThat(b).isInstanceOf(PostgresBroker.class);
            assertThat(b.now()).isNotNull();
            pg.dropSchema(((PostgresBroker) b).schema());
        }
    }

    @Test
    void wrongPasswordIsOneLineWithoutThePassword() throws Exception {
        String base = pg.baseUrl();
        String hostAndDb = base.substring(base.indexOf('@') + 1);
        var thrown = org.assertj.core.api.Assertions.catchThrowable(
                () -> Brokers.open("postgresql://postgres:wrong-secret@" + hostAndDb + "?schema=" + pg.freshSchema()));
        if (pg.embedded()) {
            assertThat(thrown)
                    .isInstanceOf(KyuException.BrokerConfig.class)
                    .hasMessageContaining("refused the login of user 'postgres'");
        }
        if (thrown != null) {
            assertThat(thrown).hasMessageNotContaining("wrong-secret");
            assertThat(thrown.getMessage()).doesNotContain("\n");
        }
    }

    @Test
    void missingDatabaseIsBrokerConfig() throws Exception {
        String base = pg.baseUrl();
        String creds = base.substring(0, base.lastIndexOf('/'));
        assertThatThrownBy(() -> Brokers.open(creds + "/no_such_db"))
                .isInstanceOf(KyuException.BrokerConfig.class)
                .hasMessageContaining("database 'no_such_db' does not exist")
                .satisfies(e -> assertThat(e.getMessage())
                        .doesNotContain(EmbeddedPg.PASSWORD)
                        .doesNotContain("\n"));
    }

    @Test
    void unreachableServerIsBrokerUnavailable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        assertThatThrownBy(() -> Brokers.open("postgresql://u:topsecret@127.0.0.1:" + port + "/db"))
                .isInstanceOf(KyuException.BrokerUnavailable.class)
                .hasMessageContaining("127.0.0.1:" + port)
                .hasMessageNotContaining("topsecret")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
