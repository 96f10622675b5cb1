package dev.kyu.worker;

import dev.kyu.Causes;
import dev.kyu.job.Job;
import dev.kyu.spi.Broker;
import dev.kyu.spi.FetchRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's one fetch loop, on a platform thread of its own. It never asks for more jobs than it has
 * free slots (concurrency plus prefetch): it takes every free slot at once, asks the broker for that many,
 * gives back the slots it did not fill, and hands each job to the dispatcher. A slot comes back when its
 * job stops running. When the broker is unreachable it backs off and tries again; fetching never gives up
 * while the worker runs.
 */
final class Fetcher {
    private static final Logger log = LoggerFactory.getLogger(Fetcher.class);

    private final Broker broker;
    private final WorkerOptions options;
    private final QueueOrder order;
    private final Semaphore slots;
    private final Consumer<Job> dispatch;
    private final Thread thread;
    private volatile boolean running = true;
    /** True from a failed fetch until the next one that works: the worker's readiness. */
    private volatile boolean failing;

    private final java.util.concurrent.atomic.AtomicLong errors = new java.util.concurrent.atomic.AtomicLong();

    Fetcher(Broker broker, WorkerOptions options, Semaphore slots, Consumer<Job> dispatch) {
        this.broker = broker;
        this.options = options;
        this.order = new QueueOrder(options.queues(), options.weights());
        this.slots = slots;
        this.dispatch = dispatch;
        this.thread = Thread.ofPlatform()
                .daemon()
                .name("kyu-fetcher-" + options.workerId())
                .unstarted(this::loop);
    }

    void start() {
        thread.start();
    }

    /** Stops fetching; a fetch blocked in the broker is interrupted. Jobs it already got are still dispatched. */
    void stop() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(10_000);
    }

    private void loop() {
        long backoffMs = 100;
        while (running) {
            int n;
            try {
                n = slots.drainPermits();
                if (n == 0) {
                    slots.acquire();
                    n = 1 + slots.drainPermits();
                }
            } catch (InterruptedException e) {
                return;
            }
            List<Job> jobs;
            try {
                jobs = broker.jobsFetch(new FetchRequest(
                        options.workerId(), order.next(), n, options.leaseDuration(), options.fetchWait()));
                if (failing) log.info("fetching from {} again", broker.describe());
                failing = false;
                backoffMs = 100;
            } catch (InterruptedException e) {
                slots.release(n);
                return;
            } catch (RuntimeException e) {
                slots.release(n);
                errors.incrementAndGet();
                if (!failing)
                    log.warn("fetch from {} failed, retrying with back-off: {}", broker.describe(), Causes.oneLine(e));
                log.debug("fetch failed", e);
                failing = true;
                if (!pause(backoffMs)) return;
                backoffMs = Math.min(backoffMs * 2, 5_000);
                continue;
            }
            if (jobs.size() < n) slots.release(n - jobs.size());
            for (Job job : jobs) dispatch.accept(job);
        }
    }

    /** Whether the last fetch reached the broker. */
    boolean healthy() {
        return !failing;
    }

    /** Fetches that failed since the worker started. */
    long errors() {
        return errors.get();
    }

    private boolean pause(long ms) {
        try {
            Thread.sleep(Duration.ofMillis(ms));
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }
}
