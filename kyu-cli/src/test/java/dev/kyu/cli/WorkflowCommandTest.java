package dev.kyu.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kyu.workflow.Call;
import dev.kyu.workflow.Workflow;
import dev.kyu.workflow.WorkflowHandle;
import dev.kyu.workflow.WorkflowState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code kyu workflow ID} and {@code kyu inspect workflows} against a SQLite file. */
class WorkflowCommandTest extends CliTestBase {

    private Workflow order(String name, boolean decline) {
        return Workflow.builder(name)
                .step("reserve", Call.of("kyu.echo", java.util.Map.of("sku", "A-1")))
                .compensate("kyu.noop")
                .step(
                        "charge",
                        decline
                                ? Call.of("kyu.fail", java.util.Map.of("message", "card\u001b[2J declined"))
                                        .options(dev.kyu.job.JobOptions.builder()
                                                .maxAttempts(1)
                                                .build())
                                : Call.of("kyu.noop", java.util.Map.of()))
                .after("reserve")
                .step("ship", Call.of("kyu.noop", java.util.Map.of()))
                .after("charge")
                .step("confirm", Call.of("kyu.noop", java.util.Map.of()))
                .after("charge")
                .build();
    }

    @Test
    void showsTheStepsParentsFirstWithTheirStates() throws Exception {
        startWorker("default");
        WorkflowHandle h = kyu.enqueue(order("order-1", false));
        assertThat(h.await(Duration.ofSeconds(30)).state()).isEqualTo(WorkflowState.SUCCEEDED);

        var r = cli.run("workflow", h.id());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("name         order-1").contains("state        SUCCEEDED");
        List<String> order = stepLines(r.out());
        assertThat(order.get(0))
                .startsWith("reserve")
                .contains("kyu.echo")
                .contains("SUCCEEDED")
                .contains("1/");
        assertThat(order.get(1)).startsWith("charge").contains("reserve");
        assertThat(order.subList(2, 4))
                .anySatisfy(l -> assertThat(l).startsWith("ship"))
                .anySatisfy(l -> assertThat(l).startsWith("confirm"));

        var json = cli.run("workflow", h.id(), "--json");
        assertThat(json.exitCode()).as(json.toString()).isZero();
        JsonNode w = json.json();
        assertThat(w.get("id").asText()).isEqualTo(h.id());
        assertThat(w.get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(w.get("steps")).hasSize(4);
        assertThat(w.get("steps").get(1).get("after").get(0).asText()).isEqualTo("reserve");
        assertThat(w.get("compensations")).isEmpty();
    }

    @Test
    void aDeclinedChargeShowsTheFailureAndTheCompensation() throws Exception {
        startWorker("default");
        WorkflowHandle h = kyu.enqueue(order("order-2", true));
        assertThat(h.await(Duration.ofSeconds(30)).state()).isEqualTo(WorkflowState.FAILED);
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> h.status().compensations().stream()
                        .allMatch(c -> c.job() != null && c.job().state().isTerminal()));

        var r = cli.run("workflow", h.id());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("state        FAILED   failed: charge");
        assertThat(r.out()).containsPattern("(?m)^charge\\s+kyu.fail\\s+FAILED");
        assertThat(r.out()).containsPattern("(?m)^ship\\s+kyu.noop\\s+CANCELLED");
        assertThat(r.out()).contains("COMPENSATES").containsPattern("(?m)^reserve\\s+kyu.noop\\s+SUCCEEDED");
        // The stored error text cannot drive the terminal.
        assertThat(r.out()).doesNotContain("\u001b");

        var json = cli.run("workflow", h.id(), "--json").json();
        assertThat(json.get("failed").get(0).asText()).isEqualTo("charge");
        assertThat(json.get("compensations").get(0).get("step").asText()).isEqualTo("reserve");
    }

    @Test
    void listsWorkflowsByState() throws Exception {
        startWorker("default");
        WorkflowHandle ok = kyu.enqueue(order("order-ok", false));
        WorkflowHandle bad = kyu.enqueue(order("order-bad", true));
        ok.await(Duration.ofSeconds(30));
        bad.await(Duration.ofSeconds(30));
        kyu.enqueueJson("kyu.noop", "{}", dev.kyu.job.JobOptions.NONE);

        var all = cli.run("inspect", "workflows", "--json");
        assertThat(all.exitCode()).as(all.toString()).isZero();
        assertThat(all.json()).hasSize(2);
        var failed = cli.run("inspect", "workflows", "--state", "failed", "--json");
        assertThat(failed.json()).hasSize(1);
        assertThat(failed.json().get(0).get("id").asText()).isEqualTo(bad.id());
        assertThat(cli.run("inspect", "workflows", "--state", "RUNNING", "--json")
                        .json())
                .isEmpty();
        assertThat(cli.run("inspect", "workflows", "--limit", "1", "--offset", "1", "--json")
                        .json())
                .hasSize(1);
        var newest = cli.run("inspect", "workflows", "--limit", "1");
        assertThat(newest.out())
                .contains(bad.id())
                .endsWith("older workflows follow: kyu inspect workflows --limit 1 --after " + bad.id()
                        + System.lineSeparator());
        var older = cli.run("inspect", "workflows", "--limit", "1", "--after", bad.id());
        assertThat(older.out()).contains(ok.id()).doesNotContain(bad.id()).doesNotContain("follow");
        var table = cli.run("inspect", "workflows");
        assertThat(table.out())
                .startsWith("ID")
                .contains("order-ok")
                .contains("order-bad")
                .contains("4/4");
        assertThat(cli.run("inspect", "workflows", "--state", "RUNNING").out()).contains("no workflows match");
    }

    @Test
    void unknownIdExitsOneAndBadInputExitsTwo() {
        String job =
                kyu.enqueueJson("kyu.noop", "{}", dev.kyu.job.JobOptions.NONE).id();
        var missing = cli.run("workflow", "01890a5d-ac96-774b-bcce-b302099a8057");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.errLines()).hasSize(1);
        assertThat(missing.err()).contains("no workflow with id 01890a5d-ac96-774b-bcce-b302099a8057");
        // A plain job is not a workflow.
        assertThat(cli.run("workflow", job).exitCode()).isEqualTo(1);
        var bad = cli.run("workflow", "not-an-id");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.errLines()).hasSize(1);
        var state = cli.run("inspect", "workflows", "--state", "DONE");
        assertThat(state.exitCode()).isEqualTo(2);
        assertThat(state.err()).contains("unknown workflow state 'DONE'");
        assertThat(cli.run("inspect", "workflows", "--limit", "0").exitCode()).isEqualTo(2);
    }

    /** The lines of the steps table: after its header, up to the blank line. */
    private static List<String> stepLines(String out) {
        var lines = new ArrayList<String>();
        boolean in = false;
        for (String l : out.lines().toList()) {
            if (l.startsWith("STEP ")) in = true;
            else if (in && l.isBlank()) break;
            else if (in) lines.add(l);
        }
        return lines;
    }
}
