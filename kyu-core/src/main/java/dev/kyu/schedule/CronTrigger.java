package dev.kyu.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.util.Locale;
import java.util.Map;

/**
 * A cron expression, parsed by cron-utils: standard 5-field Unix cron ({@code min hour dom month dow}),
 * 6 fields with seconds in front ({@code sec min hour dom month dow}), or one of the macros
 * {@code @yearly @annually @monthly @weekly @daily @midnight @hourly}.
 *
 * <p>The expression is matched against wall-clock time in the schedule's zone. cron-utils only ever
 * walks a zone without DST here (local times are handed to it as UTC); turning a local time into an
 * instant is {@link WallClock}'s job, which owns the DST rules. That keeps the rules in one small place
 * and out of reach of any DST quirk in the library.
 */
public final class CronTrigger implements Trigger {

    private static final CronDefinition FIVE_FIELDS = CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX);

    /** Unix cron with a seconds field in front, same ranges and names as {@link CronType#UNIX}. */
    private static final CronDefinition SIX_FIELDS = CronDefinitionBuilder.defineCron()
            .withSeconds()
            .withValidRange(0, 59)
            .withStrictRange()
            .and()
            .withMinutes()
            .withValidRange(0, 59)
            .withStrictRange()
            .and()
            .withHours()
            .withValidRange(0, 23)
            .withStrictRange()
            .and()
            .withDayOfMonth()
            .withValidRange(1, 31)
            .withStrictRange()
            .and()
            .withMonth()
            .withValidRange(1, 12)
            .withStrictRange()
            .and()
            .withDayOfWeek()
            .withValidRange(0, 7)
            .withMondayDoWValue(1)
            .withIntMapping(7, 0)
            .withStrictRange()
            .and()
            .instance();

    /** The macros of Vixie cron, as the 5-field expressions they stand for. */
    private static final Map<String, String> MACROS = Map.of(
            "@yearly", "0 0 1 1 *",
            "@annually", "0 0 1 1 *",
            "@monthly", "0 0 1 * *",
            "@weekly", "0 0 * * 0",
            "@daily", "0 0 * * *",
            "@midnight", "0 0 * * *",
            "@hourly", "0 * * * *");

    private static final java.time.ZonedDateTime NEVER_CHECK_FROM =
            java.time.ZonedDateTime.of(2000, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
    private static final CronParser FIVE = new CronParser(FIVE_FIELDS);
    private static final CronParser SIX = new CronParser(SIX_FIELDS);

    private final String expression;
    private final ExecutionTime executionTime;

    private CronTrigger(String expression, Cron cron) {
        this.expression = expression;
        this.executionTime = ExecutionTime.forCron(cron);
    }

    /** The expression as written (whitespace normalised). */
    public String expression() {
        return expression;
    }

    /** Parses an expression; a bad one fails with a one-line {@link IllegalArgumentException} naming it. */
    public static CronTrigger parse(String expression) {
        if (expression == null || expression.isBlank()) {
            throw new IllegalArgumentException(
                    "empty cron expression: expected 5 fields (min hour dom month dow), 6 with seconds, or a macro such as @daily");
        }
        String text = expression.trim().replaceAll("\\s+", " ");
        String expanded = text;
        if (text.startsWith("@")) {
            expanded = MACROS.get(text.toLowerCase(Locale.ROOT));
            if (expanded == null) {
                throw new IllegalArgumentException("unknown cron macro '" + text
                        + "': expected one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly");
            }
        }
        int fields = expanded.split(" ").length;
        CronParser parser = switch (fields) {
            case 5 -> FIVE;
            case 6 -> SIX;
            default ->
                throw new IllegalArgumentException("bad cron expression '" + text + "': has " + fields
                        + " field(s), expected 5 (min hour dom month dow) or 6 (sec min hour dom month dow)");
        };
        try {
            Cron cron = parser.parse(expanded);
            cron.validate();
            var trigger = new CronTrigger(text, cron);
            // An expression such as "0 0 30 2 *" (February 30th) parses but never fires; refuse it now
            // rather than leave a schedule that silently never runs.
            if (trigger.executionTime.nextExecution(NEVER_CHECK_FROM).isEmpty()) {
                throw new IllegalArgumentException("it names no time that ever comes");
            }
            return trigger;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "bad cron expression '" + text + "': " + Problem.oneLine(e.getMessage()), e);
        }
    }

    @Override
    public Instant nextAfter(Instant after, ZoneId zone) {
        // Start at the wall-clock time of `after`. Every cron time at or before it maps to an instant at or
        // before `after` (WallClock's mapping never decreases), so only later ones can be the answer.
        LocalDateTime local = LocalDateTime.ofInstant(after, zone);
        var rules = zone.getRules();
        if (rules.getValidOffsets(local).size() == 2) {
            ZoneOffsetTransition t = rules.getTransition(local);
            if (!after.isBefore(local.toInstant(t.getOffsetAfter()))) {
                // `after` is in the repeat of a doubled hour: the rest of that hour was already fired the
                // first time round, so look from the end of the repeat on.
                local = t.getDateTimeBefore().minusSeconds(1);
            }
        }
        while (true) {
            local = nextLocal(local);
            Instant at = WallClock.resolve(local, zone);
            if (at.isAfter(after)) return at;
        }
    }

    @Override
    public Instant latestAtOrBefore(Instant at, ZoneId zone) {
        LocalDateTime local = LocalDateTime.ofInstant(at, zone);
        var rules = zone.getRules();
        // Every cron time before `upper` (exclusive) is a candidate. In a doubled hour the first-occurrence
        // mapping puts the rest of the hour's times before `at` too, so look from the end of the hour back.
        LocalDateTime upper = rules.getValidOffsets(local).size() == 2
                ? rules.getTransition(local).getDateTimeBefore()
                : local.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        for (int guard = 0; guard < 100_000; guard++) {
            var previous = executionTime.lastExecution(upper.atZone(ZoneOffset.UTC));
            if (previous.isEmpty()) return null;
            LocalDateTime candidate = previous.get().toLocalDateTime();
            Instant mapped = WallClock.resolve(candidate, zone);
            if (!mapped.isAfter(at)) return mapped;
            upper = candidate;
        }
        throw new IllegalStateException("cron expression '" + expression + "': no fire time found before " + at);
    }

    /** The next wall-clock time strictly after {@code local} that the expression names. */
    LocalDateTime nextLocal(LocalDateTime local) {
        return executionTime
                .nextExecution(local.atZone(ZoneOffset.UTC))
                .map(z -> z.toLocalDateTime())
                .orElseThrow(() ->
                        new IllegalStateException("cron expression '" + expression + "' names no time after " + local));
    }

    @Override
    public String describe() {
        return "cron \"" + expression + "\"";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CronTrigger c && c.expression.equals(expression);
    }

    @Override
    public int hashCode() {
        return expression.hashCode();
    }

    @Override
    public String toString() {
        return describe();
    }
}
