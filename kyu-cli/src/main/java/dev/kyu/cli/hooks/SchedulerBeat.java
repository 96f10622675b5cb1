package dev.kyu.cli.hooks;

import dev.kyu.Kyu;
import dev.kyu.schedule.ScheduleBundle;
import dev.kyu.schedule.Scheduler;

/**
 * {@code kyu worker --beat}: a scheduler inside the worker process. It runs the schedules of the
 * {@link ScheduleBundle}s on the class path and every schedule stored in the broker (published by
 * {@code kyu beat --schedule FILE} or any other scheduler), re-read on each pass. Ticks stay exactly-once
 * however many workers run with {@code --beat}.
 */
public final class SchedulerBeat implements EmbeddedBeat {
    @Override
    public AutoCloseable start(Kyu kyu) {
        return Scheduler.builder(kyu)
                .schedules(ScheduleBundle.loadAll(SchedulerBeat.class.getClassLoader()))
                .followStored(true)
                .build()
                .start();
    }
}
