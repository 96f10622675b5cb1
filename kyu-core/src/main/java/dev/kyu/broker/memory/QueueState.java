package dev.kyu.broker.memory;

import dev.kyu.job.JobState;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One queue of the memory store: its QUEUED jobs in fetch order (a {@link ReadyLine} per priority, highest
 * priority first), its per-state counts kept up to date on every move so listing queues never scans
 * jobs, and its paused flag.
 */
final class QueueState {
    final String name;
    boolean paused;
    private final long[] counts = new long[JobState.values().length];
    private long readyTickets;
    private final TreeMap<Integer, ReadyLine> ready = new TreeMap<>(Comparator.reverseOrder());

    /** The row of {@code MemoryStore.stats} this queue's outcomes of minute {@link #statsMinute} are counted in. */
    long[] statsRow;

    long statsMinute;
    long statsGeneration;

    QueueState(String name) {
        this.name = name;
    }

    void count(JobState state, int delta) {
        counts[state.ordinal()] += delta;
    }

    Map<JobState, Long> counts() {
        var out = new EnumMap<JobState, Long>(JobState.class);
        for (JobState s : JobState.values()) out.put(s, counts[s.ordinal()]);
        return out;
    }

    long total() {
        long n = 0;
        for (long c : counts) n += c;
        return n;
    }

    void addReady(Slot s) {
        ReadyLine line = ready.get(s.sortPriority);
        if (line == null) ready.put(s.sortPriority, line = new ReadyLine());
        line.add(s, ++readyTickets);
    }

    void removeReady(Slot s) {
        ReadyLine line = ready.get(s.sortPriority);
        if (line == null) return;
        line.remove(s);
        if (line.isEmpty()) ready.remove(s.sortPriority);
    }

    /** The next job to hand out, or null. */
    Slot firstReady() {
        var e = ready.firstEntry();
        return e == null ? null : e.getValue().first();
    }

    /** Every QUEUED slot, in fetch order (purge and tests; not the hot path). */
    Iterable<Slot> readySlots() {
        var all = new java.util.ArrayList<Slot>();
        for (ReadyLine line : ready.values()) all.addAll(line.all());
        return all;
    }

    /** The earliest due time among QUEUED jobs: the head of each priority's line. */
    Instant oldestReady() {
        Instant oldest = null;
        for (ReadyLine line : ready.values()) {
            Slot first = line.first();
            if (first != null && (oldest == null || first.sortAt.isBefore(oldest))) oldest = first.sortAt;
        }
        return oldest;
    }
}
