package dev.kyu.alert;

import dev.kyu.KyuException;
import dev.kyu.job.Durations;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reads an alerts file (format in docs/alerts.md). Any mistake, a missing or unknown field, a bad value, a
 * rule naming a channel that does not exist, ends in one {@link KyuException.InvalidInput} whose message is
 * one line naming the file and the place: {@code alerts.yaml: rules[2] (backlog): unknown field 'abov'}.
 * Secrets come inline, from the environment ({@code password-env: NAME}) or from a file ({@code password-file: PATH}).
 */
public final class AlertFile {
    private static final Set<String> TOP =
            Set.of("dashboard", "interval", "digest-window", "max-single", "channels", "rules");

    private final String source;
    private final UnaryOperator<String> env;

    private AlertFile(String source, UnaryOperator<String> env) {
        this.source = source;
        this.env = env;
    }

    public static AlertConfig read(Path path) {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new KyuException.InvalidInput(path + ": cannot read alerts file: " + e.getMessage());
        }
        return parse(path.toString(), text, System::getenv);
    }

    /** Parses {@code text}; {@code env} looks up environment variables named by {@code …-env} fields. */
    public static AlertConfig parse(String source, String text, UnaryOperator<String> env) {
        return new AlertFile(source, env).parse(text);
    }

    private AlertConfig parse(String text) {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
        } catch (RuntimeException e) {
            throw bad("not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (!(root instanceof Map<?, ?> top)) throw bad("expected a map with 'channels' and 'rules'");
        Map<String, Object> m = fields("", top, TOP);
        String dashboard = string(m, "", "dashboard", false);
        if (dashboard != null) {
            dashboard = dashboard.replaceAll("/+$", "");
            httpUrl("dashboard", dashboard);
        }
        Duration interval = duration(m, "", "interval", Duration.ofSeconds(15));
        Duration window = duration(m, "", "digest-window", Duration.ofMinutes(5));
        int maxSingle = (int) number(m, "", "max-single", 3);
        Object chs = m.get("channels");
        if (!(chs instanceof Map<?, ?> chMap) || chMap.isEmpty())
            throw bad("'channels' must be a map of at least one channel");
        Map<String, AlertChannel> channels = new LinkedHashMap<>();
        for (var e : chMap.entrySet()) {
            String name = String.valueOf(e.getKey());
            if (!(e.getValue() instanceof Map<?, ?> cm)) throw bad("channels." + name + ": expected a map");
            channels.put(name, channel(name, cm, dashboard));
        }
        Object rs = m.get("rules");
        if (!(rs instanceof List<?> ruleList) || ruleList.isEmpty())
            throw bad("'rules' must be a list of at least one rule");
        List<Rule> rules = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < ruleList.size(); i++) {
            if (!(ruleList.get(i) instanceof Map<?, ?> rm)) throw bad("rules[" + i + "]: expected a map");
            Rule r = rule(i, rm, channels.keySet());
            if (!names.add(r.name())) throw bad("rules[" + i + "]: rule name '" + r.name() + "' used twice");
            rules.add(r);
        }
        return new AlertConfig(dashboard, interval, window, maxSingle, channels, rules);
    }

    private AlertChannel channel(String name, Map<?, ?> raw, String dashboard) {
        String at = "channels." + name;
        Object type = raw.get("type");
        return switch (String.valueOf(type)) {
            case "slack" -> {
                Map<String, Object> m = fields(at, raw, Set.of("type", "url", "url-env", "url-file"));
                String url = secret(m, at, "url");
                yield new SlackChannel(name, httpUrl(at + ".url", url), dashboard);
            }
            case "webhook" -> {
                Map<String, Object> m = fields(at, raw, Set.of("type", "url", "secret", "secret-env", "secret-file"));
                URI url = httpUrl(at + ".url", string(m, at, "url", true));
                String secret = secret(m, at, "secret");
                if (secret.length() < 16) throw bad(at + ".secret: must be at least 16 characters");
                yield new WebhookChannel(name, url, secret);
            }
            case "email" -> {
                Map<String, Object> m = fields(
                        at,
                        raw,
                        Set.of(
                                "type",
                                "host",
                                "port",
                                "tls",
                                "user",
                                "password",
                                "password-env",
                                "password-file",
                                "from",
                                "to",
                                "trust"));
                String host = string(m, at, "host", true);
                String tls = m.containsKey("tls") ? string(m, at, "tls", true) : "starttls";
                if (!Set.of("none", "starttls", "ssl").contains(tls))
                    throw bad(at + ".tls: must be none, starttls or ssl, was '" + tls + "'");
                long port = number(m, at, "port", tls.equals("ssl") ? 465 : 587);
                if (port < 1 || port > 65_535) throw bad(at + ".port: must be 1..65535, was " + port);
                String user = string(m, at, "user", false);
                String password = user == null ? null : secret(m, at, "password");
                String from = string(m, at, "from", true);
                Object to = m.get("to");
                List<String> recipients = to instanceof List<?> l
                        ? l.stream().map(String::valueOf).toList()
                        : to != null ? List.of(String.valueOf(to)) : List.of();
                if (recipients.isEmpty()) throw bad(at + ".to: at least one address is needed");
                for (String a : concat(from, recipients)) {
                    if (!a.matches("[^@\\s]+@[^@\\s]+")) throw bad(at + ": '" + a + "' is not an e-mail address");
                }
                yield new EmailChannel(
                        name, host, (int) port, tls, user, password, from, recipients, string(m, at, "trust", false));
            }
            default -> throw bad(at + ".type: must be slack, email or webhook, was '" + type + "'");
        };
    }

    private static List<String> concat(String a, List<String> b) {
        var out = new ArrayList<String>();
        out.add(a);
        out.addAll(b);
        return out;
    }

    private Rule rule(int i, Map<?, ?> raw, Set<String> channelNames) {
        Object nameRaw = raw.get("name");
        String at = "rules[" + i + "]" + (nameRaw == null ? "" : " (" + nameRaw + ")");
        Object when = raw.get("when");
        Set<String> common = Set.of("name", "when", "channels");
        Map<String, Object> m = switch (String.valueOf(when)) {
            case "job-failed" -> fields(at, raw, plus(common, "queues", "tasks"));
            case "failure-rate" -> fields(at, raw, plus(common, "queue", "task", "above", "window", "min-attempts"));
            case "queue-depth", "oldest-job-age" -> fields(at, raw, plus(common, "queue", "above"));
            case "no-worker" -> fields(at, raw, plus(common, "queue", "stale-after"));
            case "schedule-missed" -> fields(at, raw, plus(common, "schedule", "grace"));
            default ->
                throw bad(at + ".when: must be job-failed, failure-rate, queue-depth, oldest-job-age, no-worker or "
                        + "schedule-missed, was '" + when + "'");
        };
        String name = string(m, at, "name", true);
        if (!name.matches("[A-Za-z0-9._-]{1,100}"))
            throw bad(at + ".name: letters, digits, '.', '_' and '-' only, was '" + name + "'");
        List<String> channels = list(m, at, "channels");
        if (channels.isEmpty()) throw bad(at + ".channels: name at least one channel");
        for (String c : channels)
            if (!channelNames.contains(c)) throw bad(at + ".channels: no channel named '" + c + "'");
        String queue = m.containsKey("queue") ? string(m, at, "queue", true) : null;
        return switch (String.valueOf(when)) {
            case "job-failed" ->
                new Rule.JobFailed(name, Set.copyOf(list(m, at, "queues")), Set.copyOf(list(m, at, "tasks")), channels);
            case "failure-rate" -> {
                double percent = percent(m, at);
                String task = m.containsKey("task") ? string(m, at, "task", true) : null;
                yield new Rule.FailureRate(
                        name,
                        queue,
                        task,
                        percent,
                        duration(m, at, "window", Duration.ofMinutes(10)),
                        number(m, at, "min-attempts", 10),
                        channels);
            }
            case "queue-depth" -> new Rule.QueueDepth(name, queue, requiredNumber(m, at, "above"), channels);
            case "oldest-job-age" -> new Rule.OldestJobAge(name, queue, requiredDuration(m, at, "above"), channels);
            case "no-worker" ->
                new Rule.NoWorker(
                        name,
                        queue == null ? "default" : queue,
                        duration(m, at, "stale-after", Duration.ofMinutes(1)),
                        channels);
            default ->
                new Rule.ScheduleMissed(
                        name,
                        string(m, at, "schedule", false),
                        duration(m, at, "grace", Duration.ofMinutes(5)),
                        channels);
        };
    }

    private static Set<String> plus(Set<String> a, String... more) {
        var s = new LinkedHashSet<>(a);
        s.addAll(List.of(more));
        return s;
    }

    private Map<String, Object> fields(String at, Map<?, ?> raw, Set<String> allowed) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (var e : raw.entrySet()) {
            String k = String.valueOf(e.getKey());
            if (!allowed.contains(k)) throw bad((at.isEmpty() ? "" : at + ": ") + "unknown field '" + k + "'");
            out.put(k, e.getValue());
        }
        return out;
    }

    private String string(Map<String, Object> m, String at, String key, boolean required) {
        Object v = m.get(key);
        if (v == null || String.valueOf(v).isBlank()) {
            if (required) throw bad(dot(at, key) + ": required");
            return null;
        }
        if (v instanceof Map || v instanceof List) throw bad(dot(at, key) + ": expected a single value");
        return String.valueOf(v).strip();
    }

    private List<String> list(Map<String, Object> m, String at, String key) {
        Object v = m.get(key);
        if (v == null) return List.of();
        if (v instanceof List<?> l) return l.stream().map(String::valueOf).toList();
        if (v instanceof Map) throw bad(dot(at, key) + ": expected a list");
        return List.of(String.valueOf(v));
    }

    private long number(Map<String, Object> m, String at, String key, long dflt) {
        return m.containsKey(key) ? requiredNumber(m, at, key) : dflt;
    }

    private long requiredNumber(Map<String, Object> m, String at, String key) {
        Object v = m.get(key);
        if (v instanceof Integer || v instanceof Long) {
            long n = ((Number) v).longValue();
            if (n < 0) throw bad(dot(at, key) + ": must not be negative, was " + n);
            return n;
        }
        throw bad(dot(at, key) + (v == null ? ": required" : ": expected a whole number, was '" + v + "'"));
    }

    private double percent(Map<String, Object> m, String at) {
        Object v = m.get("above");
        String s = v == null ? "" : String.valueOf(v).strip();
        try {
            double p = Double.parseDouble(
                    s.endsWith("%") ? s.substring(0, s.length() - 1).strip() : s);
            if (p < 0 || p >= 100) throw bad(dot(at, "above") + ": a percentage 0..100, was '" + s + "'");
            return p;
        } catch (NumberFormatException e) {
            throw bad(dot(at, "above")
                    + (v == null
                            ? ": required (a percentage such as 10%)"
                            : ": a percentage such as 10%, was '" + s + "'"));
        }
    }

    private Duration duration(Map<String, Object> m, String at, String key, Duration dflt) {
        return m.containsKey(key) ? requiredDuration(m, at, key) : dflt;
    }

    private Duration requiredDuration(Map<String, Object> m, String at, String key) {
        String s = string(m, at, key, true);
        try {
            Duration d = Durations.parse(s);
            if (d.isNegative() || d.isZero()) throw bad(dot(at, key) + ": must be positive, was '" + s + "'");
            return d;
        } catch (RuntimeException e) {
            if (e instanceof KyuException k) throw k;
            throw bad(dot(at, key) + ": a duration such as 30s, 5m or 1h, was '" + s + "'");
        }
    }

    /** A secret from {@code key}, {@code key-env} (an environment variable) or {@code key-file} (first line). */
    private String secret(Map<String, Object> m, String at, String key) {
        int given = (m.containsKey(key) ? 1 : 0)
                + (m.containsKey(key + "-env") ? 1 : 0)
                + (m.containsKey(key + "-file") ? 1 : 0);
        if (given != 1)
            throw bad(dot(at, key) + ": give exactly one of " + key + ", " + key + "-env, " + key + "-file");
        if (m.containsKey(key)) return string(m, at, key, true);
        if (m.containsKey(key + "-env")) {
            String var = string(m, at, key + "-env", true);
            String v = env.apply(var);
            if (v == null || v.isBlank())
                throw bad(dot(at, key + "-env") + ": environment variable " + var + " is not set");
            return v.strip();
        }
        Path p = Path.of(string(m, at, key + "-file", true));
        try {
            return Files.readAllLines(p, StandardCharsets.UTF_8).stream()
                    .findFirst()
                    .orElse("")
                    .strip();
        } catch (IOException e) {
            throw bad(dot(at, key + "-file") + ": cannot read " + p + ": " + e.getMessage());
        }
    }

    private URI httpUrl(String at, String url) {
        try {
            URI u = URI.create(url);
            if (u.getHost() != null && ("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) return u;
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw bad(at + ": must be an absolute http(s) URL");
    }

    private static String dot(String at, String key) {
        return at.isEmpty() ? key : at + "." + key;
    }

    private KyuException.InvalidInput bad(String what) {
        return new KyuException.InvalidInput(source + ": " + what.replace('\n', ' '));
    }
}
