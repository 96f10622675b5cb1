package dev.kyu.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.flow.KeySource;
import dev.kyu.flow.Limit;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** {@code kyu limits}: set, list, show, pause and remove limits in the broker; bad input stores nothing. */
class LimitsCommandTest extends CliTestBase {

    @Test
    void setStoresARateLimitThatListShowsAndAnotherProcessReads() {
        var r = cli.run(
                "limits", "set", "payments", "--task", "shop.charge-payment", "--rate", "100/1s", "--burst", "20");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("limit payments set: task:shop.charge-payment, 100/1s burst 20");
        Limit stored = kyu.limits().get("payments").orElseThrow();
        assertThat(stored)
                .isEqualTo(new Limit(
                        "payments",
                        Limit.Target.task("shop.charge-payment"),
                        Limit.Kind.RATE,
                        100,
                        Duration.ofSeconds(1),
                        20,
                        null));

        var keyed = cli.run(
                "limits", "set", "webhooks", "--task", "webhook.deliver", "--rate", "10/1m", "--key", "args:/customer");
        assertThat(keyed.exitCode()).as(keyed.toString()).isZero();
        assertThat(kyu.limits().get("webhooks").orElseThrow().key()).isEqualTo(KeySource.args("/customer"));

        var conc = cli.run("limits", "set", "imports", "--queue", "imports", "--concurrency", "5");
        assertThat(conc.exitCode()).as(conc.toString()).isZero();

        var list = cli.run("limits");
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.out().lines().toList()).hasSize(4);
        assertThat(list.out())
                .contains("NAME", "TARGET", "RULE", "KEY", "WAITING", "RUNNING", "PAUSES")
                .contains("task:shop.charge-payment")
                .contains("100/1s burst 20")
                .contains("args:/customer")
                .contains("queue:imports")
                .contains("5 running")
                .contains("0/5");

