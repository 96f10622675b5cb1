package dev.kyu.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kyu.Kyu;
import dev.kyu.job.JobState;
import dev.kyu.spi.JobQuery;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Schedules from the YAML file and from properties are enqueued by the application while it runs. */
class SchedulesTest {
    @Test
    void schedulesFromTheFileAndFromPropertiesFire() {
        try (var context = Apps.start(
                "spring.datasource.url=jdbc:sqlite:target/spring-schedules-test.db",
                "kyu.broker-url=memory:",
                "kyu.schedule-file=classpath:test-schedules.yaml",
                "kyu.schedules.greet-every-second.task=test.greet",
                "kyu.schedules.greet-every-second.every=1s",
                "kyu.schedules.greet-every-second.args.name=beat")) {
            Kyu kyu = context.getBean(Kyu.class);
            assertThat(context.getBean(KyuRuntime.class).schedules())
                    .extracting(s -> s.name())
                    .containsExactlyInAnyOrder("add-every-second", "greet-every-second");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(kyu.admin()
                                .jobs(JobQuery.all(10).withTask("test.add").withState(JobState.SUCCEEDED)))
                        .anySatisfy(j -> assertThat(j.result()).contains("42"));
                assertThat(kyu.admin()
                                .jobs(JobQuery.all(10).withTask("test.greet").withState(JobState.SUCCEEDED)))
                        .anySatisfy(j -> assertThat(j.result()).contains("hello beat"));
            });
        }
    }
}
