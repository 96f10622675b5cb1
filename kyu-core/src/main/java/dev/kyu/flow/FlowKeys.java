package dev.kyu.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kyu.codec.Printable;
import dev.kyu.job.Job;
import java.util.Map;

/** Computes a job's key for a keyed limit; a key that cannot be computed is a {@link KeyError} with the reason. */
final class FlowKeys {
    static final int MAX = 200;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Why a job's key could not be computed: the job fails with {@code kyu.FlowKeyError} and this message. */
    static final class KeyError extends Exception {
        KeyError(String message) {
            super(message, null, false, false);
        }
    }

    private final Map<String, KeyFunction> functions;

    FlowKeys(Map<String, KeyFunction> functions) {
        this.functions = Map.copyOf(functions);
    }

    /** The key of {@code job} under {@code limit}: "" for an unkeyed limit. */
    String of(Limit limit, Job job) throws KeyError {
        if (!limit.keyed()) return "";
        KeySource src = limit.key();
        String key = switch (src.kind()) {
            case ARGS -> fromArgs(limit, src, job);
            case META -> {
                String v = job.meta().get(src.ref());
                if (v == null)
                    throw new KeyError("limit " + limit.name() + ": job has no meta " + Printable.quoted(src.ref())
                            + " for its key");
                yield v;
            }
            case FUNCTION -> fromFunction(limit, src, job);
        };
        if (key == null || key.isEmpty() || key.length() > MAX) {
            throw new KeyError("limit " + limit.name() + ": key from " + src + " must be 1-" + MAX + " characters, was "
                    + (key == null ? "null" : key.length() + " characters"));
        }
        return key;
    }

    private static String fromArgs(Limit limit, KeySource src, Job job) throws KeyError {
        JsonNode v;
        try {
            v = job.args() == null ? null : JSON.readTree(job.args()).at(src.ref());
        } catch (Exception e) {
            throw new KeyError("limit " + limit.name() + ": args are not JSON, no key at " + src);
        }
        if (v == null || v.isMissingNode() || v.isNull())
            throw new KeyError("limit " + limit.name() + ": args have no value at " + src.ref() + " for its key");
        if (!v.isValueNode())
            throw new KeyError(
                    "limit " + limit.name() + ": args at " + src.ref() + " are an object or array, not a key");
        return v.isTextual() ? v.textValue() : v.toString();
    }

    private String fromFunction(Limit limit, KeySource src, Job job) throws KeyError {
        KeyFunction f = functions.get(src.ref());
        if (f == null) {
            throw new KeyError("limit " + limit.name() + ": no key function " + Printable.quoted(src.ref())
                    + " is registered in this worker (Kyu.builder().keyFunction)");
        }
        try {
            return f.key(job);
        } catch (Exception | LinkageError e) {
            throw new KeyError("limit " + limit.name() + ": key function " + Printable.quoted(src.ref()) + " threw "
                    + e.getClass().getSimpleName()
                    + (e.getMessage() == null
                            ? ""
                            : ": " + e.getMessage().replace('\n', ' ').replace('\r', ' ')));
        }
    }
}
