package dev.kyu.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;

/**
 * The version a job's args were enqueued with, and the path that brings them to the task's version.
 * The version lives in the job's meta under {@link #META_KEY}; a job without it is version 1 (jobs
 * enqueued before the task had versions).
 */
public final class ArgsVersions {
    /** The meta key that holds the version of a job's args. */
    public static final String META_KEY = "kyu.version";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ArgsVersions() {}

    /** The args version of a job with this meta; throws {@link IllegalArgumentException} for one that is not a whole number from 1. */
    public static int of(Map<String, String> meta) {
        String v = meta.get(META_KEY);
        if (v == null) return 1;
        try {
            int n = Integer.parseInt(v.strip());
            if (n >= 1) return n;
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new IllegalArgumentException(
                "meta " + META_KEY + " is '" + v + "', not a version (a whole number from 1)");
    }

    /** Why upcasting failed; the job fails for good with this message. */
    public static final class UpcastException extends Exception {
        UpcastException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The args brought from {@code from} to the task's version through its upcasters, as JSON text.
     * Throws {@link UpcastException} when a step is missing or throws.
     */
    public static String upcast(String argsJson, int from, TaskOptions options) throws UpcastException {
        JsonNode node;
        try {
            node = JSON.readTree(argsJson);
        } catch (Exception e) {
            throw new UpcastException(
                    "args of version " + from + " are not JSON, so they cannot be upcast: " + e.getMessage());
        }
        for (int v = from; v < options.version(); v++) {
            ArgsUpcaster step = options.upcasters().get(v);
            if (step == null) {
                throw new UpcastException("args are version " + from + " but the task is version " + options.version()
                        + " and has no upcaster from version " + v + " to " + (v + 1));
            }
            try {
                node = step.upcast(node);
            } catch (Exception | LinkageError e) {
                throw new UpcastException("the upcaster from version " + v + " to " + (v + 1) + " failed: " + e);
            }
            if (node == null)
                throw new UpcastException("the upcaster from version " + v + " to " + (v + 1) + " returned null");
        }
        return node.toString();
    }
}
