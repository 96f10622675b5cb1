package dev.kyu.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Which ticks one scheduler pass fires, as a pure function of the schedule, the horizon (the latest tick
 * already dealt with) and now. Ticks in (horizon, now] are due. A due tick no older than {@code grace} is
 * on time and always fires; older ones were missed, and the schedule's {@link MissedTickPolicy} decides:
 * skip drops them, fire-once fires the latest of them when no on-time tick fires, catch-up fires them
 * up to the catch-up limit (the latest ones, oldest first).
 *
 * @param fire    the fire instants to enqueue, oldest first
 * @param horizon the new horizon: the latest due tick, fired or not
 * @param dropped how many due ticks were dropped (at least; counting stops at the catch-up limit)
 */
public record TickPlan(List<Instant> fire, Instant horizon, int dropped) {

    public TickPlan {
        fire = List.copyOf(fire);
    }

    public boolean isEmpty() {
        return fire.isEmpty() && dropped == 0;
    }

    public static TickPlan of(Schedule s, Instant horizon, Instant now, Duration grace) {
        Trigger trigger = s.trigger();
        Instant latest = trigger.latestAtOrBefore(now, s.zone());
        if (latest == null || !latest.isAfter(horizon)) return new TickPlan(List.of(), horizon, 0);

        Instant onTimeFrom = now.minus(grace);
        int lateWanted = switch (s.missedTicks()) {
            case SKIP -> 0;
            case FIRE_ONCE -> 1;
            case CATCH_UP -> s.catchUpLimit();
        };
        var onTime = new ArrayList<Instant>();
        var late = new ArrayList<Instant>();
        int dropped = 0;
        // Walk back from the latest due tick; stop once the horizon is reached or nothing more would fire.
        Instant t = latest;
        while (t != null && t.isAfter(horizon)) {
            if (!t.isBefore(onTimeFrom)) {
                if (onTime.size() == Schedule.MAX_CATCH_UP_LIMIT) { // a huge grace on a per-second cron
                    dropped++;
                    break;
                }
                onTime.add(t);
            } else if (late.size() < lateWanted) {
                late.add(t);
            } else {
                dropped++; // one dropped tick is enough to know some were; older ones are not counted
                break;
            }
            t = trigger.latestAtOrBefore(t.minusNanos(1), s.zone());
        }
        var fire = new ArrayList<Instant>();
        switch (s.missedTicks()) {
            case SKIP -> dropped += late.size();
            case FIRE_ONCE -> {
                if (onTime.isEmpty()) fire.addAll(late);
                else dropped += late.size();
            }
            case CATCH_UP -> {
                int room = Math.max(0, s.catchUpLimit() - onTime.size());
                fire.addAll(late.subList(0, Math.min(room, late.size())));
                dropped += late.size() - Math.min(room, late.size());
            }
        }
        fire.addAll(onTime);
        Collections.sort(fire);
        return new TickPlan(fire, latest, dropped);
    }
}
