package dev.kyu.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kyu.KyuException;
import dev.kyu.job.JobOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The builder API: defaults, and every bad value as one line naming schedule and field. */
class ScheduleTest {
    record Report(String team) {}

    @Test
    void builderDefaults() {
        Schedule s = Schedule.builder("r", "reports.run")
                .cron("@daily")
                .args(new Report("sales"))
                .build();
        assertThat(s.argsJson()).isEqualTo("{\"team\":\"sales\"}");
        assertThat(s.zone().getId()).isEqualTo("Z");
        assertThat(s.missedTicks()).isEqualTo(MissedTickPolicy.FIRE_ONCE);
        assertThat(s.overlap()).isEqualTo(OverlapPolicy.ALLOW);
        assertThat(s.catchUpLimit()).isEqualTo(Schedule.DEFAULT_CATCH_UP_LIMIT);
        assertThat(s.queueOrDefault()).isEqualTo("default");
    }

    @Test
    void badValuesNameScheduleAndField() {
        assertThatThrownBy(() -> Schedule.builder("r", "t").cron("0 0 32 * *"))
                .isInstanceOf(KyuException.InvalidInput.class)
                .hasMessageStartingWith("schedule 'r', field 'cron': bad cron expression '0 0 32 * *'");
        assertThatThrownBy(() -> Schedule.builder("r", "t").zone("Europe/Berln"))
                .isInstanceOf(KyuException.InvalidInput.class)
                .hasMessage(
                        "schedule 'r', field 'zone': unknown time zone 'Europe/Berln': expected an IANA name such as Europe/Berlin, America/New_York or UTC");
        assertThatThrownBy(() -> Schedule.builder("r", "t").every("0s"))
                .hasMessage("schedule 'r', field 'every': interval must be at least 1s, was 0s");
        assertThatThrownBy(() -> Schedule.builder("r", "t").build())
                .hasMessage("schedule 'r', field 'cron': missing: set either cron or every");
        assertThatThrownBy(() -> Schedule.builder("r", "t")
                        .every("1m")
                        .catchUpLimit(5000)
                        .build())
                .hasMessage("schedule 'r', field 'catchUpLimit': must be between 1 and 1000, was 5000");
        assertThatThrownBy(() ->
                        Schedule.builder("r", "t").every("1m").argsJson("{oops").build())
                .hasMessageStartingWith("schedule 'r', field 'args': not valid JSON");
        assertThatThrownBy(() -> Schedule.builder("r", "t")
                        .every("1m")
                        .options(JobOptions.builder().unique("k").build())
                        .build())
                .hasMessageStartingWith("schedule 'r', field 'unique'");
        assertThatThrownBy(() -> Schedule.builder("r", "no spaces").every("1m").build())
                .hasMessageStartingWith("schedule 'r', field 'task': bad task name 'no spaces'");
        assertThatThrownBy(() -> Schedule.builder("a:b", "t")).hasMessageStartingWith("bad schedule name 'a:b'");
    }

    @Test
    void definitionsRoundTripThroughFields() {
        Schedule s = Schedule.builder("r", "reports.run")
                .cron("15 30 7 * * 1-5")
                .zone("Asia/Tokyo")
                .argsJson("{\"a\":[1,2]}")
                .options(JobOptions.builder()
                        .queue("reports")
                        .priority(3)
                        .maxAttempts(2)
                        .timeout(Duration.ofMinutes(1))
                        .delay(Duration.ofSeconds(5))
                        .meta("k", "v")
                        .build())
                .missedTicks(MissedTickPolicy.CATCH_UP)
                .catchUpLimit(4)
                .overlap(OverlapPolicy.SKIP)
                .build();
        var problems = new ArrayList<Problem>();
        var json = ScheduleStore.definitionJson(s);
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = dev.kyu.codec.JsonCodec.shared().decode(json, Map.class);
        Schedule back = ScheduleFields.read("r", fields, problems, Set.of("name"));
        assertThat(problems).isEmpty();
        assertThat(back).isEqualTo(s);
    }
}
