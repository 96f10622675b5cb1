package dev.kyu.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kyu.job.JobOptions;
import dev.kyu.workflow.Call;
import dev.kyu.workflow.Workflow;
import dev.kyu.workflow.WorkflowHandle;
import dev.kyu.workflow.WorkflowState;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The workflows list and page (the steps drawn as SVG), their API, and cancelling a workflow. */
class WorkflowsTest {
    private final DashboardFixture f = new DashboardFixture();

    @AfterEach
    void close() {
        f.close();
    }

    /** reserve -> charge -> (ship, confirm); charge fails at once when {@code decline}. */
    private static Workflow order(String name, boolean decline) {
        return Workflow.builder(name)
                .step("reserve", Call.of("kyu.echo", Map.of("sku", "A-1")))
                .compensate("kyu.noop")
                .step(
                        "charge",
                        decline
                                ? Call.of("kyu.fail", Map.of("message", "card <b>declined</b>\u001b[2J"))
                                        .options(JobOptions.builder()
                                                .maxAttempts(1)
                                                .build())
                                : Call.of("kyu.noop", Map.of()))
                .after("reserve")
                .step("ship", Call.of("kyu.noop", Map.of()))
                .after("charge")
                .step("confirm", Call.of("kyu.noop", Map.of()))
                .after("charge")
                .build();
    }

