package dev.kyu.broker.rabbitmq;

import dev.kyu.job.JobState;
import dev.kyu.spi.Broker;
import dev.kyu.spi.QueueInfo;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps tokens in RabbitMQ at least as many as the store's QUEUED jobs, per queue: a crash between a store write
 * and its publish, RabbitMQ away during an enqueue, an operator's purge or a job released inside the store all
 * heal within one period. The periodic run holds a store lock so one process at a time does it; a run asked for
 * by this process's own writes ("soon") skips the lock, since a surplus token is harmless. Every run also
 * refreshes which queues are paused, so fetches do not take their tokens.
 */
final class Reconciler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    private static final int PROMOTE_BATCH = 1000;
    private static final long SOON_SPACING_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Broker store;
    private final Tokens tokens;
    private final String lockName;
    private final String owner = UUID.randomUUID().toString();
    private final Duration period;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition asked = lock.newCondition();
    private boolean soon;
    private boolean closed;
    private volatile Set<String> paused = Set.of();
    private volatile boolean failing;
    private final Thread thread;

    Reconciler(Broker store, Tokens tokens, RabbitUrl url) {
        this.store = store;
        this.tokens = tokens;
        this.lockName = url.prefix() + ".reconcile";
        this.period = url.reconcile();
        this.thread = Thread.ofPlatform().daemon().name("kyu-amqp-reconcile").unstarted(this::loop);
    }

    void start() {
        refreshPaused();
        thread.start();
    }

    /** Queues whose tokens fetches leave alone, as last seen. */
    Set<String> paused() {
        return paused;
    }

    void markPaused(String queue, boolean isPaused) {
        var next = new HashSet<>(paused);
        if (isPaused) next.add(queue);
        else next.remove(queue);
        paused = Set.copyOf(next);
    }

    /** Asks for a run soon, without the lock: this process's own write may have made jobs ready. */
    void soon() {
        lock.lock();
        try {
            soon = true;
            asked.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        long lastSoon = 0;
        while (true) {
            boolean wasAsked;
            lock.lock();
            try {
                long left = period.toNanos();
                while (!soon && !closed && left > 0) left = asked.awaitNanos(left);
                if (closed) return;
                wasAsked = soon;
                soon = false;
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            if (wasAsked) {
                long wait = SOON_SPACING_NS - (System.nanoTime() - lastSoon);
                if (wait > 0) java.util.concurrent.locks.LockSupport.parkNanos(wait);
                lastSoon = System.nanoTime();
            }
            runOnce(!wasAsked);
        }
    }

    /** Tokens beyond the waiting jobs that a periodic pass leaves alone (it trims a larger surplus). */
    static final long SURPLUS_SLACK = 100;

    /** One pass; {@code periodic} passes take the store lock first, promote due jobs and trim surpluses. */
    void runOnce(boolean periodic) {
        try {
            if (periodic) {
                if (!store.lockTry(lockName, owner, period.multipliedBy(3))) {
                    refreshPaused();
                    return;
                }
                store.jobsPromoteDue(PROMOTE_BATCH);
            }
            var nowPaused = new HashSet<String>();
            boolean askedRabbit = false;
            for (QueueInfo q : store.queuesList()) {
                if (q.paused()) {
                    nowPaused.add(q.queue());
                    continue;
                }
                long queued = q.count(JobState.QUEUED);
                if (queued == 0 && !periodic) continue;
                askedRabbit |= queued > 0;
                long ready = tokens.ready(q.queue());
                long deficit = queued - ready;
                if (deficit > 0) tokens.publish(q.queue(), deficit);
                // A surplus is harmless (a wake-up with nothing to claim), but jobs deleted, or claimed while their
                // tokens were on their way, leave theirs behind: with no job waiting, or well past the jobs waiting,
                // the queue is emptied and minted anew. A token an enqueue publishes meanwhile and loses is minted
                // again by the next pass.
                else if (periodic && ready > queued + (queued == 0 ? 0 : Math.max(SURPLUS_SLACK, queued))) {
                    tokens.purge(q.queue());
                    tokens.publish(q.queue(), queued);
                }
            }
            paused = Set.copyOf(nowPaused);
            // A pass with no queued job asks RabbitMQ nothing: it says nothing of whether RabbitMQ is back.
            if (!askedRabbit) return;
            if (failing) LOG.info("amqp reconciler: RabbitMQ reachable again, tokens minted for every ready job");
            failing = false;
        } catch (RuntimeException e) {
            if (!failing) LOG.warn("amqp reconciler: {} (retrying every {})", e.getMessage(), period);
            failing = true;
        }
    }

    private void refreshPaused() {
        try {
            var nowPaused = new HashSet<String>();
            for (QueueInfo q : store.queuesList()) if (q.paused()) nowPaused.add(q.queue());
            paused = Set.copyOf(nowPaused);
        } catch (RuntimeException e) {
            // the store is away: keep what was last seen
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            asked.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            store.lockRelease(lockName, owner);
        } catch (RuntimeException ignored) {
            // the lock expires by itself
        }
    }
}
