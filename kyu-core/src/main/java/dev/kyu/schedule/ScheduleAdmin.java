package dev.kyu.schedule;

import dev.kyu.KyuException;
import dev.kyu.job.Durations;
import dev.kyu.spi.Broker;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.task.TaskRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The operator's side of schedules, for the CLI, the dashboard and applications: list with last and next
 * fire, pause, resume, run now, delete. It reads and writes only the broker ({@link ScheduleStore}), so
 * it works from any process, whether or not a scheduler runs in it.
 *
 * <p>Pausing is honoured by every scheduler at its next pass: ticks that come due while paused are
 * dropped (not caught up on resume). Run now enqueues one job at once, outside the tick sequence: it
 * has no unique key, works while paused, and does not count as the previous run for overlap skip.
 */
public final class ScheduleAdmin {
    private final ScheduleStore store;
    private final Clock clock;
    private final TickJobs jobs;

    public ScheduleAdmin(Broker broker) {
        this(broker, null, null);
    }

    /** With the clock "next fire" is judged by (default: the broker's) and tasks whose defaults apply to run-now. */
    public ScheduleAdmin(Broker broker, Clock clock, TaskRegistry tasks) {
        this.store = new ScheduleStore(broker);
        this.clock = clock != null ? clock : new BrokerClock(broker);
        this.jobs = new TickJobs(tasks, this.clock);
    }

    /** Every schedule any scheduler has published, sorted by name. */
    public List<ScheduleInfo> list() {
        Set<String> paused = store.pausedNames();
        Instant now = clock.instant();
        var out = new ArrayList<ScheduleInfo>();
        for (var d : store.definitions().values()) out.add(info(d, paused.contains(d.name()), now));
        return out;
    }

    public Optional<ScheduleInfo> get(String name) {
        return store.definition(name).map(d -> info(d, store.isPaused(name), clock.instant()));
    }

    public void pause(String name) {
        require(name);
        store.setPaused(name, true, clock.instant());
    }

    public void resume(String name) {
        require(name);
        store.setPaused(name, false, clock.instant());
    }

    /** Enqueues the schedule's task now, with its args and options; returns the job id. */
    public String runNow(String name) {
        var d = require(name);
        if (d.schedule() == null)
            throw new KyuException.InvalidInput("schedule '" + name + "' cannot run: " + d.problem());
        return store.broker()
                .jobsEnqueue(EnqueueRequest.of(List.of(jobs.manual(d.schedule(), clock.instant()))))
                .get(0)
                .id();
    }

    /** Forgets a schedule's definition, state and pause; a scheduler still running it publishes it again. */
    public void delete(String name) {
        require(name);
        store.delete(name);
    }

    private ScheduleStore.StoredDefinition require(String name) {
        return store.definition(name).orElseThrow(() -> {
            List<String> known = store.names();
            return new KyuException.InvalidInput("no schedule named " + dev.kyu.codec.Printable.quoted(name)
                    + (known.isEmpty() ? ": no schedules are defined" : " (known: " + String.join(", ", known) + ")"));
        });
    }

    private ScheduleInfo info(ScheduleStore.StoredDefinition d, boolean paused, Instant now) {
        Optional<ScheduleState> state = store.state(d.name());
        Instant last = state.map(ScheduleState::lastFireAt).orElse(null);
        String lastJob = state.map(ScheduleState::lastJobId).orElse(null);
        Schedule s = d.schedule();
        if (s == null) {
            return new ScheduleInfo(
                    d.name(),
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    paused,
                    last,
                    lastJob,
                    null,
                    d.problem());
        }
        Instant from =
                state.map(ScheduleState::horizon).filter(h -> h.isAfter(now)).orElse(now);
        String cron = s.trigger() instanceof CronTrigger c ? c.expression() : null;
        String every = s.trigger() instanceof IntervalTrigger i ? Durations.format(i.every()) : null;
        // The default zone is ZoneOffset.UTC, whose id is "Z": shown as the docs and schedule files name it.
        String zone = s.zone().normalized().equals(java.time.ZoneOffset.UTC)
                ? "UTC"
                : s.zone().getId();
        return new ScheduleInfo(
                s.name(),
                s.task(),
                s.options().queue(),
                cron,
                every,
                zone,
                s.argsJson(),
                s.missedTicks().text(),
                s.catchUpLimit(),
                s.overlap().text(),
                paused,
                last,
                lastJob,
                s.trigger().nextAfter(from, s.zone()),
                null);
    }

    /** The broker's own clock, so that every process listing schedules agrees on "now". */
    private static final class BrokerClock extends Clock {
        private final Broker broker;

        BrokerClock(Broker broker) {
            this.broker = broker;
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return broker.now();
        }
    }
}
