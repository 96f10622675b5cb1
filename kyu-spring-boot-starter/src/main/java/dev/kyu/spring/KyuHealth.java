package dev.kyu.spring;

import dev.kyu.Kyu;
import dev.kyu.worker.WorkerStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Kyu's health, whichever Actuator reports it: UP when the broker answers within the timeout and this
 * application's worker, if it runs one, can fetch; DOWN otherwise. A worker turned off is not a fault:
 * the application stays UP and the details say {@code worker: disabled}.
 */
public final class KyuHealth {
    /** One look: the status and what it is made of. */
    public record Report(boolean up, Map<String, Object> details) {}

    private final Kyu kyu;
    private final KyuRuntime runtime;
    private final Duration timeout;

    public KyuHealth(Kyu kyu, KyuRuntime runtime, Duration timeout) {
        this.kyu = kyu;
        this.runtime = runtime;
        this.timeout = timeout;
    }

    public Report check() {
        var details = new LinkedHashMap<String, Object>();
        details.put("broker", kyu.broker().describe());
        String problem = ping();
        details.put("brokerReachable", problem == null);
        if (problem != null) details.put("brokerError", problem);
        boolean workerOk = true;
        if (!runtime.workerEnabled()) {
            details.put("worker", "disabled");
        } else if (runtime.worker().isEmpty()) {
            details.put("worker", runtime.isRunning() ? "starting" : "stopped");
        } else {
            WorkerStatus s = runtime.worker().get().status();
            var w = new LinkedHashMap<String, Object>();
            w.put("id", s.workerId());
            w.put("running", s.running());
            w.put("fetching", s.fetching());
            w.put("concurrency", s.concurrency());
            w.put("busy", s.busy());
            w.put("fetchErrors", s.fetchErrors());
            details.put("worker", w);
            workerOk = !s.running() || s.fetching();
        }
        return new Report(problem == null && workerOk, details);
    }

    /** Null when the broker answered in time, else why not. */
    private String ping() {
        // Engines may ride out an outage inside a call for long: the probe gives up after the timeout.
        var f = CompletableFuture.supplyAsync(
                () -> kyu.broker().now(),
                r -> Thread.ofVirtual().name("kyu-health").start(r));
        try {
            f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return null;
        } catch (java.util.concurrent.TimeoutException e) {
            return "no answer within " + dev.kyu.job.Durations.format(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (java.util.concurrent.ExecutionException e) {
            return dev.kyu.Causes.oneLine(e.getCause());
        }
    }
}
