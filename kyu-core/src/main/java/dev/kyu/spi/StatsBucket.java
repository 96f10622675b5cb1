package dev.kyu.spi;

import java.time.Instant;

/** Jobs that finished in one minute on one queue, recorded by the engine as it completes them. */
public record StatsBucket(Instant minute, String queue, long succeeded, long failed, long retried) {}
