package dev.kyu.broker.redis;

import dev.kyu.KyuException;
import dev.kyu.job.Durations;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.UrlText;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything a {@code redis://} or {@code rediss://} URL (and the broker options) says, checked once at
 * open. Grammar: {@code redis[s]://[[user]:password@]host[:port][,host[:port]…][/db][?option=value&…]}.
 * Several hosts are Cluster seeds, or Sentinels when {@code sentinel=MASTER} is given. Options:
 * {@code timeout} (command and connect timeout, default 10s), {@code outage} (how long fetch, heartbeat and
 * complete ride out a lost connection before failing, default 60s), {@code prefix} (key prefix, default
 * {@code kyu}), {@code sentinel}, {@code clientName}, {@code verifyPeer} (TLS, default true).
 *
 * @param nodes    one URI per host (a single one for a plain server or Sentinel master lookups)
 * @param sentinel true when {@code nodes[0]} is a Sentinel URI
 * @param user     the ACL user, or null for the default user
 * @param password the password, or null for none
 */
record RedisSettings(
        List<RedisURI> nodes,
        boolean sentinel,
        String prefix,
        Duration timeout,
        Duration outage,
        String redacted,
        String user,
        String password) {

    private static final Set<String> OPTIONS =
            Set.of("timeout", "outage", "prefix", "sentinel", "clientName", "verifyPeer", "database");

    static RedisSettings parse(BrokerConfig config) {
        String url = config.url().trim();
        String redacted = BrokerConfig.redact(url);
        boolean tls;
        String rest;
        if (url.regionMatches(true, 0, "rediss://", 0, 9)) {
            tls = true;
            rest = url.substring(9);
        } else if (url.regionMatches(true, 0, "redis://", 0, 8)) {
            tls = false;
            rest = url.substring(8);
        } else throw bad(redacted, "expected redis://HOST[:PORT][/DB] or rediss://…");

        var options = new LinkedHashMap<String, String>();
        int q = rest.indexOf('?');
        if (q >= 0) {
            for (String pair : rest.substring(q + 1).split("&")) {
                if (pair.isEmpty()) continue;
                int eq = pair.indexOf('=');
                String k = decode(redacted, eq < 0 ? pair : pair.substring(0, eq), "an option name");
                options.put(k, eq < 0 ? "" : decode(redacted, pair.substring(eq + 1), "option " + k));
            }
            rest = rest.substring(0, q);
        }
        options.putAll(config.options());
        for (String k : options.keySet()) {
            if (!OPTIONS.contains(k))
                throw bad(
                        redacted,
                        "unknown option '" + k + "' (known: " + String.join(", ", new java.util.TreeSet<>(OPTIONS))
                                + ")");
        }

        String user = null, password = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String info = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = info.indexOf(':');
            if (colon < 0) password = decode(redacted, info, "the password");
            else {
                user = decode(redacted, info.substring(0, colon), "the user name");
                password = decode(redacted, info.substring(colon + 1), "the password");
                if (user.isEmpty()) user = null;
            }
        }
        int database = 0;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            String db = rest.substring(slash + 1);
            rest = rest.substring(0, slash);
            if (!db.isEmpty()) database = parseInt(redacted, "database", db);
        }
        if (options.containsKey("database")) database = parseInt(redacted, "database", options.get("database"));
        if (database < 0) throw bad(redacted, "database must not be negative: " + database);
        if (rest.isEmpty()) throw bad(redacted, "no host");

        Duration timeout = duration(redacted, "timeout", options.getOrDefault("timeout", "10s"));
        Duration outage = duration(redacted, "outage", options.getOrDefault("outage", "60s"));
        String prefix = options.getOrDefault("prefix", "kyu");
        if (prefix.isEmpty() || prefix.contains("{") || prefix.contains("}"))
            throw bad(redacted, "prefix must be non-empty and free of braces: '" + prefix + "'");
        String sentinelMaster = options.get("sentinel");
        boolean verifyPeer = !"false".equalsIgnoreCase(options.getOrDefault("verifyPeer", "true"));
        String clientName = options.get("clientName");

        var nodes = new ArrayList<RedisURI>();
        RedisURI.Builder sentinelBuilder = null;
        for (String hp : rest.split(",")) {
            String host = hp;
            int port = sentinelMaster != null ? 26379 : 6379;
            int c = hp.lastIndexOf(':');
            if (c >= 0 && !hp.endsWith("]")) {
                host = hp.substring(0, c);
                port = parseInt(redacted, "port", hp.substring(c + 1));
            }
            if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
            if (host.isEmpty() || port < 1 || port > 65535) throw bad(redacted, "bad host or port '" + hp + "'");
            if (sentinelMaster != null) {
                if (sentinelBuilder == null) sentinelBuilder = RedisURI.Builder.sentinel(host, port, sentinelMaster);
                else sentinelBuilder.withSentinel(host, port);
            } else {
                nodes.add(finish(
                        RedisURI.Builder.redis(host, port),
                        tls,
                        verifyPeer,
                        database,
                        timeout,
                        user,
                        password,
                        clientName));
            }
        }
        if (sentinelBuilder != null)
            nodes.add(finish(sentinelBuilder, tls, verifyPeer, database, timeout, user, password, clientName));
        return new RedisSettings(
                List.copyOf(nodes), sentinelMaster != null, prefix, timeout, outage, redacted, user, password);
    }

    private static RedisURI finish(
            RedisURI.Builder b,
            boolean tls,
            boolean verifyPeer,
            int db,
            Duration timeout,
            String user,
            String password,
            String clientName) {
        b.withSsl(tls).withVerifyPeer(verifyPeer).withDatabase(db).withTimeout(timeout);
        if (password != null) {
            if (user != null) b.withAuthentication(user, password.toCharArray());
            else b.withPassword(password.toCharArray());
        }
        if (clientName != null) b.withClientName(clientName);
        return b.build();
    }

    /** The message with the password, should a driver have echoed it, blotted out. */
    String scrub(String message) {
        String m = message == null ? "" : message;
        if (password != null && !password.isEmpty()) m = m.replace(password, "***");
        return m;
    }

    /** A %-decoded part of the URL; a bad escape is reported by where it is, never by the text (it may be the password). */
    private static String decode(String redacted, String s, String what) {
        return UrlText.decode(s, what, why -> bad(redacted, why));
    }

    private static int parseInt(String redacted, String what, String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw bad(redacted, what + " is not a number: '" + v + "'");
        }
    }

    private static Duration duration(String redacted, String what, String v) {
        try {
            Duration d = Durations.parse(v);
            if (d.isNegative() || d.isZero()) throw bad(redacted, what + " must be positive: '" + v + "'");
            return d;
        } catch (IllegalArgumentException e) {
            throw bad(redacted, what + ": " + e.getMessage());
        }
    }

    private static KyuException.BrokerConfig bad(String redacted, String why) {
        return new KyuException.BrokerConfig("bad Redis broker URL " + redacted + ": " + why);
    }

    Map<String, String> describeOptions() {
        return Map.of("prefix", prefix, "timeout", Durations.format(timeout), "outage", Durations.format(outage));
    }
}
