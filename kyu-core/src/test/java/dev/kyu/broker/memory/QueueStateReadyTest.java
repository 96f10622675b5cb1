package dev.kyu.broker.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ready index hands out jobs by priority, then due time, then age, whatever order they were filed in. */
class QueueStateReadyTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final QueueState q = new QueueState("q");
    private long seq;

    private Slot slot(int priority, long atMs) {
        Slot s = new Slot("s" + seq, q, seq++, null, "raw");
        s.sortPriority = priority;
        s.sortAt = T0.plusMillis(atMs);
        return s;
    }

    private List<Slot> drain() {
        var out = new ArrayList<Slot>();
        for (Slot s; (s = q.firstReady()) != null; ) {
            out.add(s);
            q.removeReady(s);
        }
        return out;
    }

    @Test
    void inOrderAndOutOfOrderArrivalsComeOutSorted() {
        Slot a = slot(0, 10), b = slot(0, 20), c = slot(0, 5), d = slot(0, 20), e = slot(0, 30);
        for (Slot s : List.of(a, b, c, d, e)) q.addReady(s);
        assertThat(q.oldestReady()).isEqualTo(T0.plusMillis(5));
        assertThat(q.readySlots()).containsExactly(c, a, b, d, e);
        assertThat(drain()).containsExactly(c, a, b, d, e);
        assertThat(q.oldestReady()).isNull();
    }

    @Test
    void higherPriorityFirst() {
        Slot low = slot(-1, 0), mid = slot(0, 0), high = slot(5, 50);
        for (Slot s : List.of(low, mid, high)) q.addReady(s);
        assertThat(drain()).containsExactly(high, mid, low);
    }

    @Test
    void aRemovedJobIsNeverHandedOutAndCanBeFiledAgain() {
        Slot a = slot(0, 1), b = slot(0, 2), c = slot(0, 3);
        for (Slot s : List.of(a, b, c)) q.addReady(s);
        q.removeReady(b);
        q.removeReady(a);
        assertThat(q.firstReady()).isSameAs(c);
        // a comes back later (released, due again at a later time): behind c, and its old entry stays dead
        a.sortAt = T0.plusMillis(9);
        q.addReady(a);
        assertThat(drain()).containsExactly(c, a);
    }

    @Test
    void aJobMovedToAnotherPriorityIsOnlyInItsNewLine() {
        Slot a = slot(0, 1), b = slot(0, 2);
        q.addReady(a);
        q.addReady(b);
        q.removeReady(a);
        a.sortPriority = 3;
        q.addReady(a);
        q.removeReady(a);
        a.sortPriority = 0;
        a.sortAt = T0.plusMillis(7);
        q.addReady(a);
        assertThat(drain()).containsExactly(b, a);
    }

    @Test
    void manyJobsSurviveTheRingGrowingWhileItsHeadMoves() {
        var expected = new ArrayList<Slot>();
        for (int i = 0; i < 10; i++) {
            Slot s = slot(0, i);
            q.addReady(s);
            expected.add(s);
        }
        for (int i = 0; i < 5; i++) q.removeReady(expected.remove(0)); // head moves past removed entries
        q.firstReady();
        for (int i = 10; i < 100; i++) {
            Slot s = slot(0, i);
            q.addReady(s);
            expected.add(s);
        }
        assertThat(drain()).containsExactlyElementsOf(expected);
    }
}
