package dev.kyu.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The metadata IDEs complete kyu.* from is generated, with descriptions, for every documented key. */
class ConfigurationMetadataTest {
    @Test
    void everyDocumentedKeyHasMetadataWithADescription() throws Exception {
        JsonNode root;
        try (var in = KyuProperties.class.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("spring-configuration-metadata.json").isNotNull();
            root = new ObjectMapper().readTree(in);
        }
        List<String> names = new ArrayList<>();
        for (JsonNode p : root.get("properties")) {
            if (p.get("name").asText().startsWith("kyu.")) {
                names.add(p.get("name").asText());
                assertThat(p.path("description").asText())
                        .as(p.get("name").asText())
                        .isNotBlank();
            }
        }
        assertThat(names)
                .contains(
                        "kyu.broker-url",
                        "kyu.broker-options",
                        "kyu.data-source.enabled",
                        "kyu.data-source.name",
                        "kyu.worker.enabled",
                        "kyu.worker.queues",
                        "kyu.worker.concurrency",
                        "kyu.worker.lease",
                        "kyu.worker.shutdown-grace",
                        "kyu.schedule-file",
                        "kyu.schedules",
                        "kyu.scheduler.enabled",
                        "kyu.alerts-file",
                        "kyu.dashboard.enabled",
                        "kyu.dashboard.port",
                        "kyu.health.timeout",
                        "kyu.metrics.enabled");
        List<String> hinted = new ArrayList<>();
        root.get("hints").forEach(h -> hinted.add(h.get("name").asText()));
        assertThat(hinted).contains("kyu.broker-url", "kyu.data-source.name");
    }
}
