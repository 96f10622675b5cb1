package dev.kyu.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kyu.schedule.Schedule;
import dev.kyu.schedule.ScheduleAdmin;
import dev.kyu.schedule.Scheduler;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The schedules page and API over the schedules a scheduler published to the broker. */
class SchedulesTest {
    private final DashboardFixture f = new DashboardFixture();
    private final Scheduler scheduler = Scheduler.builder(f.kyu)
            .schedules(List.of(
                    Schedule.builder("nightly-report", "kyu.noop")
                            .cron("0 3 * * *")
                            .zone("Europe/Berlin")
                            .build(),
                    Schedule.builder("refresh", "kyu.echo").every("5m").build()))
            .build();

    @AfterEach
    void close() {
        scheduler.close();
        f.close();
    }

    @Test
    void listsPausesResumesAndRunsStoredSchedules() {
        scheduler.publish();

        JsonNode list = f.getJson("/api/schedules");
        assertThat(list).hasSize(2);
        JsonNode nightly = list.get(0);
        assertThat(nightly.get("name").asText()).isEqualTo("nightly-report");
        assertThat(nightly.get("task").asText()).isEqualTo("kyu.noop");
        assertThat(nightly.get("cron").asText()).isEqualTo("0 3 * * *");
        assertThat(nightly.get("zone").asText()).isEqualTo("Europe/Berlin");
        assertThat(nightly.get("paused").asBoolean()).isFalse();
        assertThat(nightly.get("nextFire").isTextual()).isTrue();
        assertThat(list.get(1).get("cron").asText()).isEqualTo("every 5m");

        assertThat(f.post("/api/schedules/nightly-report/pause").statusCode()).isEqualTo(200);
        assertThat(new ScheduleAdmin(f.kyu.broker())
                        .get("nightly-report")
                        .orElseThrow()
                        .paused())
                .isTrue();
        String page = f.get("/schedules").body();
        assertThat(page).contains("nightly-report", "0 3 * * *", "Europe/Berlin", "paused", "Resume", "Run now");
        assertThat(f.post("/api/schedules/nightly-report/resume").statusCode()).isEqualTo(200);
        assertThat(new ScheduleAdmin(f.kyu.broker())
                        .get("nightly-report")
                        .orElseThrow()
                        .paused())
                .isFalse();

        var run = f.post("/api/schedules/nightly-report/run");
        assertThat(run.statusCode()).isEqualTo(200);
        String id = DashboardFixture.json(run.body()).get("id").asText();
        assertThat(f.kyu.admin().job(id).orElseThrow().task()).isEqualTo("kyu.noop");

        assertThat(f.post("/api/schedules/nothing/run").statusCode()).isEqualTo(404);
        assertThat(f.post("/api/schedules/nothing/pause").statusCode()).isEqualTo(404);
    }
}
