package dev.kyu.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/** The starter on the application's own SQLite DataSource, with the dashboard served. */
@SpringBootTest(
        classes = TestApp.class,
        properties = {
            "spring.datasource.url=jdbc:sqlite:target/spring-sqlite-test.db?transaction_mode=IMMEDIATE",
            "spring.datasource.hikari.maximum-pool-size=2",
            "kyu.data-source.enabled=true",
            "kyu.worker.fetch-wait=100ms",
            "kyu.dashboard.enabled=true",
            "kyu.dashboard.port=0",
            "management.endpoint.health.probes.enabled=true"
        })
class SqliteStarterTest extends StarterContract {
    @Autowired
    KyuDashboard dashboard;

    @Test
    void theDashboardIsReachable() throws Exception {
        var client = HttpClient.newHttpClient();
        var page = client.send(
                HttpRequest.newBuilder(URI.create(dashboard.url())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        var queues = client.send(
                HttpRequest.newBuilder(URI.create(dashboard.url() + "api/queues"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(queues.statusCode()).isEqualTo(200);
        assertThat(queues.body()).contains("\"default\"");
    }

    @Test
    void theBrokerIsTheApplicationsSqliteFile() {
        assertThat(kyu.broker().describe()).contains("spring-sqlite-test.db");
    }
}
