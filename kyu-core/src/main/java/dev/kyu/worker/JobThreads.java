package dev.kyu.worker;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;

/** Where a worker runs its jobs: a virtual thread each (the default), or a pool of platform threads. */
sealed interface JobThreads permits JobThreads.Virtual, JobThreads.Pool {

    /** Runs a job's code; throws {@link RejectedExecutionException} once shut down. */
    void start(Runnable job);

    /** Refuses further jobs; a pool also interrupts the jobs it runs. */
    void shutdownNow();

    static JobThreads of(WorkerOptions options) {
        return options.platformThreads() ? new Pool(options.concurrency()) : new Virtual();
    }

    /**
     * A virtual thread per job, started straight from a factory rather than through a thread-per-task
     * executor: that executor keeps every thread in a set of its own and numbers its name, costs paid per
     * job for nothing, since the worker already tracks and interrupts its jobs through their RunningJob.
     */
    final class Virtual implements JobThreads {
        private final ThreadFactory factory = Thread.ofVirtual().name("kyu-job").factory();
        private volatile boolean shut;

        @Override
        public void start(Runnable job) {
            if (shut) throw new RejectedExecutionException("worker stopped");
            factory.newThread(job).start();
        }

        @Override
        public void shutdownNow() {
            shut = true;
        }
    }

    /**
     * A pool of platform threads, for CPU-bound work. The worker's slots bound how many jobs hold a thread at
     * once (running or waiting for a run permit); the pool adds a thread only when none is idle. It must not
     * be fixed: an attempt abandoned at its hard time limit keeps its thread, and the job given its slot
     * needs another.
     */
    final class Pool implements JobThreads {
        private final ExecutorService pool;

        Pool(int threads) {
            this.pool = new java.util.concurrent.ThreadPoolExecutor(
                    0,
                    Integer.MAX_VALUE,
                    60,
                    java.util.concurrent.TimeUnit.SECONDS,
                    new java.util.concurrent.SynchronousQueue<>(),
                    Thread.ofPlatform().name("kyu-job-", 0).factory());
        }

        @Override
        public void start(Runnable job) {
            pool.execute(job);
        }

        @Override
        public void shutdownNow() {
            pool.shutdownNow();
        }
    }
}
