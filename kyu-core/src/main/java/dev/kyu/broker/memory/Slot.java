package dev.kyu.broker.memory;

import dev.kyu.job.Job;
import dev.kyu.job.JobState;
import java.time.Instant;
import java.util.Comparator;

/**
 * One entry of the memory store: a decoded {@link Job}, or the raw text of an entry the engine could not
 * decode (only the test hook plants those). A slot sits in exactly one index at a time, chosen by its
 * state; {@link #sortAt} and {@link #sortPriority} are the keys it was filed under there, kept so it can
 * be found and removed again after the job itself changed.
 */
final class Slot {
    /** Earliest time first, then the order slots were created in: FIFO among equals. */
    static final Comparator<Slot> BY_TIME = (a, b) -> {
        int c = a.sortAt.compareTo(b.sortAt);
        return c != 0 ? c : Long.compare(a.seq, b.seq);
    };

    /** Soonest own expiry first (see {@link MemoryStore#expiring}), then creation order. */
    static final Comparator<Slot> BY_EXPIRY = (a, b) -> {
        int c = a.expiresAt.compareTo(b.expiresAt);
        return c != 0 ? c : Long.compare(a.seq, b.seq);
    };

    final String id;
    final String queue;
    /** The queue's state, looked up once: every move of the slot updates its counts. */
    final QueueState queueState;

    final long seq;
    /** The raw form of an undecodable entry, kept as its args once it is quarantined. */
    final String raw;

    Job job;
    Instant sortAt;
    /**
     * Where a job handed back with a delay stood in line (its due time then): it is filed there again once due, so
     * it comes before the jobs that were behind it, as the SQL engines' order by id does. Null otherwise.
     */
    Instant placeInLine;

    int sortPriority;
    /** Where the slot is filed in its {@link ReadyLine} while QUEUED: its ring ticket (0: none), or the sorted set. */
    long readyTicket;

    boolean readyInTree;
    /** Neighbours in the {@link FinishedLog} while the slot is finished. */
    Slot prevFinished, nextFinished;
    /** While finished with a result ttl of its own: when it may be pruned, its key in {@link MemoryStore#expiring}. */
    Instant expiresAt;

    Slot(String id, QueueState queue, long seq, Job job, String raw) {
        this.id = id;
        this.queue = queue.name;
        this.queueState = queue;
        this.seq = seq;
        this.job = job;
        this.raw = raw;
    }

    boolean decodable() {
        return job != null;
    }

    /** An undecodable entry waits in its queue like a QUEUED job until something meets it. */
    JobState state() {
        return job == null ? JobState.QUEUED : job.state();
    }
}
