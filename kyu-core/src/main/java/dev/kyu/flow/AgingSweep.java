package dev.kyu.flow;

import dev.kyu.KyuException;
import dev.kyu.spi.Broker;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the due aging steps of every queue with an {@link AgingRule}; run by each process's maintenance loop,
 * about once a second. A queue's step is due when its last one ({@code kyu.flow.aged/QUEUE}) is at least
 * {@code every} ago; the process whose compare-and-set moves that instant to now takes the step, every other
 * one sees the new instant and does nothing, so the fleet ages each queue once per step however many
 * processes run the sweep. A step raises by one the priority of the queue's QUEUED jobs due for at least
 * {@code every} and below the ceiling ({@link Broker#jobsAge}), the oldest {@link #BATCH} of them.
 *
 * <p>One call per step, never a second batch: each call raises again, and it picks the oldest jobs first, so a
 * second call in the same step would raise the same jobs twice. Time is the engine's ({@link Broker#now()}),
 * the clock the jobs' due times are kept by.
 */
public final class AgingSweep {
    private static final Logger log = LoggerFactory.getLogger(AgingSweep.class);
    /** The most jobs of one queue raised in one step: the oldest, those nearest to starving. */
    public static final int BATCH = 1000;

    private final Broker broker;
    private final Aging aging;
    /** Set once the engine refused to age: it will refuse again, so the sweep stops asking (logged once). */
    private volatile boolean refused;
    /** Unreadable rules already logged, by queue and stored problem, so that each is logged once. */
    private final Set<String> unreadableLogged = ConcurrentHashMap.newKeySet();

    public AgingSweep(Broker broker) {
        this.broker = broker;
        this.aging = new Aging(broker);
    }

    /** Takes every aging step that is due now; returns how many jobs rose. */
    public int run() {
        if (refused) return 0;
        var rules = aging.list((queue, why) -> {
            if (unreadableLogged.add(queue + "\n" + why))
                log.warn("aging rule of queue {} cannot be read, skipped: {}", queue, why);
        });
        if (rules.isEmpty()) return 0;
        Instant now = broker.now();
        int raised = 0;
        for (AgingRule rule : rules) {
            if (refused) break;
            try {
                raised += step(rule, now);
            } catch (RuntimeException e) {
                // one queue's trouble (an entry no instant arithmetic can take, a failed call) never stops the others
                if (unreadableLogged.add(rule.queue() + "\n" + e))
                    log.warn("aging step of queue {} failed: {}", rule.queue(), dev.kyu.Causes.oneLine(e));
            }
        }
        return raised;
    }

    private int step(AgingRule rule, Instant now) {
        String key = Aging.STEPS + rule.queue();
        String last = broker.kvGet(key).orElse(null);
        Instant lastAt = Aging.instant(last);
        // a step beyond any clock's reach (near Instant.MAX, where adding a step overflows) is a clock that jumped: not
        // waited out
        if (lastAt != null && lastAt.isAfter(now.plus(rule.every()))) lastAt = null;
        // Not due yet. A last step further ahead than one step is a clock that jumped back; it is not waited out.
        if (lastAt != null && now.isBefore(lastAt.plus(rule.every()))) return 0;
        if (!broker.kvCompareAndSet(key, last, now.toString())) return 0; // another process took this step
        try {
            int n = broker.jobsAge(rule.queue(), now.minus(rule.every()), rule.ceiling(), BATCH);
            if (n > 0) log.debug("aging raised the priority of {} job(s) of queue {}", n, rule.queue());
            return n;
        } catch (KyuException.InvalidInput e) {
            refused = true;
            log.warn(
                    "priority aging is configured but this broker cannot age jobs, so no queue ages: {}",
                    e.getMessage());
            return 0;
        }
    }
}
