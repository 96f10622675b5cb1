package dev.kyu.broker.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A server without autovacuum is named at open, once, in one line without the password. */
class AutovacuumWarningTest {

    @Test
    void openWarnsWhenAutovacuumIsOff() throws Exception {
        // Changes a server-wide setting: only on the server the tests started themselves.
        assumeTrue(TestPostgres.embedded(), "needs the embedded server");
        List<String> off = warningsAtOpen("off");
        assertThat(off).singleElement().satisfies(line -> {
            assertThat(line).contains("autovacuum off").contains("turn autovacuum on");
            assertThat(line).doesNotContain("\n");
        });
        assertThat(warningsAtOpen("on")).noneMatch(line -> line.contains("autovacuum"));
    }

    private static List<String> warningsAtOpen(String autovacuum) throws Exception {
        TestPostgres.execute("ALTER SYSTEM SET autovacuum = " + autovacuum);
        TestPostgres.execute("SELECT pg_reload_conf()");
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> autovacuum.equals(setting()));
            var logger = (Logger) LoggerFactory.getLogger(PostgresBroker.class);
            var appender = new ListAppender<ILoggingEvent>();
            appender.start();
            logger.addAppender(appender);
            String url = TestPostgres.freshUrl();
            try (PostgresBroker b = TestPostgres.open(url)) {
                TestPostgres.dropSchema(b.schema());
            } finally {
                logger.detachAppender(appender);
            }
            return appender.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
        } finally {
            TestPostgres.execute("ALTER SYSTEM RESET autovacuum");
            TestPostgres.execute("SELECT pg_reload_conf()");
        }
    }

    private static String setting() throws Exception {
        try (Connection c = TestPostgres.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT current_setting('autovacuum')")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
