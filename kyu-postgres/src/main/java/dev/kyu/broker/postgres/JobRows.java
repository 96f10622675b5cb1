package dev.kyu.broker.postgres;

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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/**
 * Reads job rows into {@link Job}s and writes the JSON columns (errors, meta). A row that cannot be read
 * (a state this version does not know, an errors or meta column that is not the JSON it should be) comes
 * back as a {@link Corrupt} with its raw text, so callers can move it to FAILED instead of throwing.
 */
final class JobRows {
    /** The columns every job query selects, in this order. */
    static final String COLUMNS =
            "id, task, queue, args, priority, state, attempt, max_attempts, enqueued_at, scheduled_at, "
                    + "started_at, finished_at, lease_expires_at, worker_id, result, errors, unique_key, timeout_ms, backoff, meta, cancel_requested, "
                    + "fence, progress, progress_message, result_ttl_ms, waits_for, dependents, retain_with";

    static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final TypeReference<List<JobError>> ERRORS = new TypeReference<>() {};
    private static final TypeReference<Map<String, String>> META = new TypeReference<>() {};
    private static final int RAW_KEPT = 8000;
    /** The columns' defaults, by far the most common values: read and written without the JSON parser. */
    static final String NO_ERRORS = "[]";

    static final String NO_META = "{}";

    /** What one row turned out to be. */
    sealed interface Row permits Good, Corrupt {
        String id();
    }

    record Good(Job job) implements Row {
        public String id() {
            return job.id();
        }
    }

    /** An unreadable row: why, and its raw columns as text, to keep in the kyu.CorruptJob error. */
    record Corrupt(String id, String queue, int attempt, String reason, String raw) implements Row {}

    private JobRows() {}

    static Row read(ResultSet rs) throws SQLException {
        String id = rs.getString(1);
        String task = rs.getString(2);
        String queue = rs.getString(3);
        String stateText = rs.getString(6);
        String errorsText = rs.getString(16);
        String metaText = rs.getString(20);
        int attempt = rs.getInt(7);
        String reason = null;
        JobState state = null;
        List<JobError> errors = List.of();
        Map<String, String> meta = Map.of();
        if (task == null) reason = "no task name";
        else if (queue == null) reason = "no queue name";
        if (reason == null) {
            try {
                state = JobState.valueOf(stateText);
            } catch (RuntimeException e) {
                reason = "unknown state '" + stateText + "'";
            }
        }
        if (reason == null) {
            try {
                errors = errorsText == null || errorsText.equals(NO_ERRORS)
                        ? List.of()
                        : JSON.readValue(errorsText, ERRORS);
                if (errors == null) errors = List.of();
            } catch (JsonProcessingException | RuntimeException e) {
                reason = "errors column is not a JSON list of errors";
            }
        }
        if (reason == null) {
            try {
                meta = metaText == null || metaText.equals(NO_META) ? Map.of() : JSON.readValue(metaText, META);
                if (meta == null) meta = Map.of();
            } catch (JsonProcessingException | RuntimeException e) {
                reason = "meta column is not a JSON object of strings";
            }
        }
        int waitsFor = rs.getInt(26);
        if (reason == null && waitsFor < 0) reason = "waits_for " + waitsFor + " is negative";
        if (reason != null) return new Corrupt(id, queue, attempt, reason, raw(rs));
        JobLinks links = JobLinks.of(waitsFor, uuids(rs.getString(27)), rs.getString(28));
        long timeoutMs = rs.getLong(18);
        Duration timeout = rs.wasNull() ? null : Duration.ofMillis(timeoutMs);
        long resultTtlMs = rs.getLong(25);
        Duration resultTtl = rs.wasNull() || resultTtlMs <= 0 ? null : Duration.ofMillis(resultTtlMs);
        return new Good(new Job(
                id,
                task,
                queue,
                rs.getString(4),
                rs.getInt(5),
                state,
                attempt,
                rs.getInt(8),
                instant(rs, 9),
                instant(rs, 10),
                instant(rs, 11),
                instant(rs, 12),
                instant(rs, 13),
                rs.getString(14),
                rs.getString(15),
                errors,
                rs.getString(17),
                timeout,
                rs.getString(19),
                meta,
                rs.getBoolean(21),
                rs.getLong(22),
                dev.kyu.job.Progress.stored(rs.getObject(23, Double.class), rs.getString(24)),
                resultTtl,
                links));
    }

