package dev.kyu.spring.boot3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.kyu.Kyu;
import dev.kyu.job.JobState;
import dev.kyu.metrics.KyuMetrics;
import dev.kyu.spi.JobQuery;
import dev.kyu.spring.KyuStartupException;
import dev.kyu.spring.KyuTemplate;
import dev.kyu.task.Task;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.actuate.health.CompositeHealth;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;

/** The starter, compiled against Boot 4, inside a Spring Boot 3.5 application on SQLite. */
@SpringBootTest(
        classes = TestApp.class,
        properties = {
            "spring.datasource.url=jdbc:sqlite:target/boot3-sqlite-test.db",
            "spring.datasource.hikari.maximum-pool-size=2",
            "kyu.data-source.enabled=true",
            "kyu.worker.fetch-wait=100ms",
            "management.endpoint.health.probes.enabled=true"
        })
class Boot3StarterTest {
    static final Duration WAIT = Duration.ofSeconds(20);

    @Autowired
    Kyu kyu;

    @Autowired
    KyuTemplate template;

    @Autowired
    TestApp.Orders orders;

    @Autowired
    TestApp.Shipping shipping;

    @Autowired
    HealthEndpoint healthEndpoint;

    @Autowired
    MeterRegistry meters;

    @Test
    void runsOnBoot3() {
        assertThat(SpringBootVersion.getVersion()).startsWith("3.5.");
    }

    @Test
    void tasksFromBeansAndAnnotatedMethodsRun() throws Exception {
        assertThat(kyu.tasks().contains("test.greet")).isTrue();
        TestApp.Sum sum = template.<TestApp.Sum>enqueue("test.add", new TestApp.Pair(2, 3))
                .join()
                .await(WAIT);
        assertThat(sum).isEqualTo(new TestApp.Sum(5));
    }

    @Test
    void aRolledBackTransactionLeavesNoJobAndACommittedOneRuns() {
        String lost = "order-" + UUID.randomUUID();
        assertThatThrownBy(() -> orders.place(lost, true)).hasMessageContaining("payment declined");
        String kept = "order-" + UUID.randomUUID();
        orders.place(kept, false);
        await().atMost(WAIT).until(() -> shipping.shipped(kept));
        var jobs = kyu.admin().jobs(JobQuery.all(500).withTask("test.ship"));
        assertThat(jobs).noneMatch(j -> j.args().contains(lost));
        assertThat(jobs)
                .filteredOn(j -> j.args().contains(kept))
                .singleElement()
                .satisfies(j -> assertThat(j.state()).isIn(JobState.RUNNING, JobState.SUCCEEDED));
        assertThat(orders.saved(lost)).isZero();
    }

    @Test
    @SuppressWarnings("unchecked")
    void theHealthIndicatorReportsOnBoot3AndStaysOutOfReadiness() {
        var kyuHealth = (Health) healthEndpoint.healthForPath("kyu");
        assertThat(kyuHealth.getStatus()).isEqualTo(Status.UP);
        assertThat(kyuHealth.getDetails()).containsEntry("brokerReachable", true);
        assertThat((Map<String, Object>) kyuHealth.getDetails().get("worker")).containsEntry("running", true);
        var readiness = (CompositeHealth) healthEndpoint.healthForPath("readiness");
        assertThat(readiness.getComponents()).doesNotContainKey("kyu");
    }

    @Test
    void metersCarryTaskAndQueueTags() throws Exception {
        template.enqueue("test.add", new TestApp.Pair(1, 1)).join().await(WAIT);
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(meters.find(KyuMetrics.COMPLETED)
                                .tag("task", "test.add")
                                .tag("queue", "default")
                                .counter())
                        .isNotNull());
    }

    static class DuplicateTask {
        @Bean
        dev.kyu.task.KyuTask<TestApp.Pair, Integer> anotherAdd() {
            return Task.of("test.add", TestApp.Pair.class, Integer.class, (p, ctx) -> p.a() + p.b());
        }
    }

    @Test
    void aDuplicateTaskStopsTheStart() {
        Throwable t = catchThrowable(() -> new SpringApplicationBuilder(TestApp.class, DuplicateTask.class)
                .web(WebApplicationType.NONE)
                .properties("spring.datasource.url=jdbc:sqlite:target/boot3-failure.db", "kyu.broker-url=memory:")
                .run()
                .close());
        while (t != null && !(t instanceof KyuStartupException)) t = t.getCause();
        assertThat(t).isNotNull().hasMessageContaining("two tasks are named 'test.add'");
    }
}
