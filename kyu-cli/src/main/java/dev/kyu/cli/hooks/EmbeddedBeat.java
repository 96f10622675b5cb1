package dev.kyu.cli.hooks;

import dev.kyu.Kyu;

/**
 * The scheduler (Celery Beat's part) run inside a worker process, for {@code kyu worker --beat}. The
 * scheduler module provides one through {@code META-INF/services/dev.kyu.cli.hooks.EmbeddedBeat}; without
 * one, {@code --beat} is refused with one line (exit 2).
 */
public interface EmbeddedBeat {
    /** Starts firing the stored schedules through {@code kyu}; closing the result stops it. */
    AutoCloseable start(Kyu kyu);
}
