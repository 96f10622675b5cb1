package dev.kyu.broker.memory;

import dev.kyu.job.JobState;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One queue of the memory store: its QUEUED jobs in fetch order (a FIFO set per priority, highest
 * priority first), its per-state counts kept up to date on every move so listing queues never scans
 * jobs, and its paused flag.
 */
final class QueueState {
    final String name;
    boolean paused;
    private final long[] counts = new long[JobState.values().length];
    private final TreeMap<Integer, TreeSet<Slot>> ready = new TreeMap<>(Comparator.reverseOrder());

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
        ready.computeIfAbsent(s.sortPriority, p -> new TreeSet<>(Slot.BY_TIME)).add(s);
    }

    void removeReady(Slot s) {
        TreeSet<Slot> set = ready.get(s.sortPriority);
        if (set != null && set.remove(s) && set.isEmpty()) ready.remove(s.sortPriority);
    }

    /** The next job to hand out, or null. */
    Slot firstReady() {
        var e = ready.firstEntry();
        return e == null ? null : e.getValue().first();
    }

    /** Every QUEUED slot, in fetch order (purge and tests; not the hot path). */
    Iterable<Slot> readySlots() {
        var all = new java.util.ArrayList<Slot>();
        for (TreeSet<Slot> set : ready.values()) all.addAll(set);
        return all;
    }

    /** The earliest due time among QUEUED jobs: the head of each priority's FIFO. */
    Instant oldestReady() {
        Instant oldest = null;
        for (TreeSet<Slot> set : ready.values()) {
            Instant at = set.first().sortAt;
            if (oldest == null || at.isBefore(oldest)) oldest = at;
        }
        return oldest;
    }
}
