package dev.kyu.cli;

import dev.kyu.job.Durations;
import dev.kyu.job.JobState;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Option types the commands share; a bad value is a usage error (exit 2) naming the value. */
public final class Converters {
    private Converters() {}

    /** {@code 250ms}, {@code 10s}, {@code 5m}, {@code 2h}, {@code 1d} or ISO-8601 {@code PT10S}. */
    public static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                Duration d = Durations.parse(value);
                if (d.isNegative()) throw new TypeConversionException("duration '" + value + "' must not be negative");
                return d;
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A job state name, any case. */
    public static final class StateConverter implements ITypeConverter<JobState> {
        @Override
        public JobState convert(String value) {
            try {
                return JobState.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** An ISO-8601 instant: {@code 2030-01-01T09:00:00Z} or with an offset, {@code 2030-01-01T10:00:00+01:00}. */
    public static final class InstantConverter implements ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            try {
                return Instant.parse(value);
            } catch (DateTimeParseException e) {
                try {
                    return OffsetDateTime.parse(value).toInstant();
                } catch (DateTimeParseException e2) {
                    throw new TypeConversionException(
                            "bad time '" + value + "': expected ISO-8601 such as 2030-01-01T09:00:00Z");
                }
            }
        }
    }
}
