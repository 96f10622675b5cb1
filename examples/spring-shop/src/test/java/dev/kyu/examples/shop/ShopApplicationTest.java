package dev.kyu.examples.shop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kyu.job.JobState;
import dev.kyu.spi.JobQuery;
import dev.kyu.spring.KyuTemplate;
import dev.kyu.workflow.WorkflowState;
import dev.kyu.workflow.WorkflowView;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;

/** The shop started as it runs, with orders placed over HTTP and followed to their end. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.datasource.url=jdbc:sqlite:target/spring-shop-test.db?transaction_mode=IMMEDIATE",
            "kyu.worker.fetch-wait=100ms"
        })
class ShopApplicationTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");
    static final Pattern WORKFLOW = Pattern.compile("\"workflow\"\\s*:\\s*\"([^\"]+)\"");

    @Autowired
    Environment env;

    @Autowired
    Orders orders;

    @Autowired
    KyuTemplate kyu;

    private final HttpClient http = HttpClient.newHttpClient();

    private String base() {
        return "http://127.0.0.1:" + env.getProperty("local.server.port");
    }

    private HttpResponse<String> post(String json) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(base() + "/orders"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Places an order over HTTP; returns its id and its workflow's, which the answer names. */
    private String[] place(String item, int quantity, String card) throws Exception {
        var response = post("{\"item\":\"" + item + "\",\"quantity\":" + quantity + ",\"card\":\"" + card + "\"}");
        assertThat(response.statusCode()).isEqualTo(202);
        var id = ID.matcher(response.body());
        var workflow = WORKFLOW.matcher(response.body());
        assertThat(id.find() && workflow.find()).as(response.body()).isTrue();
        assertThat(orders.find(id.group(1)).orElseThrow().workflow()).isEqualTo(workflow.group(1));
        return new String[] {id.group(1), workflow.group(1)};
    }

    private static Map<String, JobState> stepStates(WorkflowView v) {
        var m = new LinkedHashMap<String, JobState>();
        v.steps().forEach(s -> m.put(s.name(), s.state()));
        return m;
    }

    @Test
    void anOrderIsOneWorkflowThatReservesChargesShipsAndConfirms() throws Exception {
        int stockBefore = orders.stock("kettle").orElseThrow();
        String[] placed = place("kettle", 2, "4242-4242-4242-4242");
        WorkflowView done = kyu.kyu().workflow(placed[1]).await(WAIT);

        assertThat(done.state()).isEqualTo(WorkflowState.SUCCEEDED);
        assertThat(done.name()).isEqualTo("order " + placed[0]);
        assertThat(stepStates(done))
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "reserve",
                        JobState.SUCCEEDED,
                        "charge",
                        JobState.SUCCEEDED,
                        "ship",
                        JobState.SUCCEEDED,
                        "confirm",
                        JobState.SUCCEEDED));
        assertThat(done.compensations()).isEmpty();
        var order = orders.find(placed[0]).orElseThrow();
        assertThat(order.status()).isEqualTo("SHIPPED");
        assertThat(order.confirmed()).isTrue();
        assertThat(order.stockReleased()).isFalse();
        assertThat(order.tracking())
                .startsWith("KYU-")
                .isEqualTo(kyu.kyu().workflow(placed[1]).result("ship", String.class));
        assertThat(orders.stock("kettle").orElseThrow()).isEqualTo(stockBefore - 2);

        var shown = http.send(
                HttpRequest.newBuilder(URI.create(base() + "/orders/" + placed[0]))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(shown.statusCode()).isEqualTo(200);
        assertThat(shown.body()).contains("\"status\":\"SHIPPED\"").contains("\"workflow\":\"" + placed[1] + "\"");
    }

    @Test
    void aDeclinedCardFailsTheWorkflowAndItsCompensationReleasesTheStock() throws Exception {
        int stockBefore = orders.stock("teapot").orElseThrow();
        String[] placed = place("teapot", 3, "4000-0000-0000-0002");
        WorkflowView failed = kyu.kyu().workflow(placed[1]).await(WAIT);

        assertThat(failed.state()).isEqualTo(WorkflowState.FAILED);
        assertThat(failed.failed()).containsExactly("charge");
        // Nothing after the declined charge ran: the steps were skipped.
        assertThat(stepStates(failed))
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "reserve",
                        JobState.SUCCEEDED,
                        "charge",
                        JobState.FAILED,
                        "ship",
                        JobState.CANCELLED,
                        "confirm",
                        JobState.CANCELLED));
        assertThat(failed.compensations()).singleElement().satisfies(c -> {
            assertThat(c.step()).isEqualTo("reserve");
            assertThat(c.task()).isEqualTo(OrderFlow.RELEASE);
        });
        // The compensation runs after the workflow has ended: wait for its job.
        String release = failed.compensations().get(0).id();
        await().atMost(WAIT).until(() -> kyu.kyu().handle(release).status() == JobState.SUCCEEDED);

        var order = orders.find(placed[0]).orElseThrow();
        assertThat(order.status()).isEqualTo("PAYMENT_DECLINED");
        assertThat(order.stockReleased()).isTrue();
        assertThat(order.tracking()).isNull();
        assertThat(orders.stock("teapot").orElseThrow()).isEqualTo(stockBefore);
    }

    @Test
    void anOrderBeyondTheStockFailsAtReserveWithNothingToRelease() throws Exception {
        int stockBefore = orders.stock("mug").orElseThrow();
        String[] placed = place("mug", stockBefore + 1, "4242-4242-4242-4242");
        WorkflowView failed = kyu.kyu().workflow(placed[1]).await(WAIT);

        assertThat(failed.state()).isEqualTo(WorkflowState.FAILED);
        assertThat(failed.failed()).containsExactly("reserve");
        assertThat(failed.compensations()).isEmpty();
        assertThat(orders.find(placed[0]).orElseThrow().status()).isEqualTo("OUT_OF_STOCK");
        assertThat(orders.stock("mug").orElseThrow()).isEqualTo(stockBefore);
    }

    @Test
    void aBadOrderIsRefusedAndLeavesNoWorkflow() throws Exception {
        long workflows = kyu.kyu()
                .admin()
                .jobs(JobQuery.all(10_000).withTask("kyu.workflow"))
                .size();
        assertThat(post("{\"item\":\"spaceship\",\"quantity\":1,\"card\":\"4242\"}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(post("{\"item\":\"mug\",\"quantity\":0,\"card\":\"4242\"}").statusCode())
                .isEqualTo(400);
        assertThat(kyu.kyu().admin().jobs(JobQuery.all(10_000).withTask("kyu.workflow")))
                .hasSize((int) workflows);
    }

    @Test
    void theDashboardAndTheActuatorAnswer() throws Exception {
        var page = http.send(
                HttpRequest.newBuilder(URI.create(base() + "/kyu/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("href=\"/kyu/jobs\"");
        var health = http.send(
                HttpRequest.newBuilder(URI.create(base() + "/actuator/health/kyu"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"");
        var kyu = http.send(
                HttpRequest.newBuilder(URI.create(base() + "/actuator/kyu")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(kyu.statusCode()).isEqualTo(200);
        assertThat(kyu.body()).contains(OrderFlow.CHARGE);
    }
}
