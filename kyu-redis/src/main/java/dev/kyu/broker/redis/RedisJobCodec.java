package dev.kyu.broker.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.kyu.job.Job;
import dev.kyu.job.JobContract;
import dev.kyu.job.JobError;
import dev.kyu.job.JobLinks;
import dev.kyu.job.JobState;
import dev.kyu.spi.WorkerInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns the engine's stored form into Kyu values and back: a job is a Redis hash of plain fields (its
 * enqueue, start and finish stamps in epoch microseconds, other times in epoch milliseconds, meta as a JSON
 * object) plus a list of JSON errors. Decoding is strict for jobs about
 * to run (a bad field is a corrupt job) and lenient for queries (the dashboard shows whatever is there).
 */
final class RedisJobCodec {
    static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};

    private RedisJobCodec() {}

    /** The stored form of one error. */
    record StoredError(int attempt, String type, String message, String stackTrace, long at) {}

    /** A dump from the scripts, {@code {flat hash, error list}}; null when the job does not exist. */
    static Job decode(Object dump, String queue, String id, boolean strict) {
        if (!(dump instanceof List<?> pair)
                || pair.size() < 2
                || !(pair.get(0) instanceof List<?> flat)
                || flat.isEmpty()) return null;
        return decode(fields(flat)::get, pair.get(1), queue, id, strict);
    }

    /**
     * The fields fetch.lua answers for a leased job, values only and in this order (the script may send
     * more after them, for its own checks).
     */
    static final List<String> LEASED_FIELDS = List.of(
            "task",
            "args",
            "priority",
            "attempt",
            "maxAttempts",
            "enqueuedAt",
            "scheduledAt",
            "timeout",
            "backoff",
            "meta",
            "uniqueKey");

    /**
     * A job the fetch script just leased, from its {@link #LEASED_FIELDS} as stored before the lease plus
     * what the lease changed (the script does not read the hash back); strict, as the job is about to run.
     * Field names are not sent, which halves what the reply carries and what is decoded.
     */
    static Job decodeLeased(
            List<?> values,
            Object rawErrors,
            String queue,
            String id,
            String workerId,
            long now,
            String startedMicros,
            long leaseMs) {
        String attempt = Long.toString(number(leased(values, "attempt"), "attempt", 0, true) + 1);
        // After the stored fields and the script's own checks comes the fence the lease raised (fetch.lua).
        Object fence = values.size() > FENCE_INDEX ? values.get(FENCE_INDEX) : null;
        Function<String, String> f = name -> switch (name) {
            case "state" -> JobState.RUNNING.name();
            case "attempt" -> attempt;
            case "workerId" -> workerId;
            case "startedAt" -> startedMicros;
            case "leaseExpiresAt" -> Long.toString(now + leaseMs);
            case "fence" -> fence == null ? null : fence.toString();
            default -> leased(values, name);
        };
        Job job = decode(f, rawErrors, queue, id, true);
        // About to run: it must also keep the contract every enqueue keeps, or the caller buries it.
        List<String> broken = JobContract.violations(job);
        if (!broken.isEmpty())
            throw new IllegalStateException("job breaks the stored-job contract: " + String.join("; ", broken));
        return job;
    }

    /** Where fetch.lua puts the fence after the fields it reads (FIELDS there has fourteen). */
    private static final int FENCE_INDEX = 14;

    private static String leased(List<?> values, String name) {
        int i = LEASED_FIELDS.indexOf(name);
        Object v = i < 0 || i >= values.size() ? null : values.get(i);
        return v == null ? null : v.toString();
    }

    private static Map<String, String> fields(List<?> flat) {
        Map<String, String> f = HashMap.newHashMap(flat.size() / 2 + 6);
        for (int i = 0; i + 1 < flat.size(); i += 2)
            f.put(String.valueOf(flat.get(i)), String.valueOf(flat.get(i + 1)));
        return f;
    }

    private static Job decode(Function<String, String> f, Object rawErrors, String queue, String id, boolean strict) {
        List<JobError> errors = new ArrayList<>();
        if (rawErrors instanceof List<?> raw) {
            for (Object e : raw) errors.add(error(String.valueOf(e), strict));
        }
        var b = Job.builder()
                .id(id)
                .queue(queue)
                .task(text(f, "task", strict))
                .args(java.util.Objects.requireNonNullElse(f.apply("args"), "null"))
                .priority((int) number(f, "priority", 0, strict))
                .state(state(f.apply("state"), strict))
                .attempt((int) number(f, "attempt", 0, strict))
                .maxAttempts((int) number(f, "maxAttempts", 1, strict))
                .enqueuedAt(instant(f, "enqueuedAt", strict))
                .scheduledAt(instant(f, "scheduledAt", strict))
                .startedAt(instant(f, "startedAt", false))
                .finishedAt(instant(f, "finishedAt", false))
                .leaseExpiresAt(instant(f, "leaseExpiresAt", false))
                .workerId(f.apply("workerId"))
                .result(f.apply("result"))
                .errors(errors)
                .uniqueKey(f.apply("uniqueKey"))
                .backoff(f.apply("backoff"))
                .meta(meta(f.apply("meta"), strict))
                .cancelRequested("1".equals(f.apply("cancelRequested")))
                .fence(number(f, "fence", 0, false))
                .progress(progress(f.apply("progress"), f.apply("progressMessage")));
        String timeout = f.apply("timeout");
        if (timeout != null) {
            long ms = number(f, "timeout", -1, strict);
            if (ms >= 0) b.timeout(Duration.ofMillis(ms));
        }
        b.links(links(f, strict));
        String resultTtl = f.apply("resultTtl");
        if (resultTtl != null) {
            // Only the prune acts on it, in its script: one that does not read is shown as none.
            long ms = number(f, "resultTtl", -1, false);
            if (ms > 0) b.resultTtl(Duration.ofMillis(ms));
        }
        return b.build();
    }

    private static final TypeReference<List<String>> ID_LIST = new TypeReference<>() {};

    /**
     * A job's links: {@code waitsFor} (a count, absent = 0), {@code dependents} (a JSON array of ids) and
     * {@code retainWith} (an id). Strictly read only for a job about to run; queries show what reads and
     * leave the rest out, as the scripts do (a count that does not read releases the job at its next parent).
     */
    private static JobLinks links(Function<String, String> f, boolean strict) {
        String waits = f.apply("waitsFor"), deps = f.apply("dependents"), with = f.apply("retainWith");
        if (waits == null && deps == null && with == null) return JobLinks.NONE;
        long n = number(waits, "waitsFor", 0, strict);
        if (n < 0 || n > Integer.MAX_VALUE) {
            if (strict) throw new IllegalStateException("field waitsFor is out of range: " + n);
            n = 0;
        }
        List<String> ids = List.of();
        if (deps != null && !deps.isEmpty()) {
            try {
                List<String> read = JSON.readValue(deps, ID_LIST);
                ids = read == null
                        ? List.of()
                        : read.stream()
                                .filter(id -> id != null && !id.isEmpty())
                                .toList();
            } catch (JsonProcessingException | RuntimeException e) {
                if (strict) throw new IllegalStateException("field dependents is not a JSON array of ids");
            }
        }
        return JobLinks.of((int) n, ids, with == null || with.isEmpty() ? null : with);
    }

    static String encodeIds(List<String> ids) {
        return write(ids);
    }

    /** Progress is shown, never acted on: one that does not read is left out rather than failing the job. */
    private static dev.kyu.job.Progress progress(String fraction, String message) {
        if (fraction == null || fraction.isEmpty()) return null;
        try {
            return dev.kyu.job.Progress.stored(
                    Double.parseDouble(fraction), message == null || message.isEmpty() ? null : message);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String text(Function<String, String> f, String field, boolean strict) {
        String v = f.apply(field);
        if (v == null || v.isEmpty()) {
            if (strict) throw new IllegalStateException("field " + field + " is missing");
            return "";
        }
        return v;
    }

    private static long number(Function<String, String> f, String field, long dflt, boolean strict) {
        return number(f.apply(field), field, dflt, strict);
    }

    private static long number(String v, String field, long dflt, boolean strict) {
        if (v == null) {
            if (strict) throw new IllegalStateException("field " + field + " is missing");
            return dflt;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            if (strict) throw new IllegalStateException("field " + field + " is not a number: '" + abbreviate(v) + "'");
            return dflt;
        }
    }

    private static Instant instant(Function<String, String> f, String field, boolean strict) {
        if (f.apply(field) == null) {
            if (strict) throw new IllegalStateException("field " + field + " is missing");
            return null;
        }
        long v = number(f, field, Long.MIN_VALUE, strict);
        return v == Long.MIN_VALUE ? null : instant(v);
    }

    /** Below this magnitude a stored time is epoch milliseconds (13 digits until the year 2286), from it on microseconds. */
    private static final long MICROS_FROM = 100_000_000_000_000L;

    /**
     * A stored time: epoch microseconds (16 digits; enqueuedAt, startedAt and finishedAt as stamped now) or
     * epoch milliseconds (due times, lease expiries, and every time a job stored before microseconds).
     */
    static Instant instant(long v) {
        if (Math.abs(v) < MICROS_FROM) return Instant.ofEpochMilli(v);
        return Instant.ofEpochSecond(Math.floorDiv(v, 1_000_000L), Math.floorMod(v, 1_000_000L) * 1_000L);
    }

    private static JobState state(String v, boolean strict) {
        try {
            return JobState.valueOf(v);
        } catch (RuntimeException e) {
            if (strict) throw new IllegalStateException("unknown state '" + abbreviate(String.valueOf(v)) + "'");
            return JobState.FAILED;
        }
    }

    private static Map<String, String> meta(String v, boolean strict) {
        if (v == null || v.isEmpty()) return Map.of();
        try {
            Map<String, String> m = JSON.readValue(v, STRING_MAP);
            return m == null ? Map.of() : m;
        } catch (JsonProcessingException e) {
            if (strict) throw new IllegalStateException("meta is not a JSON object of strings");
            return Map.of();
        }
    }

    private static JobError error(String raw, boolean strict) {
        try {
            StoredError e = JSON.readValue(raw, StoredError.class);
            return new JobError(
                    e.attempt(),
                    e.type() == null ? "unknown" : e.type(),
                    e.message(),
                    e.stackTrace(),
                    Instant.ofEpochMilli(e.at()));
        } catch (JsonProcessingException | RuntimeException e) {
            if (strict) throw new IllegalStateException("an error entry is not valid JSON");
            return new JobError(0, JobError.CORRUPT, "undecodable error entry: " + abbreviate(raw), "", null);
        }
    }

    static String encode(JobError e) {
        return write(new StoredError(
                e.attempt(), e.type(), e.message(), e.stackTrace(), e.at() == null ? 0 : e.at().toEpochMilli()));
    }

    static String encodeMeta(Map<String, String> meta) {
        return meta.isEmpty() ? "" : write(meta);
    }

    static String encode(WorkerInfo w) {
        return write(w);
    }

    static WorkerInfo worker(String json) {
        try {
            return JSON.readValue(json, WorkerInfo.class);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static String write(Object o) {
        try {
            return dev.kyu.codec.Printable.jsonForUtf8(JSON.writeValueAsString(o));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String abbreviate(String v) {
        String s = v.replaceAll("\\p{Cntrl}", "?");
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }
}