    private WorkflowHandle run(Workflow w) throws InterruptedException {
        WorkflowHandle h = f.kyu.enqueue(w);
        assertThat(h.await(Duration.ofSeconds(30)).state().isTerminal()).isTrue();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> h.status().compensations().stream()
                        .allMatch(c -> c.job() != null && c.job().state().isTerminal()));
        return h;
    }

    @Test
    void theWorkflowPageDrawsTheStepsAsAGraphWithTheirStates() throws Exception {
        f.worker();
        WorkflowHandle h = run(order("order <i>7</i>", true));
        var view = h.status();
        String page = f.get("/workflows/" + h.id()).body();

        assertThat(page)
                .contains("<svg class=\"wf-graph\"", "order &lt;i&gt;7&lt;/i&gt;")
                .doesNotContain("<i>7</i>");
        // one box per step, coloured by state, each a link to its job; an edge per parent -> child
        assertThat(page)
                .contains("<a href=\"/jobs/"
                        + view.step("reserve").orElseThrow().id() + "\" class=\"wf-node wf-succeeded\">");
        assertThat(page)
                .contains("<a href=\"/jobs/" + view.step("charge").orElseThrow().id()
                        + "\" class=\"wf-node wf-failed\">");
        assertThat(page)
                .contains("<a href=\"/jobs/" + view.step("ship").orElseThrow().id()
                        + "\" class=\"wf-node wf-cancelled\">");
        assertThat(count(page, "<path class=\"wf-edge\"")).isEqualTo(3);
        assertThat(count(page, "class=\"wf-node ")).isEqualTo(4);
        // reserve in the first column, charge in the second, ship and confirm side by side in the third
        assertThat(page)
                .contains("<rect x=\"10\" y=\"10\"")
                .contains("<rect x=\"236\" y=\"10\"")
                .contains("<rect x=\"462\" y=\"10\"")
                .contains("<rect x=\"462\" y=\"66\"");
        // the compensation, linked to its job; the stored error text escaped
        String comp = view.compensations().get(0).id();
        assertThat(page).contains("<h2>Compensations</h2>", "<a href=\"/jobs/" + comp + "\">reserve</a>");
        assertThat(page)
                .contains("card &lt;b&gt;declined&lt;/b&gt;")
                .doesNotContain("<b>declined")
                .doesNotContain("\u001b");
        // a finished workflow offers no Cancel
        assertThat(page).doesNotContain("/cancel\"");

        // a step's job page links back to its workflow
        String step = f.get("/jobs/" + view.step("charge").orElseThrow().id()).body();
        assertThat(step).contains("<a href=\"/workflows/" + h.id() + "\">", "step charge");
    }

    @Test
    void theListFiltersByStateAndPages() throws Exception {
        f.worker();
        WorkflowHandle ok = run(order("order-ok", false));
        WorkflowHandle bad = run(order("order-bad", true));
        String all = f.get("/workflows").body();
        assertThat(all)
                .contains(
                        "<h1>Workflows</h1>",
                        "href=\"/workflows/" + ok.id() + "\"",
                        "href=\"/workflows/" + bad.id() + "\"",
                        "order-ok",
                        "4 / 4");
        String failed = f.get("/workflows?state=FAILED").body();
        assertThat(failed).contains(bad.id()).doesNotContain(ok.id());
        assertThat(f.get("/workflows?state=RUNNING").body()).contains("No workflows match.");
        String first = f.get("/workflows?limit=1").body();
        assertThat(first).contains(bad.id()).doesNotContain(ok.id()).contains("older →");
        // live: a partial request gets the inside of <main> only
        assertThat(f.get("/workflows", "X-Kyu-Partial", "1").body()).startsWith("<h1>Workflows</h1>");

        JsonNode api = f.getJson("/api/workflows?state=failed");
        assertThat(api.get("workflows")).hasSize(1);
        assertThat(api.get("workflows").get(0).get("id").asText()).isEqualTo(bad.id());
        assertThat(api.get("more").asBoolean()).isFalse();
        JsonNode paged = f.getJson("/api/workflows?limit=1&offset=1");
        assertThat(paged.get("workflows").get(0).get("id").asText()).isEqualTo(ok.id());
        // by cursor: the last workflow id of a page leads to the next
        JsonNode newest = f.getJson("/api/workflows?limit=1");
        assertThat(newest.get("next").asText()).isEqualTo(bad.id());
        JsonNode older = f.getJson("/api/workflows?limit=1&after=" + bad.id());
        assertThat(older.get("workflows").get(0).get("id").asText()).isEqualTo(ok.id());
        assertThat(older.get("more").asBoolean()).isFalse();
        assertThat(older.get("next").isNull()).isTrue();
        assertThat(f.getJson("/api/workflows?state=SUCCEEDED&after=" + bad.id())
                        .get("workflows")
                        .get(0)
                        .get("id")
                        .asText())
                .isEqualTo(ok.id());
        assertThat(first).contains("href=\"/workflows?after=" + bad.id() + "&amp;limit=1\">older →</a>");
        String second = f.get("/workflows?after=" + bad.id() + "&limit=1").body();
        assertThat(second)
                .contains(ok.id())
                .doesNotContain("href=\"/workflows/" + bad.id() + "\"")
                .contains("<a href=\"/workflows?limit=1\">← newest</a>")
                .doesNotContain("older →");

        JsonNode one = f.getJson("/api/workflows/" + bad.id());
        assertThat(one.get("state").asText()).isEqualTo("FAILED");
        assertThat(one.get("failed").get(0).asText()).isEqualTo("charge");
        assertThat(one.get("steps")).hasSize(4);
        assertThat(one.get("compensations").get(0).get("step").asText()).isEqualTo("reserve");
    }

    @Test
    void badIdsUnknownIdsAndBadStatesAreRefused() {
        String job = f.kyu.enqueueJson("kyu.noop", "{}", JobOptions.NONE).id();
        assertThat(f.get("/workflows/0190aaaa-0000-7000-8000-000000000000").statusCode())
                .isEqualTo(404);
        assertThat(f.get("/api/workflows/" + job).statusCode()).isEqualTo(404);
        assertThat(f.get("/api/workflows/" + job).body()).contains("no workflow with id " + job);
        assertThat(f.get("/workflows/nope").statusCode()).isEqualTo(400);
        var state = f.get("/api/workflows?state=DONE");
        assertThat(state.statusCode()).isEqualTo(400);
        assertThat(state.body()).contains("unknown workflow state 'DONE'");
        assertThat(f.post("/api/workflows/0190aaaa-0000-7000-8000-000000000000/cancel")
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void cancelStopsTheStepsNotEnded() throws Exception {
        Workflow slow = Workflow.builder("slow")
                .step("wait", Call.of("kyu.sleep", Map.of("ms", 60_000)))
                .step("after", Call.of("kyu.noop", Map.of()))
                .after("wait")
                .build();
        WorkflowHandle h = f.kyu.enqueue(slow);
        String page = f.get("/workflows/" + h.id()).body();
        assertThat(page).contains("action=\"/api/workflows/" + h.id() + "/cancel\"", "wf-queued", "wf-blocked");
        f.worker();

        // a browser's form post: cookie + token field, answered with a redirect back to the page
        String form = "_csrf=" + f.csrf() + "&next="
                + java.net.URLEncoder.encode("/workflows/" + h.id(), java.nio.charset.StandardCharsets.UTF_8);
        var r = f.send(HttpRequest.newBuilder(f.uri("/api/workflows/" + h.id() + "/cancel"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
        assertThat(r.headers().firstValue("Location")).hasValue("/workflows/" + h.id());
        assertThat(h.await(Duration.ofSeconds(30)).state()).isEqualTo(WorkflowState.CANCELLED);

        var again = f.post("/api/workflows/" + h.id() + "/cancel");
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(again.body()).contains("is CANCELLED");
    }

    @Test
    void readOnlyHidesCancelAndRefusesIt() throws Exception {
        try (var ro = new DashboardFixture(o -> o.readOnly(true))) {
            WorkflowHandle h = ro.kyu.enqueue(Workflow.builder("w")
                    .step("a", Call.of("kyu.noop", Map.of()))
                    .build());
            assertThat(ro.get("/workflows/" + h.id()).body())
                    .doesNotContain("method=\"post\"")
                    .contains("read-only");
            assertThat(ro.get("/workflows").body()).doesNotContain("method=\"post\"");
            assertThat(ro.post("/api/workflows/" + h.id() + "/cancel").statusCode())
                    .isEqualTo(403);
            assertThat(h.state()).isEqualTo(WorkflowState.RUNNING);
        }
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) n++;
        return n;
    }
}
