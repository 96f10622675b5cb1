package dev.kyu.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kyu.KyuException;
import dev.kyu.codec.Printable;
import java.time.Duration;

/**
 * A limit as JSON, the shape it is stored in the broker and shown by the HTTP API:
 * {@code {"name":"payments","target":"task:shop.charge","kind":"RATE","permits":100,"periodMs":1000,"burst":1,"key":"args:/customer"}}.
 */
public final class LimitCodec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LimitCodec() {}

    public static String encode(Limit l) {
        ObjectNode o = JSON.createObjectNode();
        o.put("name", l.name());
        o.put(
                "target",
                (l.target().scope() == Limit.Target.Scope.TASK ? "task:" : "queue:")
                        + l.target().name());
        o.put("kind", l.kind().name());
        o.put("permits", l.permits());
        if (l.period() != null) o.put("periodMs", l.period().toMillis());
        if (l.kind() == Limit.Kind.RATE) o.put("burst", l.burst());
        if (l.key() != null) o.put("key", l.key().toString());
        return o.toString();
    }

    /** Reads a limit; a one-line {@link KyuException.InvalidInput} naming what is wrong. */
    public static Limit decode(String json) {
        JsonNode o;
        try {
            o = JSON.readTree(json);
        } catch (Exception e) {
            throw new KyuException.InvalidInput(
                    "limit: not JSON (" + e.getClass().getSimpleName() + ")");
        }
        if (o == null || !o.isObject()) throw new KyuException.InvalidInput("limit: expected a JSON object");
        String name = text(o, "name");
        String target = text(o, "target");
        Limit.Target t;
        if (target.startsWith("task:")) t = Limit.Target.task(target.substring(5));
        else if (target.startsWith("queue:")) t = Limit.Target.queue(target.substring(6));
        else
            throw new KyuException.InvalidInput("limit " + shown(name) + ": target " + Printable.quoted(target)
                    + " is not task:NAME or queue:NAME");
        Limit.Kind kind;
        try {
            kind = Limit.Kind.valueOf(text(o, "kind"));
        } catch (IllegalArgumentException e) {
            throw new KyuException.InvalidInput("limit " + shown(name) + ": kind must be RATE or CONCURRENCY");
        }
        long permits = number(o, "permits");
        Duration period = o.has("periodMs") ? Duration.ofMillis(number(o, "periodMs")) : null;
        long burst = o.has("burst") ? number(o, "burst") : 0;
        KeySource key = o.hasNonNull("key") ? KeySource.parse(o.get("key").asText()) : null;
        return new Limit(name, t, kind, permits, period, burst, key);
    }

    /** A name as errors show it: as it is when it could be a limit's name, escaped and cut otherwise. */
    private static String shown(String name) {
        return name.length() <= 100 ? Printable.line(name) : Printable.quoted(name);
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || !v.isTextual())
            throw new KyuException.InvalidInput("limit: field " + Printable.quoted(field) + " (text) is missing");
        return v.asText();
    }

    private static long number(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong())
            throw new KyuException.InvalidInput(
                    "limit: field " + Printable.quoted(field) + " (a whole number) is missing");
        return v.asLong();
    }
}
