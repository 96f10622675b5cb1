package dev.kyu.metrics;

import dev.kyu.flow.Limit;
import dev.kyu.flow.Limits;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges of the flow limits, read from the broker ({@link Limits#status}): jobs each limit holds back,
 * slots it has taken, whether a pause is in force. Like {@link QueueGauges}, one snapshot serves every gauge
 * and is re-read at most once per {@code maxAge}; a limit seen for the first time gets its gauges at that
 * read, and a limit removed reads 0.
 */
final class LimitGauges {
    private static final Logger log = LoggerFactory.getLogger(LimitGauges.class);

    static final String WAITING = "kyu.limit.waiting";
    static final String RUNNING = "kyu.limit.running";
    static final String PAUSED = "kyu.limit.paused";

    private final MeterRegistry registry;
    private final Limits limits;
    private final Duration maxAge;
    private final Clock clock;
    private final Set<String> known = ConcurrentHashMap.newKeySet();
    private volatile Map<String, Limits.LimitStatus> snapshot = Map.of();
    private volatile Instant lastRead = Instant.EPOCH;

    LimitGauges(MeterRegistry registry, Limits limits, Duration maxAge, Clock clock) {
        this.registry = registry;
        this.limits = limits;
        this.maxAge = maxAge;
        this.clock = clock;
        refreshNow();
    }

    synchronized void refreshNow() {
        lastRead = clock.instant();
        try {
            var read = new HashMap<String, Limits.LimitStatus>();
            for (Limit l : limits.list()) {
                try {
                    read.put(l.name(), limits.status(l.name()));
                } catch (dev.kyu.KyuException.InvalidInput removedMeanwhile) {
                    // gone between the list and its status: reads 0
                }
            }
            snapshot = Map.copyOf(read);
            read.keySet().forEach(this::register);
        } catch (RuntimeException e) {
            // QueueGauges says the broker is down (kyu_broker_up); these keep their last numbers
            log.debug("reading limit metrics failed", e);
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
        Gauge.builder(WAITING, this, g -> {
                    var s = g.current().get(limit);
                    return s == null ? 0 : s.waiting();
                })
                .description("Jobs a flow limit holds back now").tags("limit", limit).register(registry);
        Gauge.builder(RUNNING, this, g -> {
                    var s = g.current().get(limit);
                    return s == null ? 0 : s.running();
                })
                .description("Slots a concurrency limit has taken now, over every key").tags("limit", limit).register(registry);
        Gauge.builder(PAUSED, this, g -> {
                    var s = g.current().get(limit);
                    return s == null ? 0 : s.pausedUntil().size();
                })
                .description("Pauses in force on a flow limit (the whole limit or one key each)").tags("limit", limit).register(registry);
    }
}
