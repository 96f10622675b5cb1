package dev.kyu.flow;

import dev.kyu.KyuException;
import dev.kyu.codec.Printable;
import java.util.Objects;

/**
 * Where a job's limit key comes from. Stored with the limit as text, so a limit set from the command line
 * or the dashboard names its key the same way as one set in code:
 * <ul>
 *   <li>{@code args:/customer/id}: the text of the job's args at that JSON pointer (numbers and booleans as
 *       written; a missing value or an object is an error);</li>
 *   <li>{@code meta:tenant}: the job's meta value of that name;</li>
 *   <li>{@code fn:name}: a {@link KeyFunction} registered under that name in the worker's process.</li>
 * </ul>
 * A job whose key cannot be computed (missing value, a function that throws or is not registered) ends
 * FAILED with {@code kyu.FlowKeyError} and the reason; it never holds a worker.
 */
public record KeySource(Kind kind, String ref) {
    public enum Kind {
        ARGS,
        META,
        FUNCTION
    }

    public KeySource {
        Objects.requireNonNull(kind, "kind");
        if (ref == null || ref.isEmpty() || ref.length() > 200)
            throw new KyuException.InvalidInput(
                    "limit key: a " + prefix(kind) + " reference of 1-200 characters is needed");
        if (kind == Kind.ARGS && !ref.startsWith("/"))
            throw new KyuException.InvalidInput("limit key: args:" + Printable.line(ref)
                    + " is not a JSON pointer (it starts with /, e.g. args:/customer)");
    }

    public static KeySource args(String jsonPointer) {
        return new KeySource(Kind.ARGS, jsonPointer);
    }

    public static KeySource meta(String name) {
        return new KeySource(Kind.META, name);
    }

    public static KeySource function(String name) {
        return new KeySource(Kind.FUNCTION, name);
    }

    /** Parses {@code args:/ptr}, {@code meta:name} or {@code fn:name}; one-line error otherwise. */
    public static KeySource parse(String text) {
        if (text != null) {
            int colon = text.indexOf(':');
            if (colon > 0) {
                String p = text.substring(0, colon), ref = text.substring(colon + 1);
                switch (p) {
                    case "args":
                        return args(ref);
                    case "meta":
                        return meta(ref);
                    case "fn":
                        return function(ref);
                    default:
                        break;
                }
            }
        }
        throw new KyuException.InvalidInput(
                "limit key " + Printable.quoted(text) + " is not one of args:/json/pointer, meta:NAME, fn:NAME");
    }

    private static String prefix(Kind k) {
        return switch (k) {
            case ARGS -> "args";
            case META -> "meta";
            case FUNCTION -> "fn";
        };
    }

    @Override
    public String toString() {
        return prefix(kind) + ":" + ref;
    }
}
