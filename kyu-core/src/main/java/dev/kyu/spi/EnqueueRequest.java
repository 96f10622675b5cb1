package dev.kyu.spi;

import java.sql.Connection;
import java.util.List;

/**
 * A batch of jobs to store atomically, in one round trip where the engine allows.
 *
 * @param jobs       the jobs, in order; unique keys are honoured within the batch too
 * @param connection the caller's own open JDBC transaction, for engines with
 *                   {@link Capability#TRANSACTIONAL_ENQUEUE}; null otherwise. The jobs become visible
 *                   when the caller commits and vanish if it rolls back.
 */
public record EnqueueRequest(List<NewJob> jobs, Connection connection) {
    public EnqueueRequest {
        jobs = List.copyOf(jobs);
    }

    public static EnqueueRequest of(List<NewJob> jobs) {
        return new EnqueueRequest(jobs, null);
    }
}
