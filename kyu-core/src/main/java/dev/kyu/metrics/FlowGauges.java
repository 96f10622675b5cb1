package dev.kyu.metrics;

import dev.kyu.Causes;
import dev.kyu.flow.FlowGate;
import dev.kyu.flow.Limit;
import dev.kyu.flow.Limits;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per flow limit: jobs this process's workers held back ({@value #HELD}, a counter), and from the broker the
 * jobs it holds back now ({@value #WAITING}) and its concurrency slots in use ({@value #RUNNING}), the same
 * numbers from every process. The broker is read at most once per {@code maxAge}; a limit seen for the first
 * time gets its meters at that read, and a removed one reads as zero.
 */
final class FlowGauges {
    private static final Logger log = LoggerFactory.getLogger(FlowGauges.class);
    static final String HELD = "kyu.flow.held";
    static final String WAITING = "kyu.flow.waiting";
    static final String RUNNING = "kyu.flow.running";
    static final String PAUSED = "kyu.flow.paused";

    private final MeterRegistry registry;
    private final Limits limits;
    private final FlowGate gate;
    private final Duration maxAge;
    private final Clock clock;
    private final Set<String> known = ConcurrentHashMap.newKeySet();
    private volatile Map<String, Limits.LimitStatus> snapshot = Map.of();
    private volatile Instant lastRead = Instant.EPOCH;

    FlowGauges(MeterRegistry registry, Limits limits, FlowGate gate, Duration maxAge, Clock clock) {
        this.registry = registry;
        this.limits = limits;
        this.gate = gate;
        this.maxAge = maxAge;
        this.clock = clock;
        refreshNow();
    }

    synchronized void refreshNow() {
        lastRead = clock.instant();
        try {
            var next = new ConcurrentHashMap<String, Limits.LimitStatus>();
            for (Limit l : limits.list()) {
                try {
                    next.put(l.name(), limits.status(l.name()));
                } catch (dev.kyu.KyuException.InvalidInput removedMeanwhile) {
                    continue; // gone between the list and its status: reads 0
                }
                register(l.name());
            }
            snapshot = next;
        } catch (RuntimeException e) {
            log.warn("could not read flow limit metrics from the broker: {}", Causes.oneLine(e));
        }
    }

    private Map<String, Limits.LimitStatus> current() {
        if (lastRead.plus(maxAge).isBefore(clock.instant())) {
            synchronized (this) {
                if (lastRead.plus(maxAge).isBefore(clock.instant())) refreshNow();
            }
        }
        return snapshot;
    }

    private void register(String limit) {
        if (!known.add(limit)) return;
        FunctionCounter.builder(HELD, gate, g -> g.heldBack().getOrDefault(limit, 0L))
                .description(
                        "Jobs this process's workers held back for the limit (sent back to wait without spending an attempt)")
                .tags("limit", limit)
                .register(registry);
        Gauge.builder(WAITING, this, g -> {
                    var s = g.current().get(limit);
                    return s == null ? 0 : s.waiting();
                })
                .description("Jobs the limit holds back now")
                .tags("limit", limit)
                .register(registry);
        Gauge.builder(RUNNING, this, g -> {
                    var s = g.current().get(limit);
                    return s == null ? 0 : s.running();
                })
                .description("Concurrency slots of the limit in use now, over every key")
                .tags("limit", limit)
                .register(registry);
        Gauge.builder(PAUSED, this, g -> {
                    var s = g.current().get(limit);
                    return s == null ? 0 : s.pausedUntil().size();
                })
                .description("Pauses in force on the limit (the whole limit, or one key each)")
                .tags("limit", limit)
                .register(registry);
    }
}
