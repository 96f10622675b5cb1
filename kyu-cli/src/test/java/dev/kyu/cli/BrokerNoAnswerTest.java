package dev.kyu.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.testkit.TcpBlackhole;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker address that accepts TCP and never answers ends {@code kyu enqueue} and {@code kyu inspect}
 * with exit 1 and one line naming the broker, within the URL's timeout, never the password; so does a
 * SQLite file whose write lock another process holds and never releases; a bad
 * %-escape anywhere in any engine's URL is exit 2 and one line saying where it is.
 */
class BrokerNoAnswerTest {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aSilentBrokerEndsTheCommandWithOneLine() throws Exception {
        try (TcpBlackhole hole = TcpBlackhole.silent()) {
            for (String url : List.of(
                    "postgresql://u:topsecret@" + hole.hostPort() + "/db?connectTimeout=1s",
                    "redis://:topsecret@" + hole.hostPort() + "?timeout=1s")) {
                // The first command also loads the engine's client classes, seconds on a busy machine: only the
                // later ones are timed.
                boolean first = true;
                for (String[] command : List.of(
                        new String[] {"enqueue", "kyu.noop"},
                        new String[] {"enqueue", "kyu.noop"},
                        new String[] {"inspect", "queues"})) {
                    long start = System.nanoTime();
                    var all = new java.util.ArrayList<>(List.of("--broker", url));
                    all.addAll(List.of(command));
                    CliRunner.Result r = CliRunner.runRaw(all.toArray(String[]::new));
                    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
                    assertThat(r.errLines()).as(r.toString()).hasSize(1);
                    assertThat(r.err())
                            .startsWith("kyu: ")
                            .contains(hole.hostPort())
                            .doesNotContain("topsecret")
                            .doesNotContain("\tat ");
                    if (!first) assertThat(ms).as(r.toString()).isLessThan(5_000);
                    first = false;
                }
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aSqliteFileWriteLockedByAFrozenProcessEndsEnqueueWithOneLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("kyu.db");
        String url = "sqlite:" + file + "?busyTimeout=300";
        assertThat(CliRunner.runRaw("--broker", url, "inspect", "queues").exitCode())
                .isZero(); // creates the file
        try (Connection frozen = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            frozen.createStatement().execute("BEGIN IMMEDIATE"); // what a process stopped inside a write holds
            long start = System.nanoTime();
            CliRunner.Result r = CliRunner.runRaw("--broker", url, "enqueue", "kyu.noop");
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            assertThat(r.errLines()).as(r.toString()).hasSize(1);
            assertThat(r.err())
                    .startsWith("kyu: sqlite broker " + file)
                    .contains("cannot enqueue: another process held the file's write lock")
                    .contains("SIGSTOP");
            assertThat(ms).as(r.toString()).isLessThan(5_000);
            // reads need no lock: inspect still works
            assertThat(CliRunner.runRaw("--broker", url, "inspect", "queues").exitCode())
                    .isZero();
            frozen.createStatement().execute("ROLLBACK");
        }
        assertThat(CliRunner.runRaw("--broker", url, "enqueue", "kyu.noop").exitCode())
                .isZero();
    }

    @Test
    void aBadPercentEscapeIsOneLineSayingWhere() {
        record Case(String url, String says) {}
        for (Case c : List.of(
                new Case("postgresql://u:S3c%ZZret@127.0.0.1/db", "invalid %-escape in the password at character 4"),
                new Case("postgresql://u%G1:pw@127.0.0.1/db", "invalid %-escape in the user name at character 2"),
                new Case("postgresql://u:pw@127.0.0.1/d%b", "invalid %-escape in the database name at character 2"),
                new Case(
                        "postgresql://u:pw@127.0.0.1/db?schema=%zz",
                        "invalid %-escape in option schema at character 1"),
                new Case(
                        "postgresql://u:pw@127.0.0.1/db?sche%ma=x",
                        "invalid %-escape in an option name at character 5"),
                new Case("redis://:S3c%ZZret@127.0.0.1", "invalid %-escape in the password at character 4"),
                new Case("redis://us%r:S3cret@127.0.0.1", "invalid %-escape in the user name at character 3"),
                new Case("redis://127.0.0.1?prefix=a%", "invalid %-escape in option prefix at character 2"),
                new Case("redis://127.0.0.1?pre%fix=a", "invalid %-escape in an option name at character 4"),
                new Case(
                        "redis://:S3c%FFret@127.0.0.1",
                        "invalid %-escape in the password: the escaped bytes are not UTF-8"),
                new Case("sqlite:kyu.db?busyTimeout=5%s", "invalid %-escape in option busyTimeout at character 2"),
                new Case("sqlite:kyu.db?busy%Timeout=5s", "invalid %-escape in an option name at character 5"))) {
            CliRunner.Result r = CliRunner.runRaw("--broker", c.url(), "inspect", "queues");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.errLines()).as(r.toString()).hasSize(1);
            assertThat(r.err())
                    .as(c.url())
                    .startsWith("kyu: bad ")
                    .contains("broker URL")
                    .contains(c.says())
                    .doesNotContain("S3c")
                    .doesNotContain("URLDecoder")
                    .doesNotContain("Illegal hex");
        }
    }
}
