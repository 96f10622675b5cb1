package dev.kyu.worker;

import dev.kyu.job.Job;
import dev.kyu.task.JobContext;

/**
 * Wraps the run of every job: logging context, metrics, tracing, user hooks. Middleware runs on the job's
 * own thread, outermost first; it must call {@code next.proceed()} exactly once to run the job, and may
 * rethrow, wrap or inspect what comes out.
 */
@FunctionalInterface
public interface JobMiddleware {
    Object invoke(Job job, JobContext ctx, Chain next) throws Exception;

    @FunctionalInterface
    interface Chain {
        Object proceed() throws Exception;
    }
}
