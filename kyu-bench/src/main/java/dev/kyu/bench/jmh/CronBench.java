package dev.kyu.bench.jmh;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cron next-fire with cron-utils, the library the scheduler parses schedules with: the work a scheduler
 * does per schedule per tick. A zone with DST is used, since that is the expensive case.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CronBench {
    private final CronParser parser = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private final ExecutionTime every5 = ExecutionTime.forCron(parser.parse("*/5 * * * *"));
    private final ExecutionTime weekdays = ExecutionTime.forCron(parser.parse("30 2 * * 1-5"));
    private final ZonedDateTime from = ZonedDateTime.of(2026, 3, 28, 23, 59, 0, 0, ZoneId.of("Europe/Berlin"));

    @Benchmark
    public Cron parse() {
        return parser.parse("0 9-17 * * 1-5");
    }

    @Benchmark
    public Optional<ZonedDateTime> nextEveryFiveMinutes() {
        return every5.nextExecution(from);
    }

    @Benchmark
    public Optional<ZonedDateTime> nextWeekdaysAcrossDst() {
        return weekdays.nextExecution(from);
    }
}
