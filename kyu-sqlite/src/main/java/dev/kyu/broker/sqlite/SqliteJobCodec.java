package dev.kyu.broker.sqlite;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kyu.job.JobError;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON columns of a job row: its error history, its meta map and the ids of its dependents. Written as plain objects with
 * times in epoch milliseconds; read strictly, so a malformed column is reported rather than guessed at.
 * Job args and results are never touched here: they are stored as the text the caller gave.
 */
final class SqliteJobCodec {
    static final ObjectMapper JSON = new ObjectMapper();

    private SqliteJobCodec() {}

    static String errorsToJson(List<JobError> errors) {
        ArrayNode arr = JSON.createArrayNode();
        for (JobError e : errors) {
            ObjectNode o = arr.addObject();
            o.put("attempt", e.attempt());
            o.put("type", e.type());
            o.put("message", e.message());
            o.put("stackTrace", e.stackTrace());
            if (e.at() != null) o.put("at", e.at().toEpochMilli());
        }
        return dev.kyu.codec.Printable.jsonForUtf8(arr.toString());
    }

    /** Parses the errors column; null means none. Throws IllegalArgumentException when it is not our shape. */
    static List<JobError> errorsFromJson(String text) {
        if (text == null || text.isEmpty()) return List.of();
        JsonNode node = parse(text, "errors");
        if (!node.isArray()) throw new IllegalArgumentException("errors column is not a JSON array");
        var out = new ArrayList<JobError>();
        for (JsonNode e : node) {
            if (!e.isObject()
                    || !e.path("type").isTextual()
                    || !e.path("attempt").canConvertToInt()) {
                throw new IllegalArgumentException("errors column holds an entry that is not an error object");
            }
            JsonNode at = e.get("at");
            out.add(new JobError(
                    e.get("attempt").asInt(),
                    e.get("type").asText(),
                    e.path("message").asText(""),
                    e.path("stackTrace").asText(""),
                    at != null && at.canConvertToLong() ? Instant.ofEpochMilli(at.asLong()) : null));
        }
        return out;
    }

    static String metaToJson(Map<String, String> meta) {
        ObjectNode o = JSON.createObjectNode();
        meta.forEach(o::put);
        return dev.kyu.codec.Printable.jsonForUtf8(o.toString());
    }

    static Map<String, String> metaFromJson(String text) {
        if (text == null || text.isEmpty()) return Map.of();
        JsonNode node = parse(text, "meta");
        if (!node.isObject()) throw new IllegalArgumentException("meta column is not a JSON object");
        var out = new LinkedHashMap<String, String>();
        node.properties().forEach(f -> {
            if (!f.getValue().isTextual())
                throw new IllegalArgumentException("meta value '" + f.getKey() + "' is not a string");
            out.put(f.getKey(), f.getValue().asText());
        });
        return out;
    }

    static String idsToJson(List<String> ids) {
        ArrayNode arr = JSON.createArrayNode();
        for (String id : ids) arr.add(id);
        return dev.kyu.codec.Printable.jsonForUtf8(arr.toString());
    }

    /** Parses the dependents column (a JSON array of job ids); null or empty means none. */
    static List<String> dependentsFromJson(String text) {
        if (text == null || text.isEmpty()) return List.of();
        JsonNode node = parse(text, "dependents");
        if (!node.isArray()) throw new IllegalArgumentException("dependents column is not a JSON array");
        var out = new ArrayList<String>(node.size());
        for (JsonNode e : node) {
            if (!e.isTextual())
                throw new IllegalArgumentException("dependents column holds an entry that is not a job id");
            out.add(e.asText());
        }
        return out;
    }

    private static JsonNode parse(String text, String column) {
        try {
            JsonNode n = JSON.readTree(text);
            if (n == null) throw new IllegalArgumentException(column + " column is empty");
            return n;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(column + " column is not JSON");
        }
    }
}
