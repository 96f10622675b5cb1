package dev.kyu.flow;

import dev.kyu.spi.Broker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** {@link Limits} kept in the broker's key-value verbs (layout in {@code package-info}). */
public final class KvLimits implements Limits {
    static final String DEFS = "kyu.flow.limit/";
    static final String PAUSES = "kyu.flow.pause/";
    /** Per limit, the latest end of any of its pauses: a worker reads this one key to know a limit has none in force. */
    static final String PAUSED_UNTIL = "kyu.flow.paused/";

    private final Broker broker;
    private final Clock clock;

    public KvLimits(Broker broker, Clock clock) {
        this.broker = broker;
        this.clock = clock;
    }

    @Override
    public void define(Limit limit) {
        broker.kvPut(DEFS + limit.name(), LimitCodec.encode(limit));
    }

    @Override
    public boolean remove(String name) {
        boolean existed = broker.kvGet(DEFS + name).isPresent();
        broker.kvDelete(DEFS + name);
        return existed;
    }

    @Override
    public Optional<Limit> get(String name) {
        return broker.kvGet(DEFS + name).map(LimitCodec::decode);
    }

    @Override
    public List<Limit> list() {
        var out = new ArrayList<Limit>();
        for (String json : broker.kvList(DEFS).values()) {
            try {
                out.add(LimitCodec.decode(json));
            } catch (RuntimeException unreadable) {
                // a definition no code of this version can read is shown by `kyu limits` as an error line, never run
            }
        }
        return out;
    }

    @Override
    public void pause(String name, String key, Duration duration) {
        if (get(name).isEmpty()) throw new dev.kyu.KyuException.InvalidInput("no limit named '" + name + "'");
        if (duration.isNegative()) throw new dev.kyu.KyuException.InvalidInput("a pause must not be negative, was " + duration);
        Instant until = clock.instant().plus(duration);
        lengthen(broker, PAUSES + name + "/" + (key == null ? "" : key), until);
        lengthen(broker, PAUSED_UNTIL + name, until);
    }

    /** Sets the instant at {@code k} to {@code until} unless it already ends later: a pause only ever lengthens. */
    static void lengthen(Broker broker, String k, Instant until) {
        while (true) {
            Optional<String> cur = broker.kvGet(k);
            if (cur.isPresent()) {
                try {
                    if (!Instant.parse(cur.get()).isBefore(until)) return;
                } catch (RuntimeException unreadable) {
                    // replaced below
                }
            }
            if (broker.kvCompareAndSet(k, cur.orElse(null), until.toString())) return;
        }
    }

    /** Bookings of this limit (held-back jobs not yet started); one older than a day belongs to a job gone elsewhere. */
    static long waiting(Map<String, String> bookings, String name, Instant now) {
        long staleBefore = FlowGate.nanos(now.minus(FlowGate.STALE_BOOKING));
        long n = 0;
        String suffix = "/" + name;
        for (var e : bookings.entrySet()) {
            if (!e.getKey().endsWith(suffix)) continue;
            try {
                if (Booking.decode(e.getValue()).slot() >= staleBefore) n++;
            } catch (RuntimeException unreadable) {
                // not counted
            }
        }
        return n;
    }

    /** Concurrency slots held now over every key of the limit. */
    long running(String name) {
        long n = 0;
        for (String holders : broker.kvList(FlowGate.SLOTS + name + "/").values()) n += FlowGate.holders(holders).size();
        return n;
    }

    @Override
    public LimitStatus status(String name) {
        Limit limit = get(name).orElseThrow(() -> new dev.kyu.KyuException.InvalidInput("no limit named '" + name + "'"));
        Instant now = clock.instant();
        Map<String, Instant> paused = new TreeMap<>();
        for (var e : broker.kvList(PAUSES + name + "/").entrySet()) {
            Instant until = Instant.parse(e.getValue());
            if (until.isAfter(now)) paused.put(e.getKey().substring((PAUSES + name + "/").length()), until);
        }
        return new LimitStatus(limit, waiting(broker.kvList(Booking.PREFIX), name, now), running(name), paused);
    }
}