    /**
     * A uuid[] in its text form ({@code {a,b}}), NULL elements left out. Read as text rather than through the
     * driver's array support: the elements are uuids, so the form has no quoting to undo.
     */
    static List<String> uuids(String text) {
        if (text == null || text.length() < 3) return List.of();
        var out = new java.util.ArrayList<String>();
        // braces dropped wherever they are: a many-dimensional array (written behind Kyu's back) reads flat
        for (String e : text.replace("{", "").replace("}", "").split(","))
            if (!e.isEmpty() && !e.equals("NULL")) out.add(e);
        return out;
    }

    /**
     * Reads a row about to be handed to a worker, or found by a sweep as one that could wait for ever: on
     * top of being readable, the job must keep the {@link JobContract} every enqueue keeps.
     */
    static Row readToRun(ResultSet rs) throws SQLException {
        Row row = read(rs);
        if (!(row instanceof Good g)) return row;
        List<String> broken = new java.util.ArrayList<>(JobContract.violations(g.job()));
        // The claim counts attempt and fence up and cannot go past their types' limits: a row already at
        // one was leased unchanged and must not run (nor be leased again).
        if (g.job().attempt() == Integer.MAX_VALUE)
            broken.add("attempt " + Integer.MAX_VALUE + " is at the limit a lease counts to");
        if (g.job().fence() == Long.MAX_VALUE)
            broken.add("fence " + Long.MAX_VALUE + " is at the limit a lease counts to");
        if (broken.isEmpty()) return row;
        return new Corrupt(
                g.id(),
                g.job().queue(),
                g.job().attempt(),
                "job breaks the stored-job contract: " + String.join("; ", broken),
                raw(rs));
    }

    /** Every column of the row as text, to keep in the kyu.CorruptJob error. */
    private static String raw(ResultSet rs) throws SQLException {
        var raw = new StringBuilder();
        String[] names = COLUMNS.split(", ");
        for (int i = 0; i < names.length; i++)
            raw.append(i == 0 ? "" : " ").append(names[i]).append('=').append(rs.getString(i + 1));
        return raw.length() > RAW_KEPT ? raw.substring(0, RAW_KEPT) + "..." : raw.toString();
    }

    /** A timestamptz column; read as OffsetDateTime, which the driver builds without a Calendar (unlike Timestamp). */
    static Instant instant(ResultSet rs, int col) throws SQLException {
        OffsetDateTime t = rs.getObject(col, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    static String errorsJson(List<JobError> errors) {
        try {
            return dev.kyu.codec.Printable.jsonForUtf8(JSON.writeValueAsString(errors));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write job errors as JSON", e);
        }
    }

    /** Appends an error to a stored errors column; an unreadable column is replaced, its text kept in a note. */
    static String appendError(String storedErrors, JobError error) {
        List<JobError> old;
        try {
            old = storedErrors == null ? List.of() : JSON.readValue(storedErrors, ERRORS);
            if (old == null) old = List.of();
        } catch (JsonProcessingException | RuntimeException e) {
            String raw = storedErrors.length() > RAW_KEPT ? storedErrors.substring(0, RAW_KEPT) + "..." : storedErrors;
            old = List.of(JobError.reason(
                    error.attempt(), JobError.CORRUPT, "unreadable errors column replaced; raw: " + raw, error.at()));
        }
        return errorsJson(Job.appendError(old, error));
    }

    static String metaJson(Map<String, String> meta) {
        if (meta == null || meta.isEmpty()) return NO_META;
        try {
            return dev.kyu.codec.Printable.jsonForUtf8(JSON.writeValueAsString(meta));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write job meta as JSON", e);
        }
    }
}
