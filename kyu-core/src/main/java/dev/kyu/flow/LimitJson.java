package dev.kyu.flow;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A limit with what it is doing now, the shape {@code kyu limits --json} prints and {@code GET /api/limits}
 * answers: the fields of {@link LimitCodec} plus {@code rule} (as {@link LimitText#rule}), {@code waiting},
 * {@code running} and {@code pausedUntil} (per key, {@code ""} for the whole limit, an ISO-8601 instant).
 */
public final class LimitJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LimitJson() {}

    public static ObjectNode limit(Limit l) {
        try {
            ObjectNode o = (ObjectNode) JSON.readTree(LimitCodec.encode(l));
            o.put("rule", LimitText.rule(l));
            return o;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a limit encodes to JSON", e);
        }
    }

    public static ObjectNode status(Limits.LimitStatus s) {
        ObjectNode o = limit(s.limit());
        o.put("waiting", s.waiting());
        o.put("running", s.running());
        ObjectNode paused = o.putObject("pausedUntil");
        s.pausedUntil().forEach((key, until) -> paused.put(key, until.toString()));
        return o;
    }
}
