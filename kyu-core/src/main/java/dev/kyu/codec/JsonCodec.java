package dev.kyu.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.kyu.KyuException;
import java.lang.reflect.Type;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one JSON codec for arguments and results. Jackson without default typing: a payload can only
 * ever become the type the registered task declares, never a class the payload names.
 */
public final class JsonCodec {
    private static final JsonCodec DEFAULT = new JsonCodec();
    private static final String NULL = "null";
    /** Types are few (one per task); the bound only guards against a caller minting types without end. */
    private static final int MAX_KNOWN_TYPES = 10_000;

    private static final Object BINDS_TO_NULL = new Object(), ASK_JACKSON = new Object();

    private final ObjectMapper mapper;
    /** Per type: what JSON null binds to (see {@link #nullValue}). */
    private final ConcurrentHashMap<JavaType, Object> nullValues = new ConcurrentHashMap<>();

    private final ConcurrentHashMap<Type, JavaType> javaTypes = new ConcurrentHashMap<>();

    public JsonCodec() {
        // Jobs run on short-lived virtual threads, so Jackson's default per-thread buffer recycling would
        // allocate fresh buffers for every job; a shared pool recycles them across threads.
        var factory = com.fasterxml.jackson.core.JsonFactory.builder()
                .recyclerPool(com.fasterxml.jackson.core.util.JsonRecyclerPools.sharedConcurrentDequePool())
                .build();
        this.mapper = JsonMapper.builder(factory)
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }

    public static JsonCodec shared() {
        return DEFAULT;
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    public String encode(Object value) {
        if (value == null) return "null";
        try {
            // Stored JSON must survive UTF-8 storage: a lone surrogate Jackson writes raw would become '?'.
            return Printable.jsonForUtf8(mapper.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new KyuException.InvalidInput(
                    "cannot encode " + value.getClass().getName() + " as JSON: " + oneLine(e), e);
        }
    }

    public <T> T decode(String json, Class<T> type) {
        return decode(json, javaType(type));
    }

    public <T> T decode(String json, Type type) {
        return decode(json, javaType(type));
    }

    /** Jackson's type for a task's declared type, resolved once: each job decodes with it. */
    private JavaType javaType(Type type) {
        JavaType t = javaTypes.get(type);
        if (t != null) return t;
        t = mapper.constructType(type);
        if (javaTypes.size() < MAX_KNOWN_TYPES) javaTypes.put(type, t);
        return t;
    }

    @SuppressWarnings("unchecked")
    public <T> T decode(String json, JavaType type) {
        // Tasks without args store the literal null; most types bind it to null (JsonNode to the shared NullNode),
        // and asking Jackson each time costs a parser per job. The answer for each type is learnt once, from
        // Jackson itself, and kept only when it is null or an immutable shared value.
        if (NULL.equals(json)) {
            Object v = nullValue(type);
            if (v == BINDS_TO_NULL) return null;
            if (v != ASK_JACKSON) return (T) v;
        }
        try {
            return mapper.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new KyuException.InvalidInput(
                    "JSON does not bind to " + type.getRawClass().getSimpleName() + field(e) + ": " + oneLine(e), e);
        }
    }

    /** Which field failed, as a user reads it ({@code , field 'items[2].sku'}), when Jackson knows. */
    private static String field(JsonProcessingException e) {
        if (!(e instanceof com.fasterxml.jackson.databind.JsonMappingException m)
                || m.getPath().isEmpty()) return "";
        var path = new StringBuilder();
        for (var ref : m.getPath()) {
            if (ref.getFieldName() != null)
                path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
            else if (ref.getIndex() >= 0)
                path.append('[').append(ref.getIndex()).append(']');
        }
        return path.isEmpty() ? "" : ", field '" + path + "'";
    }

    /** What JSON null binds to for this type, or {@link #ASK_JACKSON} when that is not one shared immutable value. */
    private Object nullValue(JavaType type) {
        Object known = nullValues.get(type);
        if (known != null) return known;
        Object value;
        try {
            Object bound = mapper.readValue(NULL, type);
            value = bound == null
                    ? BINDS_TO_NULL
                    : bound instanceof NullNode || bound == Optional.empty() ? bound : ASK_JACKSON;
        } catch (JsonProcessingException | RuntimeException e) {
            value = ASK_JACKSON; // e.g. a primitive: the slow path reports the error in full
        }
        if (nullValues.size() < MAX_KNOWN_TYPES) nullValues.put(type, value);
        return value;
    }

    /**
     * Checks that text is one well-formed JSON value without building a tree (the enqueue path calls it
     * for every job), failing with a one-line reason that says where it broke.
     */
    public void validate(String json) {
        if (json == null) throw new KyuException.InvalidInput("JSON text is missing");
        if (isLiteral(json)) return;
        try (var parser = mapper.getFactory().createParser(json)) {
            if (parser.nextToken() == null) throw new KyuException.InvalidInput("not valid JSON: no content");
            parser.skipChildren();
            if (parser.nextToken() != null) throw new KyuException.InvalidInput("not valid JSON: more than one value");
        } catch (JsonProcessingException e) {
            throw new KyuException.InvalidInput("not valid JSON: " + oneLine(e), e);
        } catch (java.io.IOException e) {
            throw new KyuException.InvalidInput("not valid JSON: " + e.getMessage(), e);
        }
    }

    /** The few one-token values that need no parser to be judged valid (tasks without args send null). */
    private static boolean isLiteral(String json) {
        return switch (json) {
            case NULL, "true", "false", "{}", "[]", "0" -> true;
            default -> false;
        };
    }

    /** Parses JSON text, failing with a one-line reason that says where it broke. */
    public JsonNode parse(String json) {
        if (json == null) throw new KyuException.InvalidInput("JSON text is missing");
        try {
            return mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new KyuException.InvalidInput("not valid JSON: " + oneLine(e), e);
        }
    }

    /** Jackson's messages span lines and quote source; keep the first line and the location. */
    public static String oneLine(JsonProcessingException e) {
        String msg = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        msg = msg.lines().findFirst().orElse(msg);
        if (e.getLocation() != null && e.getLocation().getLineNr() > 0) {
            msg += " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")";
        }
        return msg;
    }
}
