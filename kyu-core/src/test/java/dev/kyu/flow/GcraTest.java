package dev.kyu.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kyu.KyuException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class GcraTest {
    private static final long T = 100; // one start per 100 ns

    @Test
    void aBurstStartsAtOnceThenOnePerInterval() {
        long tat = Long.MIN_VALUE, now = 1_000;
        for (int i = 0; i < 3; i++) {
            Gcra.Take t = Gcra.take(tat, now, T, 3);
            assertThat(t.now()).as("start %d of the burst", i).isTrue();
            assertThat(t.slot()).isEqualTo(now);
            tat = t.tat();
        }
        Gcra.Take fourth = Gcra.take(tat, now, T, 3);
        assertThat(fourth.now()).isFalse();
        assertThat(fourth.slot()).isEqualTo(now + T);
    }

    @Test
    void bookingsGetDistinctSlotsInOrder() {
        long tat = Gcra.take(Long.MIN_VALUE, 0, T, 1).tat();
        long previous = 0;
        for (int i = 1; i <= 5; i++) {
            Gcra.Take t = Gcra.take(tat, 0, T, 1);
            assertThat(t.now()).isFalse();
            assertThat(t.slot()).isEqualTo(previous + T);
            previous = t.slot();
            tat = t.tat();
        }
    }

    @Test
    void aQuietSpellRefillsTheBurstButNoMore() {
        long tat = Long.MIN_VALUE;
        for (int i = 0; i < 2; i++) tat = Gcra.take(tat, 0, T, 2).tat();
        long later = 10 * T;
        assertThat(Gcra.take(tat, later, T, 2).now()).isTrue();
        tat = Gcra.take(tat, later, T, 2).tat();
        tat = Gcra.take(tat, later, T, 2).tat();
        assertThat(Gcra.take(tat, later, T, 2).now()).as("a third start at once exceeds the burst of 2").isFalse();
    }

    @Test
    void aRefundGivesBackOneStartAndNeverMore() {
        long tat = Gcra.take(Long.MIN_VALUE, 0, T, 1).tat();
        assertThat(Gcra.take(tat, 0, T, 1).now()).isFalse();
        long refunded = Gcra.refund(tat, 0, T);
        assertThat(Gcra.take(refunded, 0, T, 1).now()).isTrue();
        assertThat(Gcra.refund(Gcra.refund(refunded, 0, T), 0, T)).as("never below now").isEqualTo(0);
    }

    @Test
    void badLimitsAreRefusedInOneLine() {
        var task = Limit.Target.task("shop.charge");
        assertThatThrownBy(() -> Limit.rate("p", task, 0, Duration.ofSeconds(1))).isInstanceOf(KyuException.InvalidInput.class)
                .hasMessage("limit p: a rate must be at least 1, was 0");
        assertThatThrownBy(() -> Limit.rate("p", task, -5, Duration.ofSeconds(1))).hasMessageContaining("at least 1, was -5");
        assertThatThrownBy(() -> Limit.concurrency("c", task, 0)).hasMessage("limit c: a concurrency must be at least 1, was 0");
        assertThatThrownBy(() -> Limit.rate("p", task, 5, Duration.ZERO)).hasMessageContaining("period must be at least 1 ms");
        assertThatThrownBy(() -> KeySource.parse("header:x")).hasMessageContaining("is not one of args:/json/pointer, meta:NAME, fn:NAME");
        assertThatThrownBy(() -> KeySource.parse("args:customer")).hasMessageContaining("is not a JSON pointer");
        assertThatThrownBy(() -> Limit.rate("bad name", task, 1, Duration.ofSeconds(1))).hasMessageContaining("is not valid");
    }
}
