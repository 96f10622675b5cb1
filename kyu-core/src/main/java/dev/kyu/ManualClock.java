package dev.kyu;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that moves only when told, for tests of code that takes an injected {@link Clock}: Kyu's own, and
 * yours (pass it to {@code Kyu.builder().clock(...)} on the {@code memory:} or {@code sqlite:} engine, which
 * judge time by it, and move it by hand).
 * Thread-safe: workers, fetchers and the test thread may read it while the test moves it. It starts at
 * {@link #START}, a fixed instant, so every run sees the same times.
 */
public final class ManualClock extends Clock {
    /** Where every new ManualClock starts: a whole second, so engines storing milliseconds keep it exactly. */
    public static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

    private final AtomicReference<Instant> now;
    private final ZoneId zone;

    public ManualClock() {
        this(START);
    }

    public ManualClock(Instant start) {
        this(new AtomicReference<>(Objects.requireNonNull(start, "start")), ZoneOffset.UTC);
    }

    /** Starts at an ISO-8601 instant, e.g. {@code "2030-01-01T00:00:00Z"}. */
    public ManualClock(String iso) {
        this(Instant.parse(iso));
    }

    private ManualClock(AtomicReference<Instant> now, ZoneId zone) {
        this.now = now;
        this.zone = zone;
    }

    /** Moves the clock forward (or back, for a negative amount) and returns the new time. */
    public Instant advance(Duration amount) {
        Objects.requireNonNull(amount, "amount");
        return now.updateAndGet(t -> t.plus(amount));
    }

    public void set(Instant instant) {
        now.set(Objects.requireNonNull(instant, "instant"));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    /** A view in another zone that shares this clock's time (and moves with it). */
    @Override
    public Clock withZone(ZoneId z) {
        return new ManualClock(now, z);
    }

    @Override
    public String toString() {
        return "ManualClock[" + now.get() + "]";
    }
}
