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
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * A server without autovacuum is named at a process's first fetch, once, in one line without the password; a
 * process that never fetches (a producer, a CLI command) says nothing.
 */
class AutovacuumWarningTest {
    @RegisterExtension
    static final PostgresExtension pg = PostgresExtension.shared();

    @Test
    void theFirstFetchWarnsWhenAutovacuumIsOff() throws Exception {
        // Changes a server-wide setting: only on the server the tests started themselves.
        assumeTrue(pg.embedded(), "needs the embedded server");
        List<String> off = warnings("off", true);
        assertThat(off).singleElement().satisfies(line -> {
            assertThat(line).contains("autovacuum off").contains("turn autovacuum on");
            assertThat(line).doesNotContain("\n");
        });
        assertThat(warnings("on", true)).noneMatch(line -> line.contains("autovacuum"));
        assertThat(warnings("off", false)).as("open and enqueue only").noneMatch(line -> line.contains("autovacuum"));
    }

    private static List<String> warnings(String autovacuum, boolean fetch) throws Exception {
        pg.execute("ALTER SYSTEM SET autovacuum = " + autovacuum);
        pg.execute("SELECT pg_reload_conf()");
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> autovacuum.equals(setting()));
            var logger = (Logger) LoggerFactory.getLogger(PgClaims.class);
            var appender = new ListAppender<ILoggingEvent>();
            appender.start();
            logger.addAppender(appender);
            String url = pg.freshUrl();
            try (PostgresBroker b = pg.open(url)) {
                b.jobsEnqueue(
                        dev.kyu.spi.EnqueueRequest.of(List.of(dev.kyu.spi.NewJob.builder(dev.kyu.job.JobIds.next(), "t")
                                .queue("q")
                                .build())));
                if (fetch) {
                    for (int i = 0; i < 2; i++) {
                        b.jobsFetch(new dev.kyu.spi.FetchRequest(
                                "w", List.of("q"), 1, Duration.ofSeconds(30), Duration.ZERO));
                    }
                }
                pg.dropSchema(b.schema());
            } finally {
                logger.detachAppender(appender);
            }
            return appender.list.stream()
                    .filter(e -> e.getLevel() == Level.WARN)
                    .map(ILoggingEvent::getFormattedMessage)
                    .toList();
        } finally {
            pg.execute("ALTER SYSTEM RESET autovacuum");
            pg.execute("SELECT pg_reload_conf()");
        }
    }

    private static String setting() throws Exception {
        try (Connection c = pg.connect();
                ResultSet rs = c.createStatement().executeQuery("SELECT current_setting('autovacuum')")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
