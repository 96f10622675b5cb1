package dev.kyu.broker.redis;

import io.lettuce.core.RedisCommandExecutionException;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Names the key behind a {@code WRONGTYPE} reply of a single command (Redis's own reply does not), in the
 * words the scripts use for theirs ({@code check.lua}), so both are reported alike by {@link Faults}. A
 * single command that fails writes nothing, so it needs no check ahead of it.
 */
final class KeyTypes {
    private static final Map<String, String> KINDS = Map.of(
            "string",
            "a string",
            "list",
            "a list",
            "set",
            "a set",
            "zset",
            "a sorted set",
            "hash",
            "a hash",
            "stream",
            "a stream");

    private KeyTypes() {}

    /** Runs {@code op}, a command on {@code key}, which should hold a {@code want} (a TYPE name) or nothing. */
    static <T> T expect(RedisLink link, String key, String want, Supplier<T> op) {
        try {
            return op.get();
        } catch (RedisCommandExecutionException e) {
            if (e.getMessage() == null || !e.getMessage().startsWith("WRONGTYPE")) throw e;
            String held = link.type(key);
            throw new RedisCommandExecutionException(Faults.BADKEY + reason(key, held, want), e);
        }
    }

    /** The one-line reason, as the scripts word it. */
    static String reason(String key, String held, String want) {
        return "Redis key " + key + " holds " + KINDS.getOrDefault(held, held) + ", expected "
                + KINDS.getOrDefault(want, want);
    }

    /** Whether {@code key} is missing or holds a {@code want}. */
    static boolean fits(RedisLink link, String key, String want) {
        String held = link.type(key);
        return held.equals("none") || held.equals(want);
    }
}
