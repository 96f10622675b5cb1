package dev.kyu.broker.memory;

import java.time.Instant;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The finished (SUCCEEDED, FAILED, CANCELLED) jobs in finish-time order, for pruning: a doubly linked list
 * threaded through the slots themselves, so filing and unfiling a job costs O(1) and no allocation, where a
 * sorted tree paid a descent and a rebalance for every job that ever finished.
 *
 * <p>Jobs finish in clock order, so a new one belongs at the tail. Should the clock step back, the slot is
 * filed under the tail's time instead of its own ({@link Slot#sortAt}): the list stays ordered, and such a
 * job can only be pruned a little later than its retention says, never sooner. Its recorded finish time
 * is untouched.
 */
final class FinishedLog implements Iterable<Slot> {
    private Slot head, tail;

    void add(Slot s, Instant finishedAt) {
        s.sortAt = tail == null || !finishedAt.isBefore(tail.sortAt) ? finishedAt : tail.sortAt;
        s.prevFinished = tail;
        s.nextFinished = null;
        if (tail == null) head = s;
        else tail.nextFinished = s;
        tail = s;
    }

    void remove(Slot s) {
        if (s.prevFinished == null) head = s.nextFinished;
        else s.prevFinished.nextFinished = s.nextFinished;
        if (s.nextFinished == null) tail = s.prevFinished;
        else s.nextFinished.prevFinished = s.prevFinished;
        s.prevFinished = null;
        s.nextFinished = null;
    }

    /** Oldest first. Callers collect what they change and change it after the walk. */
    @Override
    public Iterator<Slot> iterator() {
        return new Iterator<>() {
            private Slot next = head;

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public Slot next() {
                if (next == null) throw new NoSuchElementException();
                Slot s = next;
                next = s.nextFinished;
                return s;
            }
        };
    }
}
