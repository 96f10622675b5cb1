package dev.kyu.dashboard.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kyu.KyuException;
import dev.kyu.codec.JsonCodec;
import dev.kyu.job.JobOptions;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The body of {@code POST /api/jobs}, read strictly: unknown fields and wrong types are refused with a
 * message naming the field, so a typo in another language's producer is not silently ignored.
 */
record EnqueueBody(String task, String argsJson, JobOptions options) {
    private static final Set<String> FIELDS = Set.of(
            "task",
            "args",
            "queue",
            "priority",
            "delayMs",
            "runAt",
            "maxAttempts",
            "timeoutMs",
            "resultTtlMs",
            "uniqueKey",
            "meta");

    static EnqueueBody parse(String text) {
        JsonNode root;
        try {
            // A field given twice is a client's mistake to report, not a value to pick (Jackson keeps the last).
            root = JsonCodec.shared()
                    .mapper()
                    .reader()
                    .with(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new KyuException.InvalidInput("request body is not valid JSON: "
                    + e.getOriginalMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject())
            throw new KyuException.InvalidInput("request body must be a JSON object with a \"task\"");
        root.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f))
                throw new KyuException.InvalidInput("unknown field '" + f + "': expected one of " + FIELDS);
        });
        String task = text(root, "task");
        if (task == null) throw new KyuException.InvalidInput("field 'task' is required");
        JsonNode args = root.get("args");
        String argsJson = args == null ? "null" : args.toString();

        var b = JobOptions.builder();
        String queue = text(root, "queue");
        if (queue != null) b.queue(queue);
        Integer priority = integer(root, "priority");
        if (priority != null) b.priority(priority);
        Integer maxAttempts = integer(root, "maxAttempts");
        if (maxAttempts != null) b.maxAttempts(maxAttempts);
        Long delayMs = longValue(root, "delayMs");
        String runAt = text(root, "runAt");
        if (delayMs != null && runAt != null)
            throw new KyuException.InvalidInput("give either 'delayMs' or 'runAt', not both");
        if (delayMs != null) {
            if (delayMs < 0) throw new KyuException.InvalidInput("delayMs must not be negative, was " + delayMs);
            b.delay(Duration.ofMillis(delayMs));
        }
        if (runAt != null) {
            try {
                b.runAt(Instant.parse(runAt));
            } catch (DateTimeParseException e) {
                throw new KyuException.InvalidInput(
                        "runAt must be an ISO-8601 instant such as 2030-01-01T00:00:00Z, was '" + runAt + "'");
            }
        }
        Long timeoutMs = longValue(root, "timeoutMs");
        if (timeoutMs != null) b.timeout(Duration.ofMillis(timeoutMs));
        Long resultTtlMs = longValue(root, "resultTtlMs");
        if (resultTtlMs != null) b.resultTtl(Duration.ofMillis(resultTtlMs));
        String unique = text(root, "uniqueKey");
        if (unique != null) b.unique(unique);
        JsonNode meta = root.get("meta");
        if (meta != null && !meta.isNull()) {
            if (!meta.isObject()) throw new KyuException.InvalidInput("field 'meta' must be an object of strings");
            Map<String, String> m = new LinkedHashMap<>();
            meta.properties().forEach(e -> {
                if (!e.getValue().isTextual())
                    throw new KyuException.InvalidInput("meta '" + e.getKey() + "' must be a string");
                m.put(e.getKey(), e.getValue().asText());
            });
            b.meta(m);
        }
        try {
            return new EnqueueBody(task, argsJson, b.build());
        } catch (IllegalArgumentException e) {
            throw new KyuException.InvalidInput(e.getMessage());
        }
    }

    private static String text(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) throw new KyuException.InvalidInput("field '" + field + "' must be a string, was " + n);
        return n.asText();
    }

    private static Integer integer(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isInt()) throw new KyuException.InvalidInput("field '" + field + "' must be a whole number, was " + n);
        return n.asInt();
    }

    private static Long longValue(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new KyuException.InvalidInput(
                    "field '" + field + "' must be a whole number of milliseconds, was " + n);
        }
        return n.asLong();
    }
}
