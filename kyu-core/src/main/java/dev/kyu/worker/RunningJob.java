package dev.kyu.worker;

import dev.kyu.job.Job;
import dev.kyu.job.Lease;
import dev.kyu.job.Progress;
import dev.kyu.spi.Outcome;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One leased job inside a worker, from fetch until its outcome is recorded. Several threads touch it
 * (its job thread, the heartbeater, the timeout timer, shutdown), so what stopped it is one atomic value
 * and its outcome is settled exactly once: the first of "it finished" and "shutdown handed it back" wins.
 */
final class RunningJob {
    private final Job job;
    /** Read by every heartbeat and by the completion: made once. */
    private final Lease lease;
    // Atomic fields through VarHandles rather than Atomic* objects: two allocations fewer per job.
    private static final VarHandle STOP, SETTLED, EXIT;

    static {
        try {
            var lookup = MethodHandles.lookup();
            STOP = lookup.findVarHandle(RunningJob.class, "stop", StopReason.class);
            SETTLED = lookup.findVarHandle(RunningJob.class, "settled", boolean.class);
            EXIT = lookup.findVarHandle(RunningJob.class, "exit", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile StopReason stop = StopReason.NONE;
    private volatile boolean settled;
    private volatile Thread thread;
    private volatile boolean running;
    private volatile long startedNanos;
    /** How its run slot was given up: 0 not yet, 1 its task returned, 2 abandoned at the hard time limit. */
    private volatile int exit;
    /** The latest progress its task reported, and the latest one handed to the broker (null: none). */
    private volatile Progress progress;

    private volatile Progress sentProgress;
    /** The flow-control slots its attempt holds (null: none), freed when the attempt ends however it ends. */
    private volatile dev.kyu.flow.FlowGate.Ticket flowTicket;

    RunningJob(Job job) {
        this.job = job;
        this.lease = job.lease();
    }

    Job job() {
        return job;
    }

    Lease lease() {
        return lease;
    }

    StopReason stopReason() {
        return stop;
    }

    /** Records the first reason it was stopped and interrupts it if it is running; later reasons are ignored. */
    boolean stop(StopReason reason) {
        if (!STOP.compareAndSet(this, StopReason.NONE, reason)) return false;
        Thread t = thread;
        if (t != null) t.interrupt();
        return true;
    }

    /** The job's thread is known from the moment it waits for a run slot, so a stop can interrupt that wait too. */
    void attach(Thread t) {
        thread = t;
        // A stop that came before the thread was known must still interrupt it.
        if (stop != StopReason.NONE) t.interrupt();
    }

    void started() {
        startedNanos = System.nanoTime();
        running = true;
    }

    void finished() {
        running = false;
        thread = null;
    }

    boolean isRunning() {
        return running;
    }

    long startedNanos() {
        return startedNanos;
    }

    /** Keeps the task's latest progress; the heartbeat (or the completion) stores it. */
    void reportProgress(Progress p) {
        progress = p;
    }

    /** The progress not yet handed to the broker, or null. */
    Progress unsentProgress() {
        Progress p = progress;
        return p == sentProgress ? null : p;
    }

    /** The broker stored {@code p}; a newer report made meanwhile stays unsent. */
    void progressSent(Progress p) {
        sentProgress = p;
    }

    /** True for the job thread when its task returned before the hard time limit abandoned it. */
    boolean leave() {
        return EXIT.compareAndSet(this, 0, 1);
    }

    /** True for the hard time limit when the task has not returned: its slot is then freed without it. */
    boolean abandon() {
        return EXIT.compareAndSet(this, 0, 2);
    }

    void admitted(dev.kyu.flow.FlowGate.Ticket t) {
        flowTicket = t;
    }

    /** Frees its flow-control slots; safe to call more than once. */
    void releaseFlow() {
        var t = flowTicket;
        if (t != null) t.release();
    }

    /** True once its outcome is decided (it may still be on its way to the broker). */
    boolean isSettled() {
        return settled;
    }

    /** True for the one caller allowed to report this job's outcome. */
    boolean settle() {
        return SETTLED.compareAndSet(this, false, true);
    }

    /** An outcome with the job it belongs to, on its way to the broker. */
    record Settled(RunningJob running, Outcome outcome) {}
}
