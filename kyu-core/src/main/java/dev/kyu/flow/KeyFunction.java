package dev.kyu.flow;

import dev.kyu.job.Job;

/** Computes a job's limit key in code; registered by name ({@code fn:NAME}) in every worker that runs the limited jobs. */
@FunctionalInterface
public interface KeyFunction {
    /** The key of this job: any non-empty text of at most 200 characters. May throw: the job then ends FAILED with the reason. */
    String key(Job job) throws Exception;
}
