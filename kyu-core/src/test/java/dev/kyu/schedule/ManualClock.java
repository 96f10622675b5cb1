package dev.kyu.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that moves only when a test moves it; shared by brokers and schedulers so all agree on now. */
final class ManualClock extends Clock {
    private volatile Instant now;

    ManualClock(Instant start) {
        now = start;
    }

    ManualClock(String iso) {
        this(Instant.parse(iso));
    }

    void advance(Duration d) {
        now = now.plus(d);
    }

    void set(Instant at) {
        now = at;
    }

    @Override public ZoneId getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(ZoneId zone) { return this; }
    @Override public Instant instant() { return now; }
}
