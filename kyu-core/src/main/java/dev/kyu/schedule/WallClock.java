package dev.kyu.schedule;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;

/**
 * Kyu's DST rules: how a wall-clock time named by a cron expression becomes one instant.
 * <ul>
 *   <li>A time that exists once is that instant.</li>
 *   <li>A time skipped by a change (02:30 on a spring-forward night in New York) becomes the first valid
 *       instant after the gap, the moment of the change (03:00 new time). Every skipped time collapses
 *       onto that one instant, so the tick fires once, not once per skipped time.</li>
 *   <li>A time that occurs twice (01:30 on a fall-back night) is the first occurrence, the earlier offset;
 *       the repeat is not fired again.</li>
 * </ul>
 * The mapping never decreases as wall-clock time increases, which is what lets {@link CronTrigger} hand
 * out strictly increasing fire instants.
 */
final class WallClock {
    private WallClock() {}

    static Instant resolve(LocalDateTime local, ZoneId zone) {
        ZoneRules rules = zone.getRules();
        var offsets = rules.getValidOffsets(local);
        if (offsets.size() == 1) return local.toInstant(offsets.get(0));
        ZoneOffsetTransition t = rules.getTransition(local);
        if (offsets.isEmpty()) return t.getInstant(); // a gap: the instant the clocks jumped
        return local.toInstant(t.getOffsetBefore()); // an overlap: the first occurrence
    }
}
