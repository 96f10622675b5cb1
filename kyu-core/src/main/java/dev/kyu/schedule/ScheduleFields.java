package dev.kyu.schedule;

import dev.kyu.KyuException;
import dev.kyu.codec.JsonCodec;
import dev.kyu.job.Backoff;
import dev.kyu.job.Durations;
import dev.kyu.job.JobOptions;
import dev.kyu.task.Task;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A schedule as a map of named fields, both ways: the shape of one entry of a schedule file and of the
 * definition kept in the broker. Reading checks every field and collects every problem (schedule and
 * field named) instead of stopping at the first, so a user fixes a file in one go.
 */
public final class ScheduleFields {
    /** The field names, as written in files and JSON. */
    public static final List<String> FIELDS = List.of(
            "task",
            "args",
            "cron",
            "every",
            "zone",
            "queue",
            "priority",
            "maxAttempts",
            "timeout",
            "backoff",
            "delay",
            "meta",
            "missedTicks",
            "catchUpLimit",
            "overlap");

    private ScheduleFields() {}

    /** Reads one schedule; returns null and adds to {@code problems} when anything is wrong. */
    public static Schedule read(String name, Map<?, ?> fields, List<Problem> problems, Set<String> extraAllowed) {
        int before = problems.size();
        try {
            Schedule.checkName(name);
        } catch (KyuException.InvalidInput e) {
            problems.add(new Problem(null, null, e.getMessage()));
            return null;
        }
        var r = new Reader(name, fields, problems);
        for (Object key : fields.keySet()) {
            String k = String.valueOf(key);
            if (!FIELDS.contains(k) && !extraAllowed.contains(k)) {
                problems.add(new Problem(
                        name, k, "unknown field" + suggest(k) + "; known fields: " + String.join(", ", FIELDS)));
            }
        }
        String task = r.string("task", true);
        if (task != null) r.check("task", () -> Task.checkName(task));
        String argsJson = fields.containsKey("args") ? r.json("args") : "null";
        String cron = r.string("cron", false);
        String every = r.string("every", false);
        String zone = r.string("zone", false);
        var b = JobOptions.builder();
        String queue = r.string("queue", false);
        if (queue != null) r.check("queue", () -> b.queue(Task.checkQueue(queue)));
        Integer priority = r.integer("priority");
        if (priority != null) b.priority(priority);
        Integer maxAttempts = r.integer("maxAttempts");
        if (maxAttempts != null)
            r.check("maxAttempts", () -> {
                if (maxAttempts < 1) throw new IllegalArgumentException("must be at least 1, was " + maxAttempts);
                b.maxAttempts(maxAttempts);
            });
        Duration timeout = r.duration("timeout");
        if (timeout != null)
            r.check("timeout", () -> {
                if (timeout.isZero()) throw new IllegalArgumentException("must be positive, was 0s");
                b.timeout(timeout);
            });
        Duration delay = r.duration("delay");
        if (delay != null) b.delay(delay);
        String backoff = r.string("backoff", false);
        if (backoff != null) r.check("backoff", () -> b.backoff(Backoff.parse(backoff)));
        Map<String, String> meta = r.stringMap("meta");
        if (meta != null) b.meta(meta);
        String missed = r.string("missedTicks", false);
        String overlap = r.string("overlap", false);
        Integer catchUpLimit = r.integer("catchUpLimit");

        var s = Schedule.builder(name, task == null ? "kyu.noop" : task).argsJson(argsJson);
        if (cron != null && every != null) {
            problems.add(new Problem(name, "every", "set either cron or every, not both"));
        } else if (cron == null && every == null) {
            problems.add(
                    new Problem(name, "cron", "missing: set either cron (e.g. \"30 7 * * *\") or every (e.g. 5m)"));
        }
        if (cron != null) r.problemOf(() -> s.cron(cron));
        if (every != null) r.problemOf(() -> s.every(every));
        if (zone != null) r.problemOf(() -> s.zone(zone));
        if (missed != null) r.check("missedTicks", () -> s.missedTicks(MissedTickPolicy.parse(missed)));
        if (overlap != null) r.check("overlap", () -> s.overlap(OverlapPolicy.parse(overlap)));
        if (catchUpLimit != null) s.catchUpLimit(catchUpLimit);
        if (problems.size() > before) return null;
        try {
            return s.options(b.build()).build();
        } catch (KyuException.InvalidInput e) {
            problems.add(new Problem(null, null, e.getMessage())); // already names schedule and field
            return null;
        } catch (IllegalArgumentException e) {
            problems.add(new Problem(name, null, e.getMessage()));
            return null;
        }
    }

