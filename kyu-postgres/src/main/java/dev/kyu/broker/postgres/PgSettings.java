package dev.kyu.broker.postgres;

import dev.kyu.KyuException;
import dev.kyu.job.Durations;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.UrlText;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a {@code postgresql://}, {@code postgres://} or {@code jdbc:postgresql://} URL and the broker
 * options into the settings the engine needs: a JDBC URL without credentials, the login, Kyu's own
 * options, and the driver options it passes through. Unknown options are refused, naming the option.
 */
record PgSettings(
        String jdbcUrl,
        String user,
        String password,
        String schema,
        int poolSize,
        boolean migrate,
        boolean listen,
        Duration pollInterval,
        Duration connectTimeout,
        Duration outageGrace,
        Map<String, String> driverOptions,
        String hostPort,
        String database,
        String redacted) {

    /** Kyu's options, read from the URL query or {@link BrokerConfig#options()}. */
    static final Set<String> KYU_OPTIONS =
            Set.of("schema", "poolSize", "migrate", "listen", "pollInterval", "connectTimeout", "outageGrace");

    /** PostgreSQL JDBC driver options passed through unchanged. */
    static final Set<String> DRIVER_OPTIONS = Set.of(
            "user",
            "password",
            "ssl",
            "sslmode",
            "sslrootcert",
            "sslcert",
            "sslkey",
            "sslpassword",
            "sslfactory",
            "socketTimeout",
            "loginTimeout",
            "tcpKeepAlive",
            "ApplicationName",
            "applicationName",
            "options",
            "targetServerType",
            "loadBalanceHosts",
            "prepareThreshold",
            "gssEncMode",
            "channelBinding");

    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    static PgSettings parse(BrokerConfig config) {
        String url = config.url().trim();
        String redacted = BrokerConfig.redact(url);
        String rest;
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:postgresql://")) rest = url.substring("jdbc:postgresql://".length());
        else if (lower.startsWith("postgresql://")) rest = url.substring("postgresql://".length());
        else if (lower.startsWith("postgres://")) rest = url.substring("postgres://".length());
        else if (lower.startsWith("jdbc:postgresql:")) {
            throw bad(redacted, "expected jdbc:postgresql://HOST[:PORT]/DB");
        } else throw bad(redacted, "expected postgresql://[USER[:PASSWORD]@]HOST[:PORT]/DB[?OPTIONS]");

        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        String user = null, password = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String cred = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = cred.indexOf(':');
            user = decode(colon >= 0 ? cred.substring(0, colon) : cred, "the user name", redacted);
            if (colon >= 0) password = decode(cred.substring(colon + 1), "the password", redacted);
        }
        int slash = rest.indexOf('/');
        String hostPort = slash >= 0 ? rest.substring(0, slash) : rest;
        String database = slash >= 0 ? decode(rest.substring(slash + 1), "the database name", redacted) : "";
        if (hostPort.isEmpty()) throw bad(redacted, "no host");
        checkPorts(hostPort, redacted);
        if (database.isEmpty()) throw bad(redacted, "no database name: add /DB after the host");
        if (database.contains("/")) throw bad(redacted, "bad database name '" + database + "'");

        Map<String, String> opts = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String k = decode(eq >= 0 ? pair.substring(0, eq) : pair, "an option name", redacted);
            String v = eq >= 0 ? decode(pair.substring(eq + 1), "option " + k, redacted) : "";
            opts.put(k, v);
        }
        opts.putAll(config.options());
        for (String k : opts.keySet()) {
            if (!KYU_OPTIONS.contains(k) && !DRIVER_OPTIONS.contains(k)) {
                throw bad(
                        redacted,
                        "unknown option '" + k + "': Kyu knows " + new java.util.TreeSet<>(KYU_OPTIONS)
                                + " and the driver options " + new java.util.TreeSet<>(DRIVER_OPTIONS));
            }
        }
        if (opts.containsKey("user")) user = opts.remove("user");
        if (opts.containsKey("password")) password = opts.remove("password");

        String schema = opts.getOrDefault("schema", "kyu");
        if (!SCHEMA.matcher(schema).matches()) {
            throw bad(
                    redacted,
                    "bad schema name '" + schema
                            + "': expected lower-case letters, digits and _ (at most 63), starting with a letter or _");
        }
        // PostgreSQL's own schemas: a CREATE there fails as if the user lacked a grant, which misleads.
        if (schema.startsWith("pg_") || schema.equals("information_schema")) {
            throw bad(
                    redacted,
                    "schema '" + schema
                            + "' belongs to PostgreSQL itself (pg_* and information_schema are system schemas); pick another, such as the default 'kyu'");
        }
        int poolSize = intOption(opts, "poolSize", 10, 1, 1000, redacted);
        boolean migrate = boolOption(opts, "migrate", true, redacted);
        boolean listen = boolOption(opts, "listen", true, redacted);
        Duration poll = durationOption(opts, "pollInterval", Duration.ofMillis(250), redacted);
        Duration connectTimeout = durationOption(opts, "connectTimeout", Duration.ofSeconds(5), redacted);
        Duration outageGrace = opts.containsKey("outageGrace")
                        && Set.of("0", "0s", "0ms")
                                .contains(opts.get("outageGrace").trim())
                ? Duration.ZERO
                : durationOption(opts, "outageGrace", Duration.ofSeconds(30), redacted);
        if (connectTimeout.toMillis() < 250)
            throw bad(redacted, "connectTimeout must be at least 250ms, was " + opts.get("connectTimeout"));

        Map<String, String> driver = new LinkedHashMap<>();
        opts.forEach((k, v) -> {
            if (DRIVER_OPTIONS.contains(k)) driver.put(k, v);
        });
        String jdbcUrl = "jdbc:postgresql://" + hostPort + "/"
                + java.net.URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
        return new PgSettings(
                jdbcUrl,
                user,
                password,
                schema,
                poolSize,
                migrate,
                listen,
                poll,
                connectTimeout,
                outageGrace,
                Map.copyOf(driver),
                hostPort,
                database,
                redacted);
    }

    /** Login and driver options as the JDBC driver takes them. */
    Properties driverProperties() {
        var p = new Properties();
        driverOptions.forEach(p::setProperty);
        if (user != null) p.setProperty("user", user);
        if (password != null) p.setProperty("password", password);
        if (!p.containsKey("ApplicationName") && !p.containsKey("applicationName"))
            p.setProperty("ApplicationName", "kyu");
        // pgjdbc's connectTimeout bounds only the TCP connect: a server that accepts and never answers would
        // hold the login (and so the open, and the CLI) for ever. loginTimeout bounds the whole login, and
        // socketTimeout every read after it, the login's included; the LISTEN connection's waits for
        // notifications set their own shorter read timeout and are not cut by it.
        p.setProperty("connectTimeout", String.valueOf(Math.max(1, ceilSeconds(connectTimeout))));
        if (!p.containsKey("loginTimeout"))
            p.setProperty("loginTimeout", String.valueOf(connectTimeout.toMillis() / 1000.0));
        if (!p.containsKey("socketTimeout")) p.setProperty("socketTimeout", String.valueOf(DEFAULT_SOCKET_TIMEOUT_S));
        return p;
    }

    /**
     * How long a statement may wait for the server's reply, in seconds (pgjdbc's {@code socketTimeout}),
     * unless the URL says otherwise. No Kyu statement waits on purpose (fetchers wait in Java, woken by
     * the LISTEN connection), so only a server or network that stopped answering meets it.
     */
    static final int DEFAULT_SOCKET_TIMEOUT_S = 30;

    /** The socketTimeout in force, in seconds (0: none). */
    int socketTimeoutSeconds() {
        String v = driverOptions.get("socketTimeout");
        if (v == null) return DEFAULT_SOCKET_TIMEOUT_S;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return DEFAULT_SOCKET_TIMEOUT_S; // the driver refuses it at open
        }
    }

    private static long ceilSeconds(Duration d) {
        return (d.toMillis() + 999) / 1000;
    }

    /** The schema name quoted for SQL; safe because {@link #SCHEMA} allows no quote characters. */
    String quotedSchema() {
        return "\"" + schema + "\"";
    }

    /** A %-decoded part of the URL; a bad escape is reported by where it is, never by the text (it may be the password). */
    private static String decode(String s, String what, String redacted) {
        return UrlText.decode(s, what, why -> bad(redacted, why));
    }

    /** Each HOST[:PORT] of the URL (several, comma-separated, for fail-over) with a port of 1 to 65535. */
    private static void checkPorts(String hostPort, String redacted) {
        for (String h : hostPort.split(",")) {
            int close = h.lastIndexOf(']'); // [IPv6]:PORT
            int colon = h.lastIndexOf(':');
            if (colon < 0 || colon < close || (close < 0 && h.indexOf(':') != colon)) continue;
            String port = h.substring(colon + 1);
            int n = -1;
            if (port.matches("\\d{1,5}")) n = Integer.parseInt(port);
            if (n < 1 || n > 65535) throw bad(redacted, "port '" + port + "' is not a number from 1 to 65535");
        }
    }

    private static KyuException.BrokerConfig bad(String redacted, String why) {
        return new KyuException.BrokerConfig("bad PostgreSQL broker URL '" + redacted + "': " + why);
    }

    private static int intOption(Map<String, String> o, String k, int dflt, int min, int max, String redacted) {
        String v = o.get(k);
        if (v == null) return dflt;
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw bad(redacted, "option " + k + "='" + v + "' must be a whole number from " + min + " to " + max);
    }

    private static boolean boolOption(Map<String, String> o, String k, boolean dflt, String redacted) {
        String v = o.get(k);
        if (v == null) return dflt;
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw bad(redacted, "option " + k + "='" + v + "' must be true or false");
        };
    }

    private static Duration durationOption(Map<String, String> o, String k, Duration dflt, String redacted) {
        String v = o.get(k);
        if (v == null) return dflt;
        try {
            Duration d = Durations.parse(v);
            if (!d.isNegative() && !d.isZero()) return d;
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        throw bad(redacted, "option " + k + "='" + v + "' must be a positive duration such as 250ms or 5s");
    }
}