        var json = cli.run("limits", "--json");
        assertThat(json.exitCode()).isZero();
        assertThat(json.json()).hasSize(3);
        var first = json.json().get(0);
        assertThat(first.get("name").asText()).isEqualTo("imports");
        assertThat(first.get("target").asText()).isEqualTo("queue:imports");
        assertThat(first.get("kind").asText()).isEqualTo("CONCURRENCY");
        assertThat(first.get("permits").asLong()).isEqualTo(5);
        assertThat(first.get("waiting").asLong()).isZero();
        assertThat(first.get("running").asLong()).isZero();
        assertThat(first.get("pausedUntil").isObject()).isTrue();
    }

    @Test
    void setReplacesALimitOfTheSameName() {
        assertThat(cli.run("limits", "set", "payments", "--task", "shop.charge", "--rate", "100/1s")
                        .exitCode())
                .isZero();
        var again = cli.run("limits", "set", "payments", "--task", "shop.charge", "--rate", "5/s", "--json");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.json().get("permits").asLong()).isEqualTo(5);
        assertThat(again.json().get("periodMs").asLong()).isEqualTo(1000);
        assertThat(kyu.limits().list()).hasSize(1);
        assertThat(kyu.limits().get("payments").orElseThrow().permits()).isEqualTo(5);
        assertThat(cli.run("limits", "set", "payments", "--task", "shop.charge", "--rate", "1/1m")
                        .out())
                .contains("limit payments replaced");
    }

    @Test
    void badInputIsOneLineExitTwoAndStoresNothing() {
        String[][] bad = {
            {"--task", "t", "--rate", "0/1s"},
            {"--task", "t", "--rate", "-5/1s"},
            {"--task", "t", "--rate", "100/1y"},
            {"--task", "t", "--rate", "100"},
            {"--task", "t", "--rate", "100/0s"},
            {"--task", "t", "--concurrency", "0"},
            {"--task", "t", "--concurrency", "-1"},
            {"--task", "t", "--queue", "q", "--rate", "1/1s"},
            {"--rate", "1/1s"},
            {"--task", "t"},
            {"--task", "t", "--rate", "1/1s", "--concurrency", "2"},
            {"--task", "t", "--concurrency", "2", "--burst", "3"},
            {"--task", "t", "--rate", "1/1s", "--key", "customer"},
            {"--task", "t", "--rate", "1/1s", "--key", "args:customer"},
            {"--task", "t", "--rate", "1/1s", "--key", "col:x"},
            {"--task", "bad name", "--rate", "1/1s"},
        };
        for (String[] args : bad) {
            var all = new java.util.ArrayList<>(java.util.List.of("limits", "set", "x"));
            all.addAll(java.util.List.of(args));
            var r = cli.run(all.toArray(String[]::new));
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.errLines()).as(r.toString()).hasSize(1);
            assertThat(r.err()).startsWith("kyu: ");
        }
        assertThat(cli.run("limits", "set", "bad name!", "--task", "t", "--rate", "1/1s")
                        .exitCode())
                .isEqualTo(2);
        assertThat(kyu.limits().list()).isEmpty();

        var zero = cli.run("limits", "set", "x", "--task", "t", "--rate", "0/1s");
        assertThat(zero.err()).contains("bad rate '0/1s'").contains("at least 1");
        var period = cli.run("limits", "set", "x", "--task", "t", "--rate", "100/1y");
        assertThat(period.err()).contains("period '1y'");
        var both = cli.run("limits", "set", "x", "--task", "t", "--queue", "q", "--rate", "1/1s");
        assertThat(both.err()).contains("either --task or --queue").contains("kyu limits set --help");
        var neither = cli.run("limits", "set", "x", "--rate", "1/1s");
        assertThat(neither.err()).contains("--task TASK or --queue QUEUE");
        var key = cli.run("limits", "set", "x", "--task", "t", "--rate", "1/1s", "--key", "col:x");
        assertThat(key.err()).contains("limit key 'col:x'");
    }

    @Test
    void unknownLimitsAreExitTwo() {
        for (String[] args : new String[][] {{"remove", "nope"}, {"show", "nope"}, {"pause", "nope", "--for", "30s"}}) {
            var all = new java.util.ArrayList<>(java.util.List.of("limits"));
            all.addAll(java.util.List.of(args));
            var r = cli.run(all.toArray(String[]::new));
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.errLines()).containsExactly("kyu: no limit named 'nope'");
        }
        assertThat(kyu.broker().kvList("kyu.flow.")).isEmpty();
    }

    @Test
    void pauseShowAndRemove() {
        kyu.limits()
                .define(Limit.rate("webhooks", Limit.Target.task("webhook.deliver"), 10, Duration.ofMinutes(1))
                        .perKey(KeySource.args("/customer")));
        kyu.limits().define(Limit.concurrency("imports", Limit.Target.queue("imports"), 5));

        Instant before = Instant.now();
        var p = cli.run("limits", "pause", "webhooks", "--key", "cust-42", "--for", "5m");
        assertThat(p.exitCode()).as(p.toString()).isZero();
        assertThat(p.out()).contains("limit webhooks key cust-42 paused for 5m");
        var shorter = cli.run("limits", "pause", "webhooks", "--key", "cust-42", "--for", "1m");
        assertThat(shorter.out()).contains("paused for 1m (a longer pause is in force, until ");
        var whole = cli.run("limits", "pause", "webhooks", "--for", "30s");
        assertThat(whole.exitCode()).as(whole.toString()).isZero();
        var status = kyu.limits().status("webhooks");
        assertThat(status.pausedUntil()).containsOnlyKeys("", "cust-42");
        assertThat(status.pausedUntil().get("cust-42")).isAfter(before.plus(Duration.ofMinutes(4)));

        var noKey = cli.run("limits", "pause", "imports", "--key", "a", "--for", "30s");
        assertThat(noKey.exitCode()).isEqualTo(2);
        assertThat(noKey.errLines()).containsExactly("kyu: limit imports has no key: pause it without --key");
        var noFor = cli.run("limits", "pause", "imports");
        assertThat(noFor.exitCode()).isEqualTo(2);
        assertThat(noFor.err()).contains("--for");
        var negative = cli.run("limits", "pause", "imports", "--for", "-5s");
        assertThat(negative.exitCode()).isEqualTo(2);

        var list = cli.run("limits");
        assertThat(list.out()).containsPattern("webhooks .* all (29|30)s, 1 key");

        var show = cli.run("limits", "show", "webhooks");
        assertThat(show.exitCode()).as(show.toString()).isZero();
        assertThat(show.out())
                .contains("target    task:webhook.deliver")
                .contains("10/1m")
                .contains("key       args:/customer")
                .contains("paused    key cust-42 until")
                .contains("paused    the whole limit until");
        var showJson = cli.run("limits", "show", "webhooks", "--json");
        assertThat(showJson.json().get("pausedUntil").get("cust-42").asText())
                .isEqualTo(status.pausedUntil().get("cust-42").toString());
        assertThat(showJson.json().get("key").asText()).isEqualTo("args:/customer");

        var rm = cli.run("limits", "remove", "imports");
        assertThat(rm.exitCode()).as(rm.toString()).isZero();
        assertThat(rm.out()).contains("limit imports removed");
        assertThat(kyu.limits().get("imports")).isEmpty();
    }

    @Test
    void anEmptyListSaysHowToSetOne() {
        var r = cli.run("limits");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("no limits").contains("kyu limits set");
        assertThat(cli.run("limits", "--json").json()).isEmpty();
    }

    @Test
    void aDefinitionThisVersionCannotReadIsNamedOnStderr() {
        kyu.limits().define(Limit.concurrency("imports", Limit.Target.queue("imports"), 5));
        kyu.broker()
                .kvPut(
                        "kyu.flow.limit/future",
                        "{\"name\": \"future\", \"target\": \"task:t\", \"kind\": \"ADAPTIVE\", \"permits\": 1}");
        var r = cli.run("limits");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("imports").doesNotContain("future");
        assertThat(r.errLines())
                .containsExactly(
                        "kyu: limit future: its stored definition cannot be read by this version (limit future: kind must be RATE or CONCURRENCY)");
    }

    @Test
    void helpHasExamples() {
        var r = cli.run("limits", "set", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("--rate", "--concurrency", "--burst", "--key", "args:/json/pointer", "Examples:");
        assertThat(cli.run("limits", "--help").out())
                .contains("set", "remove", "pause", "show", "kyu limits pause webhooks");
        assertThat(CliRunner.runRaw("--help").out()).contains("limits");
    }
}
