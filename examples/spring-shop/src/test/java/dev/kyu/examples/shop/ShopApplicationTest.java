package dev.kyu.examples.shop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kyu.spring.KyuDashboard;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;

/** The shop started as it runs, with orders placed over HTTP and followed to their end. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:sqlite:target/spring-shop-test.db?transaction_mode=IMMEDIATE",
        "kyu.dashboard.port=0",
        "kyu.worker.fetch-wait=100ms"})
class ShopApplicationTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");

    @Autowired Environment env;
    @Autowired Orders orders;
    @Autowired KyuDashboard dashboard;

    private final HttpClient http = HttpClient.newHttpClient();

    private String base() {
        return "http://127.0.0.1:" + env.getProperty("local.server.port");
    }

    private HttpResponse<String> post(String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + "/orders")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String place(String item, int quantity, String card) throws Exception {
        var response = post("{\"item\":\"" + item + "\",\"quantity\":" + quantity + ",\"card\":\"" + card + "\"}");
        assertThat(response.statusCode()).isEqualTo(202);
        var m = ID.matcher(response.body());
        assertThat(m.find()).as(response.body()).isTrue();
        return m.group(1);
    }

    @Test
    void anOrderPlacedOverHttpIsReservedChargedShippedAndConfirmed() throws Exception {
        int stockBefore = orders.stock("kettle").orElseThrow();
        String id = place("kettle", 2, "4242-4242-4242-4242");
        await().atMost(WAIT).until(() -> {
            var o = orders.find(id).orElseThrow();
            return o.status().equals("SHIPPED") && o.confirmed();
        });
        var order = orders.find(id).orElseThrow();
        assertThat(order.tracking()).startsWith("KYU-");
        assertThat(orders.stock("kettle").orElseThrow()).isEqualTo(stockBefore - 2);

        var shown = http.send(HttpRequest.newBuilder(URI.create(base() + "/orders/" + id)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(shown.statusCode()).isEqualTo(200);
        assertThat(shown.body()).contains("\"status\":\"SHIPPED\"");
    }

    @Test
    void aDeclinedCardReleasesTheStock() throws Exception {
        int stockBefore = orders.stock("teapot").orElseThrow();
        String id = place("teapot", 3, "4000-0000-0000-0002");
        await().atMost(WAIT).until(() -> orders.find(id).orElseThrow().stockReleased());
        assertThat(orders.find(id).orElseThrow().status()).isEqualTo("PAYMENT_DECLINED");
        assertThat(orders.stock("teapot").orElseThrow()).isEqualTo(stockBefore);
    }

    @Test
    void aBadOrderIsRefusedAndLeavesNoJob() throws Exception {
        assertThat(post("{\"item\":\"spaceship\",\"quantity\":1,\"card\":\"4242\"}").statusCode()).isEqualTo(400);
    }

    @Test
    void theDashboardAndTheActuatorAnswer() throws Exception {
        var page = http.send(HttpRequest.newBuilder(URI.create(dashboard.url())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        var health = http.send(HttpRequest.newBuilder(URI.create(base() + "/actuator/health/kyu")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"");
        var kyu = http.send(HttpRequest.newBuilder(URI.create(base() + "/actuator/kyu")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(kyu.statusCode()).isEqualTo(200);
        assertThat(kyu.body()).contains(OrderFlow.CHARGE);
    }
}
