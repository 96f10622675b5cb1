package dev.kyu.client;

import dev.kyu.spi.Broker;
import java.time.Instant;
import java.util.Map;

/**
 * Drops the throttle's "next free slot" entries that have lapsed, so keys used once do not stay in the
 * key-value store for ever. An entry whose slot is at or before the broker's now means the same as no entry
 * (a call takes max(now, slot)), so deleting it changes no call's due time; the delete is a compare-and-set,
 * so an entry a call has just moved stays. Idempotent: any number of processes may run it at once.
 */
public final class ThrottleSweep {
    private ThrottleSweep() {}

    /** Deletes lapsed entries; returns how many. */
    public static int sweep(Broker broker) {
        Instant now = broker.now();
        int dropped = 0;
        for (Map.Entry<String, String> e : broker.kvList(KeyedFlows.THROTTLE).entrySet()) {
            long next;
            try {
                next = Long.parseLong(e.getValue());
            } catch (NumberFormatException notOurs) {
                continue;
            }
            if (next <= now.toEpochMilli() && broker.kvCompareAndSet(e.getKey(), e.getValue(), null)) dropped++;
        }
        return dropped;
    }
}
