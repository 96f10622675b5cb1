package dev.kyu.broker.memory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The QUEUED jobs of one priority of one queue, in fetch order (earliest due time, then oldest slot).
 * Nearly every job arrives in that order — a new job is due now, after every job before it — so such
 * arrivals are appended to a ring buffer in O(1) and fetched from its head in O(1); only the few that
 * arrive out of order (a released job keeping its place in line, a promoted job due before the newest)
 * go to a sorted set. Removing a job from the middle (cancel, delete) only invalidates its ring entry:
 * each entry carries the ticket it was filed with, and an entry whose slot holds another ticket is skipped.
 */
final class ReadyLine {
    private Slot[] slots = new Slot[16];
    private long[] tickets = new long[16];
    private int head, tail; // tail is one past the last entry; the ring is empty when head == tail
    private final TreeSet<Slot> outOfOrder = new TreeSet<>(Slot.BY_TIME);
    private Instant lastAt;
    private long lastSeq;
    private int size;

    boolean isEmpty() {
        return size == 0;
    }

    /** @param ticket unique among all tickets of the queue's lines, so a stale entry in one line never matches a slot filed in another */
    void add(Slot s, long ticket) {
        size++;
        if (lastAt == null || afterLast(s)) {
            s.readyTicket = ticket;
            s.readyInTree = false;
            push(s);
            lastAt = s.sortAt;
            lastSeq = s.seq;
        } else {
            s.readyTicket = 0;
            s.readyInTree = true;
            outOfOrder.add(s);
        }
    }

    void remove(Slot s) {
        if (s.readyInTree) {
            if (outOfOrder.remove(s)) size--;
            s.readyInTree = false;
        } else if (s.readyTicket != 0) {
            s.readyTicket = 0; // its ring entry is now stale and skipped
            size--;
        }
    }

    /** The next job to hand out, or null. */
    Slot first() {
        Slot ring = ringHead();
        if (outOfOrder.isEmpty()) return ring;
        Slot tree = outOfOrder.first();
        return ring == null || Slot.BY_TIME.compare(tree, ring) < 0 ? tree : ring;
    }

    /** Every job of the line in fetch order (purge and listings; not the hot path). */
    List<Slot> all() {
        var out = new ArrayList<Slot>(size);
        for (int i = head; i != tail; i = (i + 1) & (slots.length - 1)) {
            if (slots[i].readyTicket == tickets[i]) out.add(slots[i]);
        }
        out.addAll(outOfOrder);
        out.sort(Slot.BY_TIME);
        return out;
    }

    private boolean afterLast(Slot s) {
        int c = s.sortAt.compareTo(lastAt);
        return c > 0 || (c == 0 && s.seq > lastSeq);
    }

    /** The first valid ring entry, dropping stale ones on the way. */
    private Slot ringHead() {
        while (head != tail) {
            Slot s = slots[head];
            if (s.readyTicket == tickets[head]) return s;
            slots[head] = null;
            head = (head + 1) & (slots.length - 1);
        }
        return null;
    }

    private void push(Slot s) {
        slots[tail] = s;
        tickets[tail] = s.readyTicket;
        tail = (tail + 1) & (slots.length - 1);
        if (tail == head) grow();
    }

    private void grow() {
        int n = slots.length;
        var ns = new Slot[n * 2];
        var nt = new long[n * 2];
        int firstPart = n - head;
        System.arraycopy(slots, head, ns, 0, firstPart);
        System.arraycopy(slots, 0, ns, firstPart, head);
        System.arraycopy(tickets, head, nt, 0, firstPart);
        System.arraycopy(tickets, 0, nt, firstPart, head);
        slots = ns;
        tickets = nt;
        head = 0;
        tail = n;
    }
}
