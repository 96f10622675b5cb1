package dev.kyu.spi;

/**
 * What became of one {@link NewJob}.
 *
 * @param id      the stored job's id: the new job's, or, when a unique key matched, the existing job's
 * @param created false when a live job with the same unique key already existed and nothing was stored
 */
public record EnqueueResult(String id, boolean created) {}
