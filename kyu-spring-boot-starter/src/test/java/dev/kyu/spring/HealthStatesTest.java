package dev.kyu.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.Kyu;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.contributor.Status;

/** The health indicator's states, and the readiness group it joins only when told. */
class HealthStatesTest {
    static final String SQLITE = "spring.datasource.url=jdbc:sqlite:target/spring-health-test.db";

    private static String[] postgres(String... more) {
        EmbeddedPg pg = EmbeddedPg.shared();
        String schema = "h_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        var props = new java.util.ArrayList<>(java.util.List.of(
                SQLITE, "kyu.broker-url=" + pg.url(schema), "management.endpoint.health.probes.enabled=true"));
        props.addAll(java.util.List.of(more));
        return props.toArray(String[]::new);
    }

    @Test
    void aWorkerTurnedOffKeepsTheApplicationUp() {
        try (var context = Apps.start(SQLITE, "kyu.broker-url=memory:", "kyu.worker.enabled=false")) {
            var health = context.getBean(KyuHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("worker", "disabled");
        }
    }

    @Test
    void anUnreachableBrokerIsDownButLeavesReadinessAlone() {
        try (var context = Apps.start(postgres())) {
            var endpoint = context.getBean(HealthEndpoint.class);
            assertThat(endpoint.healthForPath("kyu").getStatus()).isEqualTo(Status.UP);
            context.getBean(Kyu.class).broker().close();
            var health = context.getBean(KyuHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.getDetails())
                    .containsEntry("brokerReachable", false)
                    .containsKey("brokerError");
            assertThat(endpoint.health().getStatus()).isEqualTo(Status.DOWN);
            assertThat(endpoint.healthForPath("readiness").getStatus()).isEqualTo(Status.UP);
        }
    }

    @Test
    void readinessFollowsKyuWhenTheGroupIncludesIt() {
        try (var context =
                Apps.start(postgres("management.endpoint.health.group.readiness.include=readinessState,kyu"))) {
            var endpoint = context.getBean(HealthEndpoint.class);
            assertThat(endpoint.healthForPath("readiness").getStatus()).isEqualTo(Status.UP);
            context.getBean(Kyu.class).broker().close();
            assertThat(endpoint.healthForPath("readiness").getStatus()).isEqualTo(Status.DOWN);
        }
    }
}
