package dev.kyu.broker.sqlite;

import dev.kyu.KyuException;
import dev.kyu.job.Durations;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.UrlText;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The settings of one {@code sqlite:PATH} broker, parsed from its URL ({@code sqlite:kyu.db?busyTimeout=5000&sync=full})
 * and from {@link BrokerConfig#options()}; options in the URL win. Unknown options are refused rather than
 * ignored, so a typo never silently weakens durability.
 *
 * @param path         the database file, as given (relative paths resolve against the working directory)
 * @param busyTimeout  how long SQLite itself waits for another process's write lock before reporting busy
 * @param sync         the {@code PRAGMA synchronous} level: FULL by default (a commit survives power loss)
 * @param pollInterval how often a blocked fetch looks for jobs written by other processes
 * @param shared       the file is an application's own database that Kyu shares on purpose (its tables beside
 *                     the application's, so that enqueues can join the application's transactions); without
 *                     it, a file holding other tables is refused as someone else's
 */
public record SqliteOptions(Path path, Duration busyTimeout, String sync, Duration pollInterval, boolean shared) {
    public static final String PREFIX = "sqlite:";
    private static final java.util.List<String> SYNC_LEVELS = java.util.List.of("OFF", "NORMAL", "FULL", "EXTRA");

    public static SqliteOptions parse(BrokerConfig config) {
        String url = config.url().trim();
        if (!url.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            throw new KyuException.BrokerConfig(
                    "not a sqlite broker URL: '" + config.redactedUrl() + "' (expected sqlite:PATH)");
        }
        String rest = url.substring(PREFIX.length());
        // sqlite:///abs/path.db and sqlite://rel.db are accepted as the familiar SQLAlchemy spellings.
        if (rest.startsWith("//")) rest = rest.substring(2);
        String query = null;
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        if (rest.isBlank()) {
            throw new KyuException.BrokerConfig("sqlite broker URL '" + config.redactedUrl()
                    + "' names no file: expected e.g. sqlite:kyu.db or sqlite:/var/lib/kyu/kyu.db");
        }
        if (rest.equals(":memory:") || rest.startsWith("file:")) {
            throw new KyuException.BrokerConfig("sqlite broker URL '" + config.redactedUrl()
                    + "' must name a plain file path (use memory: for an in-process broker)");
        }
        var options = new LinkedHashMap<String, String>(config.options());
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) continue;
                int eq = pair.indexOf('=');
                if (eq <= 0)
                    throw new KyuException.BrokerConfig("bad option '" + pair + "' in sqlite broker URL '"
                            + config.redactedUrl() + "': expected key=value");
                String key = decode(config, pair.substring(0, eq), "an option name");
                options.put(key, decode(config, pair.substring(eq + 1), "option " + key));
            }
        }
        Path path;
        try {
            path = Path.of(rest);
        } catch (java.nio.file.InvalidPathException e) {
            throw new KyuException.BrokerConfig("bad sqlite database path '" + rest + "': " + e.getMessage());
        }
        return fromOptions(path, options);
    }

    private static SqliteOptions fromOptions(Path path, Map<String, String> options) {
        Duration busy = Duration.ofSeconds(5);
        String sync = "FULL";
        // Other processes' commits are seen by polling; an idle poll is one indexed EXISTS on the reader
        // connection (microseconds), so 5 ms keeps cross-process latency low at a negligible cost.
        Duration poll = Duration.ofMillis(5);
        boolean shared = false;
        for (var e : options.entrySet()) {
            String v = e.getValue().trim();
            switch (e.getKey()) {
                case "busyTimeout" -> busy = duration(e.getKey(), v);
                case "pollInterval" -> poll = duration(e.getKey(), v);
                case "sync" -> {
                    sync = v.toUpperCase(Locale.ROOT);
                    if (!SYNC_LEVELS.contains(sync)) {
                        throw new KyuException.BrokerConfig("bad sqlite option sync='" + v
                                + "': expected one of full (default), extra, normal, off");
                    }
                }
                case "shared" -> {
                    if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                        throw new KyuException.BrokerConfig(
                                "bad sqlite option shared='" + v + "': expected true or false");
                    }
                    shared = Boolean.parseBoolean(v.toLowerCase(Locale.ROOT));
                }
                default ->
                    throw new KyuException.BrokerConfig("unknown sqlite option '" + e.getKey()
                            + "': known options are busyTimeout, sync, pollInterval, shared");
            }
        }
        if (busy.isNegative()) {
            throw new KyuException.BrokerConfig(
                    "bad sqlite option busyTimeout=" + busy.toMillis() + "ms: expected 0 or more milliseconds");
        }
        if (poll.toMillis() < 1) {
            throw new KyuException.BrokerConfig(
                    "bad sqlite option pollInterval=" + poll.toMillis() + "ms: expected at least 1ms");
        }
        return new SqliteOptions(path, busy, sync, poll, shared);
    }

    /** SQLite takes its busy timeout as a 32-bit count of milliseconds; no option here needs more. */
    private static final long MAX_MS = Integer.MAX_VALUE;

    /**
     * A bare number means milliseconds (as SQLite's own busy_timeout); 250ms, 5s, PT5S also work. At most
     * {@link #MAX_MS}.
     */
    private static Duration duration(String key, String v) {
        Duration d;
        if (v.matches("\\d+")) {
            // compared as a number of any length: twenty digits are over the limit, not a parse error
            if (new java.math.BigInteger(v).compareTo(java.math.BigInteger.valueOf(MAX_MS)) > 0) throw tooLong(key, v);
            d = Duration.ofMillis(Long.parseLong(v));
        } else {
            try {
                d = Durations.parse(v);
            } catch (IllegalArgumentException e) {
                throw new KyuException.BrokerConfig("bad sqlite option " + key + "='" + v
                        + "': expected milliseconds or a duration such as 250ms or 5s");
            }
        }
        if (d.toMillis() > MAX_MS) throw tooLong(key, v);
        return d;
    }

    private static KyuException.BrokerConfig tooLong(String key, String v) {
        return new KyuException.BrokerConfig(
                "bad sqlite option " + key + "='" + v + "': at most " + MAX_MS + " ms (about 24 days)");
    }

    private static String decode(BrokerConfig config, String s, String what) {
        return UrlText.decode(
                s,
                what,
                why -> new KyuException.BrokerConfig("bad sqlite broker URL '" + config.redactedUrl() + "': " + why));
    }
}
