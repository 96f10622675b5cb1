package dev.kyu.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kyu.KyuException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rates as typed on the command line and the dashboard, and the JSON of a limit's status. */
class LimitTextTest {

    @Test
    void readsRatesAsPeopleTypeThem() {
        assertThat(LimitText.parseRate("100/1s")).isEqualTo(new LimitText.Rate(100, Duration.ofSeconds(1)));
        assertThat(LimitText.parseRate("10/1m")).isEqualTo(new LimitText.Rate(10, Duration.ofMinutes(1)));
        assertThat(LimitText.parseRate(" 5 / 250ms ")).isEqualTo(new LimitText.Rate(5, Duration.ofMillis(250)));
        assertThat(LimitText.parseRate("5/s")).isEqualTo(new LimitText.Rate(5, Duration.ofSeconds(1)));
        assertThat(LimitText.parseRate("1000/PT1H")).isEqualTo(new LimitText.Rate(1000, Duration.ofHours(1)));
    }

    @Test
    void badRatesAreOneLineNamingTheText() {
        for (String bad : new String[] {
            "0/1s", "-5/1s", "100", "100/", "/1s", "100/1y", "100/0s", "x/1s", "99999999999999999999/1s", ""
        }) {
            assertThatThrownBy(() -> LimitText.parseRate(bad))
                    .as(bad)
                    .isInstanceOf(KyuException.InvalidInput.class)
                    .hasMessageStartingWith("bad rate '" + bad + "'")
                    .hasMessageNotContaining("\n");
        }
        assertThatThrownBy(() -> LimitText.parseRate(null)).isInstanceOf(KyuException.InvalidInput.class);
    }

    @Test
    void rulesReadBackAsTyped() {
        Limit rate = Limit.rate("p", Limit.Target.task("t"), 100, Duration.ofSeconds(1));
        assertThat(LimitText.rule(rate)).isEqualTo("100/1s");
        assertThat(LimitText.rule(rate.withBurst(20))).isEqualTo("100/1s burst 20");
        assertThat(LimitText.rule(Limit.concurrency("c", Limit.Target.queue("q"), 5)))
                .isEqualTo("5 running");
        assertThat(LimitText.target(rate)).isEqualTo("task:t");
    }

    @Test
    void statusJsonAddsRuleCountsAndPausesToTheStoredShape() {
        Limit l = Limit.rate("w", Limit.Target.task("t"), 10, Duration.ofMinutes(1))
                .perKey(KeySource.args("/customer"));
        var json =
                LimitJson.status(new Limits.LimitStatus(l, 3, 0, Map.of("c-1", Instant.parse("2030-01-01T00:00:00Z"))));
        assertThat(json.get("name").asText()).isEqualTo("w");
        assertThat(json.get("target").asText()).isEqualTo("task:t");
        assertThat(json.get("key").asText()).isEqualTo("args:/customer");
        assertThat(json.get("rule").asText()).isEqualTo("10/1m");
        assertThat(json.get("waiting").asLong()).isEqualTo(3);
        assertThat(json.get("pausedUntil").get("c-1").asText()).isEqualTo("2030-01-01T00:00:00Z");
        assertThat(LimitCodec.decode(LimitJson.limit(l).toString())).isEqualTo(l);
    }
}
