package dev.kyu.spring;

import dev.kyu.Kyu;
import dev.kyu.alert.AlertConfig;
import dev.kyu.alert.Alerts;
import dev.kyu.schedule.Schedule;
import dev.kyu.schedule.Scheduler;
import dev.kyu.worker.Worker;
import dev.kyu.worker.WorkerOptions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.springframework.context.SmartLifecycle;

/**
 * The background parts of Kyu in the application (worker, schedules' beat, alerts), started and stopped
 * with the application context. They start in the last phase, once every bean (and so every task) is
 * ready, and stop in the first: fetching stops, leased jobs not yet started are handed back at once,
 * running jobs get the shutdown grace, and whatever still runs after it is interrupted and handed back.
 * Keep {@code kyu.worker.shutdown-grace} below {@code spring.lifecycle.timeout-per-shutdown-phase}.
 */
public final class KyuRuntime implements SmartLifecycle {
    private final Kyu kyu;
    private final WorkerOptions workerOptions;
    private final List<Schedule> schedules;
    private final AlertConfig alerts;

    private volatile Worker worker;
    private volatile Scheduler scheduler;
    private volatile Alerts alertsRunning;
    private volatile boolean running;

    /**
     * @param workerOptions null when this application runs no worker
     * @param schedules     the schedules to enqueue ticks for; empty for none
     * @param alerts        the alert rules to evaluate, or null
     */
    public KyuRuntime(Kyu kyu, WorkerOptions workerOptions, List<Schedule> schedules, AlertConfig alerts) {
        this.kyu = kyu;
        this.workerOptions = workerOptions;
        this.schedules = List.copyOf(schedules);
        this.alerts = alerts;
    }

    @Override
    public synchronized void start() {
        if (running) return;
        if (workerOptions != null) worker = kyu.worker(workerOptions).start();
        if (!schedules.isEmpty())
            scheduler = Scheduler.builder(kyu).schedules(schedules).build().start();
        if (alerts != null) alertsRunning = Alerts.of(kyu, alerts).start();
        running = true;
    }

    @Override
    public void stop(Runnable callback) {
        // The grace can be long: the context stops its other beans of this phase meanwhile.
        Thread.ofPlatform().name("kyu-shutdown").start(() -> {
            try {
                stop();
            } finally {
                callback.run();
            }
        });
    }

    @Override
    public synchronized void stop() {
        if (!running) return;
        running = false;
        if (scheduler != null) scheduler.close();
        if (alertsRunning != null) alertsRunning.close();
        if (worker != null) worker.stop(workerOptions.shutdownGrace());
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return DEFAULT_PHASE;
    }

    /** This application's worker, while it runs (none when kyu.worker.enabled is false). */
    public Optional<Worker> worker() {
        return Optional.ofNullable(worker);
    }

    /** True when this application was configured to run a worker. */
    public boolean workerEnabled() {
        return workerOptions != null;
    }

    public Duration shutdownGrace() {
        return workerOptions == null ? Duration.ZERO : workerOptions.shutdownGrace();
    }

    public List<Schedule> schedules() {
        return schedules;
    }
}
