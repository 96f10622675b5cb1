package dev.kyu.flow;

import dev.kyu.codec.Printable;
import dev.kyu.job.Durations;
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
        if (get(name).isEmpty())
            throw new dev.kyu.KyuException.InvalidInput("no limit named " + Printable.quoted(name));
        if (duration.isNegative())
            throw new dev.kyu.KyuException.InvalidInput("a pause must not be negative, was " + duration);
        if (duration.compareTo(Durations.MAX) > 0) {
            throw new dev.kyu.KyuException.InvalidInput(
                    "a pause must be at most " + Durations.MAX.toDays() + "d, was " + duration.toDays() + "d");
        }
        // a job's key is 1..FlowKeys.MAX characters: a longer one could never match a job
        if (key != null && (key.isEmpty() || key.length() > FlowKeys.MAX)) {
            throw new dev.kyu.KyuException.InvalidInput(
                    "a pause's key must be 1-" + FlowKeys.MAX + " characters, was " + key.length());
        }
        Instant until = clock.instant().plus(duration);
        lengthen(broker, PAUSES + name + "/" + (key == null ? "" : key), until);
        lengthen(broker, PAUSED_UNTIL + name, until);
    }

    /** Sets the instant at {@code k} to {@code until} unless it already ends later: a pause only ever lengthens. */
    static void lengthen(Broker broker, String k, Instant until) {
        while (true) {
            Optional<String> cur = broker.kvGet(k);
            Instant current = cur.map(KvLimits::instantOrNull).orElse(null); // an unreadable end is replaced
            if (current != null && current.isAfter(until)) return;
            if (broker.kvCompareAndSet(k, cur.orElse(null), until.toString())) return;
        }
    }

    /** A stored pause's end, or null when the text is not an instant (such an entry pauses nothing, see FlowGate). */
    static Instant instantOrNull(String text) {
        try {
            return Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
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
        for (String holders : broker.kvList(FlowGate.SLOTS + name + "/").values())
            n += FlowGate.holders(holders).size();
        return n;
    }

    @Override
    public LimitStatus status(String name) {
        Limit limit = get(name)
                .orElseThrow(() -> new dev.kyu.KyuException.InvalidInput("no limit named " + Printable.quoted(name)));
        Instant now = clock.instant();
        Map<String, Instant> paused = new TreeMap<>();
        for (var e : broker.kvList(PAUSES + name + "/").entrySet()) {
            Instant until = instantOrNull(e.getValue());
            if (until != null && until.isAfter(now))
                paused.put(e.getKey().substring((PAUSES + name + "/").length()), until);
        }
        return new LimitStatus(limit, waiting(broker.kvList(Booking.PREFIX), name, now), running(name), paused);
    }
}
