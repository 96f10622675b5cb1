package dev.kyu.flow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kyu.KyuException;
import dev.kyu.codec.JsonCodec;
import dev.kyu.spi.Broker;
import dev.kyu.task.Task;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Priority aging rules, kept in the broker's key-value store so that every process sees them and they change
 * while workers run (docs/flow-control.md). A waiting job's priority rises by one per aging step of its queue,
 * up to the rule's ceiling, so a steady stream of higher-priority jobs can no longer starve it: the maintenance
 * loop of every worker takes the steps ({@link AgingSweep}), once per step across the whole fleet.
 * <ul>
 *   <li>{@code kyu.flow.aging/QUEUE}: the rule, {@code {"every": "PT1M", "ceiling": 5}} (written by
 *       {@link #set} and {@link #remove});</li>
 *   <li>{@code kyu.flow.aged/QUEUE}: the instant of the queue's last step, ISO-8601 (written by the sweep,
 *       only by compare-and-set, so that each step is taken by one process).</li>
 * </ul>
 */
public final class Aging {
    public static final String RULES = "kyu.flow.aging/";
    public static final String STEPS = "kyu.flow.aged/";

    private final Broker broker;
    private final JsonCodec codec = JsonCodec.shared();

    public Aging(Broker broker) {
        this.broker = broker;
    }

    /** Sets (or replaces) the aging of a queue; refused in one line for a bad queue name or an every under 1 s. */
    public AgingRule set(String queue, Duration every, int ceiling) {
        AgingRule rule = new AgingRule(queue, every, ceiling);
        var json = new LinkedHashMap<String, Object>();
        json.put("every", every.toString());
        json.put("ceiling", ceiling);
        broker.kvPut(RULES + queue, codec.encode(json));
        return rule;
    }

    /** Stops the aging of a queue (jobs keep the priority they reached); false when it had none. */
    public boolean remove(String queue) {
        Task.checkQueue(queue);
        boolean had = broker.kvGet(RULES + queue).isPresent();
        broker.kvDelete(RULES + queue);
        broker.kvDelete(STEPS + queue);
        return had;
    }

    public Optional<AgingRule> get(String queue) {
        Task.checkQueue(queue);
        return broker.kvGet(RULES + queue).flatMap(json -> readable(queue, json, (q, why) -> {}));
    }

    /** Every rule, sorted by queue; a stored rule that cannot be read is left out. */
    public List<AgingRule> list() {
        return list((queue, why) -> {});
    }

    /** Every readable rule, sorted by queue; each one that cannot be read is told to {@code unreadable} with why. */
    List<AgingRule> list(BiConsumer<String, String> unreadable) {
        var out = new ArrayList<AgingRule>();
        broker.kvList(RULES)
                .forEach((key, json) -> readable(key.substring(RULES.length()), json, unreadable)
                        .ifPresent(out::add));
        return out;
    }

    /** When each queue last took an aging step, by queue; a queue that never did is absent. */
    public Map<String, Instant> lastSteps() {
        var out = new LinkedHashMap<String, Instant>();
        broker.kvList(STEPS).forEach((key, value) -> {
            Instant at = instant(value);
            if (at != null) out.put(key.substring(STEPS.length()), at);
        });
        return out;
    }

    private Optional<AgingRule> readable(String queue, String json, BiConsumer<String, String> unreadable) {
        try {
            JsonNode n = codec.parse(json);
            JsonNode every = n.get("every"), ceiling = n.get("ceiling");
            if (every == null || !every.isTextual()) throw new KyuException.InvalidInput("no \"every\" duration");
            if (ceiling == null || !ceiling.canConvertToInt() || !ceiling.isIntegralNumber()) {
                throw new KyuException.InvalidInput("no whole \"ceiling\" number");
            }
            return Optional.of(new AgingRule(queue, Duration.parse(every.asText()), ceiling.asInt()));
        } catch (KyuException.InvalidInput | DateTimeParseException e) {
            unreadable.accept(queue, e.getMessage());
            return Optional.empty();
        }
    }

    /** The instant stored as a step, or null when the text is not one. */
    static Instant instant(String text) {
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
