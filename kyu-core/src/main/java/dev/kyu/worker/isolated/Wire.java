package dev.kyu.worker.isolated;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Map;

/**
 * The line protocol between a worker and its child JVMs: one JSON object per line, never Java
 * serialization. The worker writes a {@link Request} to the child's stdin; the child answers on its
 * stdout with any number of progress {@link Reply replies} and then exactly one {@code ok} or {@code error}.
 */
final class Wire {
    static final String OK = "ok", ERROR = "error", PROGRESS = "progress";

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // No null fields, and no null values in maps either.
            .defaultPropertyInclusion(
                    JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
            .build();

    private Wire() {}

    /** One attempt to run. {@code args} is JSON text, already upcast to the task's version by the worker. */
    record Request(
            String id,
            String task,
            String args,
            String queue,
            int attempt,
            int maxAttempts,
            String enqueuedAt,
            Map<String, String> meta,
            String workerId,
            long fence) {}

    /**
     * What the child says. {@code ok}: {@code result} is the result's JSON text. {@code error}: {@code type},
     * {@code message}, {@code stack} and whether the task's own rules make it {@code retryable}.
     * {@code progress}: {@code fraction} and {@code message}.
     */
    record Reply(
            String kind, String result, String type, String message, String stack, Boolean retryable, Double fraction) {
        static Reply ok(String result) {
            return new Reply(OK, result, null, null, null, null, null);
        }

        static Reply error(String type, String message, String stack, boolean retryable) {
            return new Reply(ERROR, null, type, message, stack, retryable, null);
        }

        static Reply progress(double fraction, String message) {
            return new Reply(PROGRESS, null, null, message, null, null, fraction);
        }
    }

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value); // one line: Jackson escapes every newline inside strings
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "cannot write " + value.getClass().getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }

    static <T> T read(String line, Class<T> type) throws JsonProcessingException {
        return MAPPER.readValue(line, type);
    }
}
