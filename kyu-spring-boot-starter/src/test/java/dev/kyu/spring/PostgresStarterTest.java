package dev.kyu.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The starter on the application's own PostgreSQL DataSource (a real server, embedded). */
@SpringBootTest(
        classes = TestApp.class,
        properties = {
            "kyu.data-source.enabled=true",
            "kyu.worker.fetch-wait=200ms",
            "management.endpoint.health.probes.enabled=true"
        })
class PostgresStarterTest extends StarterContract {
    static final String SCHEMA =
            "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        EmbeddedPg pg = EmbeddedPg.shared();
        registry.add("spring.datasource.url", pg::jdbcUrl);
        registry.add("spring.datasource.username", () -> "postgres");
        registry.add("spring.datasource.password", () -> EmbeddedPg.PASSWORD);
        registry.add("spring.datasource.hikari.maximum-pool-size", () -> "4");
        registry.add("kyu.broker-options.schema", () -> SCHEMA);
        registry.add("kyu.broker-options.poolSize", () -> "4");
    }

    @Test
    void theBrokerIsTheApplicationsDatabase() {
        assertThat(kyu.broker().describe())
                .contains("postgresql")
                .contains(String.valueOf(EmbeddedPg.shared().port()));
    }
}
