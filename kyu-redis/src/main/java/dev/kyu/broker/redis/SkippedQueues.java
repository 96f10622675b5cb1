package dev.kyu.broker.redis;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Queues a fetch or a maintenance sweep left out because one of their keys holds another type (foreign
 * data): the other queues are served as usual, and each reason is logged once per broker, not on every
 * poll (a worker polls about once a second).
 */
final class SkippedQueues {
    private static final Logger LOG = LoggerFactory.getLogger(SkippedQueues.class);
    /** Bound on the reasons remembered; past it they are forgotten, and may be logged once more. */
    private static final int REMEMBERED = 1_000;

    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    /** Reads a script's flat {queue, reason, …} list, logs the reasons not logged yet, and answers queue → reason. */
    Map<String, String> report(String what, List<?> flat) {
        var skipped = new LinkedHashMap<String, String>();
        for (int i = 0; i + 1 < flat.size(); i += 2)
            skipped.put(String.valueOf(flat.get(i)), String.valueOf(flat.get(i + 1)));
        skipped.forEach((q, reason) -> {
            if (reported.size() >= REMEMBERED) reported.clear();
            if (reported.add(q + "\n" + reason)) {
                LOG.warn(
                        "{} skips queue {}, whose jobs stay as they are until the key is removed or repaired: {}",
                        what,
                        q,
                        reason);
            }
        });
        return skipped;
    }
}
