package dev.kyu.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/** A library that logs a broker restart with an exception still makes one line, with the causes' messages in it. */
class OneLineLogsTest {

    private static String logged(boolean traces) {
        PrintStream old = System.err;
        var buf = new ByteArrayOutputStream();
        boolean before = OneLineLogs.traces;
        try {
            System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
            OneLineLogs.traces = traces;
            Logger log = new OneLineLogs().getLoggerFactory().getLogger("com.zaxxer.hikari.pool.HikariPool");
            var e = new java.sql.SQLException(
                    "Connection to 127.0.0.1:5432 refused.\nCheck that the hostname and port are correct",
                    "08001",
                    new ConnectException("Connection refused"));
            log.warn(
                    "{} - Connection {} marked as broken", "kyu-postgres-kyu", "org.postgresql.jdbc.PgConnection@1", e);
        } finally {
            System.setErr(old);
            OneLineLogs.traces = before;
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void anExceptionIsFoldedIntoItsLine() {
        String out = logged(false);
        assertThat(out.lines().toList()).hasSize(1);
        assertThat(out)
                .contains(
                        "kyu-postgres-kyu - Connection org.postgresql.jdbc.PgConnection@1 marked as broken (java.sql.SQLException: "
                                + "Connection to 127.0.0.1:5432 refused. Check that the hostname and port are correct; caused by java.net.ConnectException: Connection refused)");
        assertThat(out).doesNotContain("\tat ");
    }

    @Test
    void verboseKeepsTheStackTrace() {
        String out = logged(true);
        assertThat(out).contains("marked as broken").contains("\tat ").contains("Caused by: java.net.ConnectException");
    }
}
