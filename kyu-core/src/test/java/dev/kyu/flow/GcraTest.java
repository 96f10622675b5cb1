package dev.kyu.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kyu.KyuException;
import dev.kyu.spi.RateTake;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cell-rate arithmetic ({@link RateTake#apply}, one start per take) and the limits' input checks. */
class GcraTest {
    private static final long T = 100; // one start per 100 ns

    /** One start: when it is due, the state it leaves, and whether it is due at once. */
    private record Take(long slot, long tat, boolean now) {}

    /** One start taken at {@code now} from the arrival time {@code tat} ({@code MIN_VALUE}: no state yet). */
    private static Take take(long tat, long now, long interval, long burst) {
        var take = new RateTake("k", "r", now, interval, burst, 1, 0);
        RateTake.Taken t = take.apply(tat == Long.MIN_VALUE ? null : tat + ",r");
        long slot = take.slot(t.tat0(), 0);
        String next = take.value(t);
        return new Take(slot, Long.parseLong(next.substring(0, next.indexOf(','))), slot == now);
    }

    @Test
    void aBurstStartsAtOnceThenOnePerInterval() {
        long tat = Long.MIN_VALUE, now = 1_000;
        for (int i = 0; i < 3; i++) {
            Take t = take(tat, now, T, 3);
            assertThat(t.now()).as("start %d of the burst", i).isTrue();
            assertThat(t.slot()).isEqualTo(now);
            tat = t.tat();
        }
        Take fourth = take(tat, now, T, 3);
        assertThat(fourth.now()).isFalse();
        assertThat(fourth.slot()).isEqualTo(now + T);
    }

    @Test
    void bookingsGetDistinctSlotsInOrder() {
        long tat = take(Long.MIN_VALUE, 0, T, 1).tat();
        long previous = 0;
        for (int i = 1; i <= 5; i++) {
            Take t = take(tat, 0, T, 1);
            assertThat(t.now()).isFalse();
            assertThat(t.slot()).isEqualTo(previous + T);
            previous = t.slot();
            tat = t.tat();
        }
    }

    @Test
    void aQuietSpellRefillsTheBurstButNoMore() {
        long tat = Long.MIN_VALUE;
        for (int i = 0; i < 2; i++) tat = take(tat, 0, T, 2).tat();
        long later = 10 * T;
        assertThat(take(tat, later, T, 2).now()).isTrue();
        tat = take(tat, later, T, 2).tat();
        tat = take(tat, later, T, 2).tat();
        assertThat(take(tat, later, T, 2).now())
                .as("a third start at once exceeds the burst of 2")
                .isFalse();
    }

    @Test
    void aRefundGivesBackOneStartAndNeverMore() {
        long tat = take(Long.MIN_VALUE, 0, T, 1).tat();
        assertThat(take(tat, 0, T, 1).now()).isFalse();
        long refunded = Gcra.refund(tat, 0, T);
        assertThat(take(refunded, 0, T, 1).now()).isTrue();
        assertThat(Gcra.refund(Gcra.refund(refunded, 0, T), 0, T))
                .as("never below now")
                .isEqualTo(0);
    }

    @Test
    void badLimitsAreRefusedInOneLine() {
        var task = Limit.Target.task("shop.charge");
        assertThatThrownBy(() -> Limit.rate("p", task, 0, Duration.ofSeconds(1)))
                .isInstanceOf(KyuException.InvalidInput.class)
                .hasMessage("limit p: a rate must be at least 1, was 0");
        assertThatThrownBy(() -> Limit.rate("p", task, -5, Duration.ofSeconds(1)))
                .hasMessageContaining("at least 1, was -5");
        assertThatThrownBy(() -> Limit.concurrency("c", task, 0))
                .hasMessage("limit c: a concurrency must be at least 1, was 0");
        assertThatThrownBy(() -> Limit.rate("p", task, 5, Duration.ZERO))
                .hasMessageContaining("period must be at least 1 ms");
        assertThatThrownBy(() -> KeySource.parse("header:x"))
                .hasMessageContaining("is not one of args:/json/pointer, meta:NAME, fn:NAME");
        assertThatThrownBy(() -> KeySource.parse("args:customer")).hasMessageContaining("is not a JSON pointer");
        assertThatThrownBy(() -> Limit.rate("bad name", task, 1, Duration.ofSeconds(1)))
                .hasMessageContaining("is not valid");
    }

    @Test
    void aTakeForSeveralTakesTheStartsDueWithinItsHorizonAndNoMore() {
        var take = new RateTake("k", "r", 1_000, T, 3, 10, 2 * T);
        RateTake.Taken t = take.apply(null);
        // three at once (the burst), then one per interval: two more are due within 2 intervals
        assertThat(t).isEqualTo(new RateTake.Taken(1_000, 5));
        assertThat(List.of(take.slot(1_000, 0), take.slot(1_000, 2), take.slot(1_000, 3), take.slot(1_000, 4)))
                .containsExactly(1_000L, 1_000L, 1_000L + T, 1_000L + 2 * T);
        assertThat(take.value(t)).isEqualTo((1_000 + 5 * T) + ",r");
        assertThat(take.apply("garbage,r").tat0())
                .as("unreadable: starts afresh")
                .isEqualTo(1_000);
        assertThat(take.apply("99999,other").tat0())
                .as("another rule's: starts afresh")
                .isEqualTo(1_000);
        assertThat(take.apply("99999,r").tat0()).isEqualTo(99_999);
        assertThat(take.apply("99999,r").taken())
                .as("the first start is always taken")
                .isEqualTo(1);
        assertThatThrownBy(() -> new RateTake("k", "a,b", 0, T, 1, 1, 0)).hasMessageContaining("no comma");
        assertThatThrownBy(() -> new RateTake("k", "r", 0, 0, 1, 1, 0)).hasMessageContaining("interval");
        assertThatThrownBy(() -> new RateTake("k", "r", 0, T, 1, 1001, 0)).hasMessageContaining("count");
    }

    @Test
    void numbersAtTheirLimitsNeitherWrapNorWait() {
        var task = Limit.Target.task("shop.charge");
        assertThat(Limit.rate("p", task, Long.MAX_VALUE, Duration.ofSeconds(1))
                        .withBurst(Long.MAX_VALUE)
                        .burst())
                .isEqualTo(Long.MAX_VALUE);
        assertThat(Limit.rate("p", task, Long.MAX_VALUE / 999, Duration.ofMillis(1))
                        .interval())
                .isEqualTo(Duration.ofNanos(1));
        assertThatThrownBy(() -> Limit.rate("p", task, 2, Duration.ofSeconds(1)).withBurst(2001))
                .hasMessage("limit p: burst must be 1..2000, was 2001");
        // one a year with a burst of 1000: (burst - 1) x interval is past a long of nanoseconds
        Limit yearly = Limit.rate("y", task, 1, Duration.ofDays(366)).withBurst(1000);
        long now = 1_800_000_000_000_000_000L, tat = Long.MIN_VALUE;
        for (int i = 0; i < 3; i++) {
            Take t = take(tat, now, yearly.interval().toNanos(), yearly.burst());
            assertThat(t.now()).as("start %d of the burst", i).isTrue();
            tat = t.tat();
        }
        Take atTheEnd = take(Long.MAX_VALUE - 5, now, 100, 1);
        assertThat(atTheEnd.tat()).as("saturated, not wrapped").isEqualTo(Long.MAX_VALUE);
        assertThat(atTheEnd.now()).isFalse();
    }

    @Test
    void storedLimitsWithFractionsOrWrongTypesAreRefusedInOneLine() {
        assertThatThrownBy(() -> LimitCodec.decode(
                        "{\"name\":\"f\",\"target\":\"task:t\",\"kind\":\"CONCURRENCY\",\"permits\":1.5}"))
                .isInstanceOf(KyuException.InvalidInput.class)
                .hasMessage("limit: field 'permits' (a whole number) is missing");
        assertThatThrownBy(() -> LimitCodec.decode(
                        "{\"name\":\"f\",\"target\":\"task:t\",\"kind\":\"RATE\",\"permits\":5,\"periodMs\":\"1000\"}"))
                .hasMessage("limit: field 'periodMs' (a whole number) is missing");
        assertThatThrownBy(() -> LimitCodec.decode("{\"name\":[1],\"target\":\"task:t\"}"))
                .hasMessage("limit: field 'name' (text) is missing");
    }

    @Test
    void controlAndBidiCharactersInWhatIsRefusedAreShownEscapedOnOneLine() {
        var task = Limit.Target.task("shop.charge");
        for (String odd : new String[] {"a\nb", "pay\u202eevil", "x\u0000y", "z".repeat(5000)}) {
            for (org.assertj.core.api.ThrowableAssert.ThrowingCallable c :
                    List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(
                            () -> Limit.rate(odd, task, 1, Duration.ofSeconds(1)),
                            () -> Limit.Target.queue(odd),
                            () -> KeySource.parse(odd),
                            () -> KeySource.args(odd.substring(0, Math.min(odd.length(), 200))),
                            () -> LimitText.parseRate(odd),
                            () -> LimitText.parseRate("5/" + odd),
                            () -> LimitCodec.decode("{\"name\":\""
                                    + odd.replace("\u0000", "\\u0000").replace("\n", "\\n")
                                    + "\",\"target\":\"job:x\"}"))) {
                assertThatThrownBy(c)
                        .isInstanceOf(KyuException.InvalidInput.class)
                        .hasMessageNotContaining("\n")
                        .hasMessageNotContaining("\u202e")
                        .hasMessageNotContaining("\u0000")
                        .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(1000));
            }
        }
    }
}
