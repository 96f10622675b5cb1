package dev.kyu.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kyu.Kyu;
import dev.kyu.KyuException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Aging rules live in the broker's key-value store: set, read back, replaced, removed; bad ones refused in one line. */
class AgingTest {
    private final Kyu kyu = Kyu.builder().broker("memory:").build();
    private final Aging aging = kyu.aging();

    @AfterEach
    void close() {
        kyu.close();
    }

    @Test
    void aRuleIsStoredAsJsonUnderItsQueueAndReadBack() {
        aging.set("mail", Duration.ofMinutes(1), 5);
        aging.set("reports", Duration.ofSeconds(30), -2);

        assertThat(kyu.broker().kvGet("kyu.flow.aging/mail")).contains("{\"every\":\"PT1M\",\"ceiling\":5}");
        assertThat(aging.list())
                .containsExactly(
                        new AgingRule("mail", Duration.ofMinutes(1), 5),
                        new AgingRule("reports", Duration.ofSeconds(30), -2));
        assertThat(aging.get("mail")).contains(new AgingRule("mail", Duration.ofMinutes(1), 5));
        assertThat(aging.get("other")).isEmpty();
    }

    @Test
    void settingAgainReplacesAndRemovingForgetsTheRuleAndItsLastStep() {
        aging.set("mail", Duration.ofMinutes(1), 5);
        aging.set("mail", Duration.ofHours(1), 9);
        assertThat(aging.list()).containsExactly(new AgingRule("mail", Duration.ofHours(1), 9));

        kyu.broker().kvPut(Aging.STEPS + "mail", "2026-01-01T00:00:00Z");
        assertThat(aging.lastSteps()).isEqualTo(Map.of("mail", Instant.parse("2026-01-01T00:00:00Z")));

        assertThat(aging.remove("mail")).isTrue();
        assertThat(aging.list()).isEmpty();
        assertThat(aging.lastSteps()).isEmpty();
        assertThat(aging.remove("mail")).isFalse();
    }

    @Test
    void badRulesAreRefusedInOneLine() {
        assertThatThrownBy(() -> aging.set("mail", Duration.ofMillis(500), 5))
                .isInstanceOf(KyuException.InvalidInput.class)
                .hasMessage("aging of queue mail: every must be at least 1s, was 500ms");
        assertThatThrownBy(() -> aging.set("mail", Duration.ofSeconds(-5), 5))
                .isInstanceOf(KyuException.InvalidInput.class)
                .hasMessage("aging of queue mail: every must be at least 1s, was -5s");
        assertThatThrownBy(() -> aging.set("mail", Duration.ofDays(40_000), 5))
                .isInstanceOf(KyuException.InvalidInput.class)
                .hasMessage("aging of queue mail: every must be at most 36500d, was 40000d");
        assertThatThrownBy(() -> aging.set("mail", null, 5))
                .isInstanceOf(KyuException.InvalidInput.class)
                .hasMessage("aging of queue mail: every is missing");
        assertThatThrownBy(() -> aging.set("no spaces", Duration.ofMinutes(1), 5))
                .isInstanceOf(KyuException.InvalidInput.class)
                .hasMessage("bad queue name 'no spaces': use 1-200 letters, digits, '_', '.', ':' or '-'");
        assertThatThrownBy(() -> aging.remove(""))
                .isInstanceOf(KyuException.InvalidInput.class)
                .hasMessageStartingWith("bad queue name");
        for (var thrown : new Throwable[] {
            catchOf(() -> aging.set("mail", Duration.ofMillis(1), 5)),
            catchOf(() -> aging.set("a\nb", Duration.ofMinutes(1), 5))
        }) {
            assertThat(thrown.getMessage()).doesNotContain("\n");
        }
        assertThat(aging.list()).isEmpty();
    }

    @Test
    void aStoredRuleThatCannotBeReadIsLeftOutAndNamed() {
        aging.set("good", Duration.ofMinutes(1), 3);
        kyu.broker().kvPut(Aging.RULES + "broken", "{\"every\": \"soon\", \"ceiling\": 3}");
        kyu.broker().kvPut(Aging.RULES + "fraction", "{\"every\": \"PT1M\", \"ceiling\": 2.5}");
        kyu.broker().kvPut(Aging.RULES + "short", "{\"every\": \"PT0.1S\", \"ceiling\": 2}");
        kyu.broker().kvPut(Aging.RULES + "text", "not json");

        var problems = new java.util.TreeMap<String, String>();
        assertThat(aging.list(problems::put)).containsExactly(new AgingRule("good", Duration.ofMinutes(1), 3));
        assertThat(problems.keySet()).containsExactly("broken", "fraction", "short", "text");
        assertThat(problems.get("short")).isEqualTo("aging of queue short: every must be at least 1s, was 100ms");
        assertThat(aging.list()).hasSize(1);
    }

    private static Throwable catchOf(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError("no exception");
    }
}