    /** The schedule as fields, unset options left out; {@code args} as parsed JSON. */
    public static Map<String, Object> write(Schedule s) {
        var m = new LinkedHashMap<String, Object>();
        m.put("name", s.name());
        m.put("task", s.task());
        m.put("args", JsonCodec.shared().parse(s.argsJson()));
        switch (s.trigger()) {
            case CronTrigger c -> m.put("cron", c.expression());
            case IntervalTrigger i -> m.put("every", Durations.format(i.every()));
        }
        m.put("zone", s.zone().getId());
        JobOptions o = s.options();
        if (o.queue() != null) m.put("queue", o.queue());
        if (o.priority() != null) m.put("priority", o.priority());
        if (o.maxAttempts() != null) m.put("maxAttempts", o.maxAttempts());
        if (o.timeout() != null) m.put("timeout", Durations.format(o.timeout()));
        if (o.backoff() != null) m.put("backoff", o.backoff().toSpec());
        if (o.delay() != null) m.put("delay", Durations.format(o.delay()));
        if (!o.meta().isEmpty()) m.put("meta", o.meta());
        m.put("missedTicks", s.missedTicks().text());
        m.put("catchUpLimit", s.catchUpLimit());
        m.put("overlap", s.overlap().text());
        return m;
    }

    /** " (did you mean 'cron'?)" for a field name one or two edits away from a known one, else "". */
    static String suggest(String unknown) {
        return FIELDS.stream()
                .filter(f -> distance(f.toLowerCase(), unknown.toLowerCase()) <= 2
                        || f.equalsIgnoreCase(unknown.replace("-", "").replace("_", "")))
                .min(Comparator.comparingInt(f -> distance(f.toLowerCase(), unknown.toLowerCase())))
                .map(f -> " (did you mean '" + f + "'?)")
                .orElse("");
    }

    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** Typed reads of single fields, each adding a problem instead of throwing. */
    private record Reader(String name, Map<?, ?> fields, List<Problem> problems) {

        String string(String field, boolean required) {
            Object v = fields.get(field);
            if (v == null) {
                if (required) problems.add(new Problem(name, field, "missing"));
                return null;
            }
            if (v instanceof Map || v instanceof List) {
                problems.add(new Problem(
                        name, field, "expected a single value, was a " + (v instanceof Map ? "map" : "list")));
                return null;
            }
            return String.valueOf(v);
        }

        Integer integer(String field) {
            Object v = fields.get(field);
            if (v == null) return null;
            if (v instanceof Integer i) return i;
            if (v instanceof Number n
                    && n.doubleValue() == Math.rint(n.doubleValue())
                    && Math.abs(n.doubleValue()) < Integer.MAX_VALUE) {
                return n.intValue();
            }
            try {
                return Integer.parseInt(String.valueOf(v).trim());
            } catch (NumberFormatException e) {
                problems.add(new Problem(name, field, "expected a whole number, was '" + v + "'"));
                return null;
            }
        }

        Duration duration(String field) {
            Object v = fields.get(field);
            if (v == null) return null;
            try {
                return Durations.parse(String.valueOf(v));
            } catch (IllegalArgumentException e) {
                problems.add(new Problem(name, field, e.getMessage()));
                return null;
            }
        }

        String json(String field) {
            try {
                return JsonCodec.shared().encode(fields.get(field));
            } catch (KyuException.InvalidInput e) {
                problems.add(new Problem(name, field, e.getMessage()));
                return null;
            }
        }

        Map<String, String> stringMap(String field) {
            Object v = fields.get(field);
            if (v == null) return null;
            if (!(v instanceof Map<?, ?> m)) {
                problems.add(new Problem(name, field, "expected a map of names to values, was '" + v + "'"));
                return null;
            }
            var out = new LinkedHashMap<String, String>();
            m.forEach((k, val) -> out.put(String.valueOf(k), String.valueOf(val)));
            return out;
        }

        /** Runs a check whose IllegalArgumentException / InvalidInput message is about {@code field}. */
        void check(String field, Runnable check) {
            try {
                check.run();
            } catch (IllegalArgumentException | KyuException.InvalidInput e) {
                problems.add(new Problem(name, field, e.getMessage()));
            }
        }

        /** Runs a builder call that already names schedule and field in its error. */
        void problemOf(Runnable call) {
            try {
                call.run();
            } catch (KyuException.InvalidInput e) {
                problems.add(new Problem(null, null, e.getMessage()));
            }
        }
    }
}
