package dev.kyu.worker;

import dev.kyu.job.Job;
import dev.kyu.task.JobContext;
import org.slf4j.MDC;

/**
 * Puts the job's id, task, queue and attempt into the SLF4J MDC ({@code kyu.jobId}, {@code kyu.task},
 * {@code kyu.queue}, {@code kyu.attempt}) for every log line the task writes, and removes them afterwards
 * so a reused thread never carries a finished job's context.
 */
public final class MdcMiddleware implements JobMiddleware {
    public static final String JOB_ID = "kyu.jobId";
    public static final String TASK = "kyu.task";
    public static final String QUEUE = "kyu.queue";
    public static final String ATTEMPT = "kyu.attempt";

    @Override
    public Object invoke(Job job, JobContext ctx, Chain next) throws Exception {
        MDC.put(JOB_ID, job.id());
        MDC.put(TASK, job.task());
        MDC.put(QUEUE, job.queue());
        MDC.put(ATTEMPT, Integer.toString(job.attempt()));
        try {
            return next.proceed();
        } finally {
            MDC.remove(JOB_ID);
            MDC.remove(TASK);
            MDC.remove(QUEUE);
            MDC.remove(ATTEMPT);
        }
    }
}
