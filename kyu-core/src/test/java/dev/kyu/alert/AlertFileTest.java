package dev.kyu.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kyu.KyuException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Alerts files: every mistake is one line naming the file and the place; secrets come from the environment or a file. */
class AlertFileTest {
    static final String CHANNELS = """
            channels:
              slack: { type: slack, url: "https://hooks.example/T/B/X" }
            """;

    @TempDir
    Path dir;

    @Test
    void readsEveryRuleAndChannel() throws Exception {
        Files.writeString(dir.resolve("pw"), "from-a-file\n");
        var config = AlertFile.parse(
                "alerts.yaml",
                """
                dashboard: https://kyu.example/
                interval: 30s
                digest-window: 10m
                max-single: 5
                channels:
                  slack: { type: slack, url-env: SLACK_URL }
                  hook: { type: webhook, url: "https://hooks.example/kyu", secret-env: HOOK_SECRET }
                  mail: { type: email, host: smtp.example, user: kyu, password-file: "%s", from: kyu@example.com, to: [a@example.com, b@example.com] }
                rules:
                  - { name: dead, when: job-failed, queues: [mail], tasks: [send], channels: [slack, mail] }
                  - { name: rate, when: failure-rate, queue: mail, above: 12.5%%, window: 15m, min-attempts: 20, channels: [hook] }
                  - { name: charge, when: failure-rate, task: shop.charge-payment, above: 5%%, channels: [hook] }
                  - { name: charge-eu, when: failure-rate, task: shop.charge-payment, queue: eu, above: 5%%, min-attempts: 3, channels: [hook] }
                  - { name: deep, when: queue-depth, above: 1000, channels: [slack] }
                  - { name: old, when: oldest-job-age, queue: mail, above: 5m, channels: [slack] }
                  - { name: none, when: no-worker, queue: mail, channels: [slack] }
                  - { name: beat, when: schedule-missed, grace: 2m, channels: [slack] }
                """.formatted(dir.resolve("pw")),
                Map.of("SLACK_URL", "https://hooks.example/T/1", "HOOK_SECRET", "0123456789abcdef0")::get);
        assertThat(config.dashboardUrl()).isEqualTo("https://kyu.example");
        assertThat(config.interval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.digestWindow()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.maxSingle()).isEqualTo(5);
        assertThat(config.channels()).containsOnlyKeys("slack", "hook", "mail");
        assertThat(((EmailChannel) config.channels().get("mail")).password()).isEqualTo("from-a-file");
        assertThat(((EmailChannel) config.channels().get("mail")).port()).isEqualTo(587);
        assertThat(config.rules())
                .containsExactly(
                        new Rule.JobFailed(
                                "dead",
                                java.util.Set.of("mail"),
                                java.util.Set.of("send"),
                                java.util.List.of("slack", "mail")),
                        new Rule.FailureRate(
                                "rate", "mail", 12.5, Duration.ofMinutes(15), 20, java.util.List.of("hook")),
                        new Rule.FailureRate(
                                "charge",
                                null,
                                "shop.charge-payment",
                                5,
                                Duration.ofMinutes(10),
                                10,
                                java.util.List.of("hook")),
                        new Rule.FailureRate(
                                "charge-eu",
                                "eu",
                                "shop.charge-payment",
                                5,
                                Duration.ofMinutes(10),
                                3,
                                java.util.List.of("hook")),
                        new Rule.QueueDepth("deep", null, 1000, java.util.List.of("slack")),
                        new Rule.OldestJobAge("old", "mail", Duration.ofMinutes(5), java.util.List.of("slack")),
                        new Rule.NoWorker("none", "mail", Duration.ofMinutes(1), java.util.List.of("slack")),
                        new Rule.ScheduleMissed("beat", null, Duration.ofMinutes(2), java.util.List.of("slack")));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "rules: [{name: a, when: job-failed, channels: [slack], queus: [x]}]                  | alerts.yaml: rules[0] (a): unknown field 'queus'",
                "rules: [{name: a, when: job-faild, channels: [slack]}]                               | alerts.yaml: rules[0] (a).when: must be job-failed, failure-rate",
                "rules: [{name: a, when: job-failed, channels: [pager]}]                              | alerts.yaml: rules[0] (a).channels: no channel named 'pager'",
                "rules: [{name: a, when: queue-depth, above: lots, channels: [slack]}]                | alerts.yaml: rules[0] (a).above: expected a whole number, was 'lots'",
                "rules: [{name: a, when: oldest-job-age, above: soon, channels: [slack]}]             | alerts.yaml: rules[0] (a).above: a duration such as 30s, 5m or 1h, was 'soon'",
                "rules: [{name: a, when: failure-rate, above: 150%, channels: [slack]}]               | alerts.yaml: rules[0] (a).above: a percentage 0..100, was '150%'",
                "rules: [{name: a, when: failure-rate, task: [x, y], above: 5%, channels: [slack]}]  | alerts.yaml: rules[0] (a).task: expected a single value",
                "rules: [{name: a, when: failure-rate, task: \"\", above: 5%, channels: [slack]}]      | alerts.yaml: rules[0] (a).task: required",
                "rules: [{name: a, when: failure-rate, task: x, above: lots, channels: [slack]}]     | alerts.yaml: rules[0] (a).above: a percentage such as 10%, was 'lots'",
                "rules: [{name: a, when: failure-rate, tasks: [x], above: 5%, channels: [slack]}]    | alerts.yaml: rules[0] (a): unknown field 'tasks'",
                "rules: [{name: a, when: job-failed, channels: [slack]}, {name: a, when: job-failed, channels: [slack]}] | alerts.yaml: rules[1]: rule name 'a' used twice",
                "rules: []                                                                             | alerts.yaml: 'rules' must be a list of at least one rule",
                "rules: [{name: a, when: job-failed, channels: [slack]}]\\nextra: 1                    | alerts.yaml: unknown field 'extra'",
                "rules: [{name: a, when: job-failed, channels: [slack]\\n | alerts.yaml: not valid YAML",
            })
    void aBadFileIsOneLine(String rules, String expected) {
        assertThatThrownBy(() -> AlertFile.parse("alerts.yaml", CHANNELS + rules.replace("\\n", "\n"), k -> null))
                .isInstanceOf(KyuException.InvalidInput.class)
                .satisfies(e -> assertThat(e.getMessage()).startsWith(expected).doesNotContain("\n"));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{ type: pager }                                           | alerts.yaml: channels.x.type: must be slack, email or webhook, was 'pager'",
                "{ type: slack, url: 'ftp://x/y' }                         | alerts.yaml: channels.x.url: must be an absolute http(s) URL",
                "{ type: webhook, url: 'https://x/y', secret: short }      | alerts.yaml: channels.x.secret: must be at least 16 characters",
                "{ type: webhook, url: 'https://x/y', secret-env: NOPE }   | alerts.yaml: channels.x.secret-env: environment variable NOPE is not set",
                "{ type: email, host: h, from: kyu@example.com }           | alerts.yaml: channels.x.to: at least one address is needed",
                "{ type: email, host: h, from: kyu, to: a@example.com }    | alerts.yaml: channels.x: 'kyu' is not an e-mail address",
                "{ type: email, host: h, tls: maybe, from: kyu@example.com, to: a@example.com } | alerts.yaml: channels.x.tls: must be none, starttls or ssl, was 'maybe'",
                "{ type: email, host: h, user: u, from: kyu@example.com, to: a@example.com }    | alerts.yaml: channels.x.password: give exactly one of password, password-env, password-file",
            })
    void aBadChannelIsOneLine(String channel, String expected) {
        assertThatThrownBy(() -> AlertFile.parse(
                        "alerts.yaml",
                        "channels:\n  x: " + channel + "\nrules: [{name: a, when: job-failed, channels: [x]}]\n",
                        k -> null))
                .isInstanceOf(KyuException.InvalidInput.class)
                .satisfies(e -> assertThat(e.getMessage()).isEqualTo(expected));
    }

    @Test
    void aMissingFileIsOneLine() {
        assertThatThrownBy(() -> AlertFile.read(dir.resolve("nope.yaml")))
                .isInstanceOf(KyuException.InvalidInput.class)
                .hasMessageStartingWith(dir.resolve("nope.yaml") + ": cannot read alerts file");
    }
}
