package dev.kyu.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.flow.AgingRule;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** {@code kyu aging}, {@code kyu aging set} and {@code kyu aging remove} on a SQLite broker; bad input exits 2 in one line. */
class AgingCommandTest extends CliTestBase {

    @Test
    void setListAndRemoveARule() {
        var none = cli.run("aging");
        assertThat(none.exitCode()).as(none.toString()).isZero();
        assertThat(none.out()).startsWith("no aging rules on sqlite:");

        var set = cli.run("aging", "set", "reports", "--every", "1m", "--ceiling", "5");
        assertThat(set.exitCode()).as(set.toString()).isZero();
        assertThat(set.out())
                .isEqualTo("queue reports ages: each 1m a job waits, its priority rises by one, up to 5\n");
        assertThat(cli.run("aging", "set", "mail", "--every", "PT30S", "--ceiling", "-1")
                        .exitCode())
                .isZero();
        assertThat(kyu.aging().list())
                .containsExactly(
                        new AgingRule("mail", Duration.ofSeconds(30), -1),
                        new AgingRule("reports", Duration.ofMinutes(1), 5));

        kyu.broker()
                .kvPut(
                        "kyu.flow.aged/reports",
                        kyu.broker().now().minusSeconds(5).toString());
        var table = cli.run("aging");
        assertThat(table.exitCode()).as(table.toString()).isZero();
        assertThat(table.out().lines())
                .containsExactly(
                        "QUEUE    EVERY  CEILING  LAST STEP",
                        "mail     30s    -1       -",
                        "reports  1m     5        5s ago");

        var json = cli.run("aging", "--json");
        assertThat(json.exitCode()).as(json.toString()).isZero();
        var rows = json.json();
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).get("queue").asText()).isEqualTo("mail");
        assertThat(rows.get(0).get("every").asText()).isEqualTo("PT30S");
        assertThat(rows.get(0).get("ceiling").asInt()).isEqualTo(-1);
        assertThat(rows.get(0).get("lastStepAt").isNull()).isTrue();
        assertThat(Instant.parse(rows.get(1).get("lastStepAt").asText()))
                .isBefore(kyu.broker().now());

        var removed = cli.run("aging", "remove", "reports");
        assertThat(removed.exitCode()).as(removed.toString()).isZero();
        assertThat(removed.out()).isEqualTo("queue reports no longer ages\n");
        assertThat(kyu.aging().list()).extracting(AgingRule::queue).containsExactly("mail");
        assertThat(kyu.broker().kvGet("kyu.flow.aged/reports")).isEmpty();
        var again = cli.run("aging", "remove", "reports");
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).isEqualTo("queue reports had no aging rule\n");
    }

    @Test
    void settingAgainReplacesTheRule() {
        assertThat(cli.run("aging", "set", "reports", "--every", "1m", "--ceiling", "5")
                        .exitCode())
                .isZero();
        assertThat(cli.run("aging", "set", "reports", "--every", "2h", "--ceiling", "9")
                        .exitCode())
                .isZero();
        assertThat(kyu.aging().list()).containsExactly(new AgingRule("reports", Duration.ofHours(2), 9));
    }

    @Test
    void badInputExitsTwoInOneLineAndStoresNothing() {
        assertBad(
                new String[] {"aging", "set", "reports", "--every", "500ms", "--ceiling", "5"},
                "kyu: aging of queue reports: every must be at least 1s, was 500ms");
        assertBad(
                new String[] {"aging", "set", "reports", "--every", "0s", "--ceiling", "5"},
                "kyu: aging of queue reports: every must be at least 1s, was 0s");
        assertBad(new String[] {"aging", "set", "reports", "--every", "soon", "--ceiling", "5"}, "soon");
        assertBad(new String[] {"aging", "set", "reports", "--every", "1m", "--ceiling", "high"}, "high");
        assertBad(new String[] {"aging", "set", "reports", "--every", "1m", "--ceiling", "99999999999"}, "99999999999");
        assertBad(new String[] {"aging", "set", "reports", "--ceiling", "5"}, "--every");
        assertBad(new String[] {"aging", "set", "reports", "--every", "1m"}, "--ceiling");
        assertBad(
                new String[] {"aging", "set", "no spaces", "--every", "1m", "--ceiling", "5"},
                "kyu: bad queue name 'no spaces'");
        assertBad(new String[] {"aging", "remove", "a/b"}, "kyu: bad queue name 'a/b'");
        assertBad(new String[] {"aging", "stop", "reports"}, "unknown command 'stop'");
        assertThat(kyu.aging().list()).isEmpty();
    }

    private void assertBad(String[] args, String expected) {
        var r = cli.run(args);
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.errLines()).as(r.toString()).singleElement().asString().contains(expected);
    }
}
