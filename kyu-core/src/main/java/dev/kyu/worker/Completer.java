package dev.kyu.worker;

import dev.kyu.Causes;
import dev.kyu.job.Lease;
import dev.kyu.job.Progress;
import dev.kyu.spi.Broker;
import dev.kyu.spi.Completion;
import dev.kyu.spi.LeaseExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records outcomes in the broker in batches, on one thread of its own. It takes whatever outcomes are
 * waiting (never waiting for more), so under load one round trip records hundreds of jobs while a lone
 * job is recorded at once. A job stays in the worker's lease set, and keeps being heartbeated, until its
 * outcome is recorded; if the broker is down the batch is retried with back-off, never dropped.
 */
final class Completer {
    private static final Logger log = LoggerFactory.getLogger(Completer.class);
    private static final int MAX_BATCH = 1000;

    private final Broker broker;
    private final String workerId;
    private final Duration leaseDuration;
    private final Consumer<List<Recorded>> onRecorded;
    /**
     * Lock-free, because a thousand job threads hand in outcomes at once: a blocking queue's lock makes
     * them queue up, and a virtual thread that loses a lock race parks and is scheduled again.
     */
    private final ConcurrentLinkedQueue<RunningJob.Settled> pending = new ConcurrentLinkedQueue<>();

    private final Thread thread;
    /** True while the completer thread is about to park or parked: only then does a submit wake it. */
    private volatile boolean idle;

    private volatile boolean stopping;

    /** An outcome as the broker took it: applied, or refused because the lease had moved on. */
    record Recorded(RunningJob.Settled settled, boolean applied) {}

    Completer(Broker broker, String workerId, Duration leaseDuration, Consumer<List<Recorded>> onRecorded) {
        this.broker = broker;
        this.workerId = workerId;
        this.leaseDuration = leaseDuration;
        this.onRecorded = onRecorded;
        this.thread =
                Thread.ofPlatform().daemon().name("kyu-completer-" + workerId).unstarted(this::loop);
    }

    void start() {
        thread.start();
    }

    void submit(RunningJob.Settled settled) {
        pending.add(settled);
        if (idle) LockSupport.unpark(thread);
    }

    /** Records what is pending, retrying for up to {@code within}, then stops. */
    void stop(Duration within) throws InterruptedException {
        stopping = true;
        thread.join(within.toMillis());
        if (thread.isAlive()) {
            thread.interrupt();
            thread.join(1000);
            if (!pending.isEmpty()) {
                log.warn(
                        "{} outcome(s) could not be recorded before shutdown; their leases will expire and the jobs run again",
                        pending.size());
            }
        }
    }

    private void loop() {
        var batch = new ArrayList<RunningJob.Settled>(MAX_BATCH);
        long backoffMs = 50;
        while (true) {
            try {
                if (batch.isEmpty()) {
                    if (!takeWaiting(batch)) {
                        if (stopping) return;
                        continue;
                    }
                }
                record(batch);
                batch.clear();
                backoffMs = 50;
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.warn(
                        "could not record {} outcome(s), retrying in {} ms: {}",
                        batch.size(),
                        backoffMs,
                        Causes.oneLine(e));
                log.debug("recording outcomes failed", e);
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException ie) {
                    return;
                }
                backoffMs = Math.min(backoffMs * 2, 5_000);
            }
        }
    }

    /** Takes up to a batch of waiting outcomes, or waits up to 100 ms for the first; false when none came. */
    private boolean takeWaiting(List<RunningJob.Settled> batch) throws InterruptedException {
        if (drain(batch)) return true;
        idle = true;
        try {
            // A submit between the drain and here sees idle and unparks, so the park returns at once.
            if (drain(batch)) return true;
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(100));
        } finally {
            idle = false;
        }
        if (Thread.interrupted()) throw new InterruptedException();
        return drain(batch);
    }

    private boolean drain(List<RunningJob.Settled> batch) {
        RunningJob.Settled s;
        while (batch.size() < MAX_BATCH && (s = pending.poll()) != null) batch.add(s);
        return !batch.isEmpty();
    }

    private void record(List<RunningJob.Settled> batch) {
        flushProgress(batch);
        var completions = new ArrayList<Completion>(batch.size());
        for (var s : batch) completions.add(new Completion(s.running().lease(), s.outcome()));
        List<Boolean> applied = broker.jobsComplete(completions);
        var recorded = new ArrayList<Recorded>(batch.size());
        for (int i = 0; i < batch.size(); i++) recorded.add(new Recorded(batch.get(i), applied.get(i)));
        onRecorded.accept(recorded);
    }

    /**
     * A job's last progress is stored before its outcome, through the fenced lease extension (one call for
     * the batch, and none when no job in it reported since its last heartbeat), so progress is kept after
     * the job ends without a write of its own per report.
     */
    private void flushProgress(List<RunningJob.Settled> batch) {
        Map<String, Progress> progress = null;
        List<Lease> leases = null;
        for (var s : batch) {
            Progress p = s.running().unsentProgress();
            if (p == null) continue;
            if (progress == null) {
                progress = new HashMap<>();
                leases = new ArrayList<>();
            }
            progress.put(s.running().job().id(), p);
            leases.add(s.running().lease());
        }
        if (progress == null) return;
        broker.leasesExtend(new LeaseExtension(workerId, leases, leaseDuration, progress));
        for (var s : batch) {
            Progress p = progress.get(s.running().job().id());
            if (p != null) s.running().progressSent(p);
        }
    }
}
