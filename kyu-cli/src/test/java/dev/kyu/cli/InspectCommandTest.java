package dev.kyu.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class InspectCommandTest extends CliTestBase {

    @Test
    void queuesJsonHasEveryStateForEveryQueue() {
        kyu.enqueueJson("kyu.noop", "{}", JobOptions.builder().queue("a").build());
        kyu.enqueueJson("kyu.noop", "{}", JobOptions.builder().queue("a").build());
        kyu.enqueueJson(
                "kyu.noop",
                "{}",
                JobOptions.builder().queue("b").delay(Duration.ofHours(1)).build());
        var r = cli.run("inspect", "queues", "--json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        JsonNode a = find(r.json(), "a");
        JsonNode b = find(r.json(), "b");
        for (JsonNode q : new JsonNode[] {a, b}) {
            assertThat(q.get("paused").asBoolean()).isFalse();
            for (JobState s : JobState.values())
                assertThat(q.get("counts").has(s.name())).as(s.name()).isTrue();
        }
        assertThat(a.get("counts").get("QUEUED").asLong()).isEqualTo(2);
        assertThat(b.get("counts").get("SCHEDULED").asLong()).isEqualTo(1);

        var table = cli.run("inspect", "queues");
        assertThat(table.out().lines().findFirst().orElseThrow())
                .startsWith("QUEUE")
                .contains("SCHEDULED")
                .contains("CANCELLED");
        assertThat(table.out()).containsPattern("(?m)^a\\s+no\\s+0\\s+0\\s+2\\s");
    }

    @Test
    void jobsFilteredByStateQueueAndTask() {
        kyu.enqueueJson("kyu.echo", "{}", JobOptions.builder().queue("x").build());
        kyu.enqueueJson("kyu.noop", "{}", JobOptions.builder().queue("x").build());
        kyu.enqueueJson("kyu.noop", "{}", JobOptions.builder().queue("y").build());
        var all = cli.run("inspect", "jobs", "--json");
        assertThat(all.json()).hasSize(3);
        var x = cli.run("inspect", "jobs", "--queue", "x", "--task", "kyu.noop", "--state", "queued", "--json");
        assertThat(x.exitCode()).as(x.toString()).isZero();
        assertThat(x.json()).hasSize(1);
        assertThat(x.json().get(0).get("queue").asText()).isEqualTo("x");
        assertThat(x.json().get(0).get("task").asText()).isEqualTo("kyu.noop");
        assertThat(cli.run("inspect", "jobs", "--state", "FAILED", "--json").json())
                .isEmpty();
        assertThat(cli.run("inspect", "jobs", "--limit", "2", "--json").json()).hasSize(2);
        assertThat(cli.run("inspect", "jobs").out()).startsWith("ID").contains("kyu.echo");
    }

    @Test
    void jobsPageByCursorFollowingTheHintLine() {
        var ids = new java.util.ArrayList<String>();
        for (int i = 0; i < 25; i++) {
            ids.add(kyu.enqueueJson(
                            "kyu.echo",
                            "{\"i\": " + i + "}",
                            JobOptions.builder().queue("p").build())
                    .id());
            kyu.enqueueJson("kyu.noop", "{}", JobOptions.builder().queue("p").build()); // another task: filtered out
        }
        var seen = new java.util.ArrayList<String>();
        var hints = new java.util.ArrayList<String>();
        String[] command = {"inspect", "jobs", "--queue", "p", "--task", "kyu.echo", "--limit", "10"};
        while (command != null) {
            var r = cli.run(command);
            assertThat(r.exitCode()).as(r.toString()).isZero();
            var lines = r.out().lines().toList();
            String last = lines.get(lines.size() - 1);
            boolean hinted = last.startsWith("older jobs follow: kyu ");
            lines.subList(1, lines.size() - (hinted ? 1 : 0)).forEach(l -> seen.add(l.split("\\s+")[0]));
            hints.add(hinted ? last : null);
            command =
                    hinted ? last.substring("older jobs follow: kyu ".length()).split(" ") : null;
        }
        assertThat(seen).containsExactlyElementsOf(ids.reversed());
        assertThat(hints)
                .containsExactly(
                        "older jobs follow: kyu inspect jobs --queue p --task kyu.echo --limit 10 --after "
                                + ids.get(15),
                        "older jobs follow: kyu inspect jobs --queue p --task kyu.echo --limit 10 --after "
                                + ids.get(5),
                        null);
        // a last page that is full has no hint: the command asked for one job more
        assertThat(cli.run("inspect", "jobs", "--task", "kyu.echo", "--limit", "5", "--after", ids.get(5))
                        .out())
                .doesNotContain("older jobs follow");

        // JSON stays an array of job objects; the next page is --after its last id
        var json = cli.run("inspect", "jobs", "--task", "kyu.echo", "--limit", "10", "--json");
        assertThat(json.json()).hasSize(10);
        assertThat(json.out()).doesNotContain("older jobs follow");
        String lastId = json.json().get(9).get("id").asText();
        assertThat(lastId).isEqualTo(ids.get(15));
        var next = cli.run(
                "inspect",
                "jobs",
                "--task",
                "kyu.echo",
                "--limit",
                "10",
                "--after",
                lastId.toUpperCase(java.util.Locale.ROOT),
                "--json");
        assertThat(next.exitCode()).as(next.toString()).isZero();
        assertThat(next.json().get(0).get("id").asText()).isEqualTo(ids.get(14));
        // --offset still pages by position
        assertThat(cli.run("inspect", "jobs", "--task", "kyu.echo", "--limit", "10", "--offset", "10", "--json")
                        .json()
                        .get(0)
                        .get("id")
                        .asText())
                .isEqualTo(ids.get(14));
    }

    @Test
    void theHintQuotesWhatTheShellWouldSplit() {
        for (int i = 0; i < 3; i++) kyu.enqueueJson("kyu.echo", "{\"note\": \"it's a b\"}", JobOptions.NONE);
        var r = cli.run("inspect", "jobs", "--text", "it's a", "--state", "queued", "--limit", "2");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out())
                .containsPattern(
                        "(?m)^older jobs follow: kyu inspect jobs --state QUEUED --text 'it'\\\\''s a' --limit 2 --after [0-9a-f-]{36}$");
    }

    @Test
    void workersJsonListsARunningWorker() {
        startWorker("default", "mail");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !kyu.admin().workers().isEmpty());
        var r = cli.run("inspect", "workers", "--json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.json()).hasSize(1);
        JsonNode w = r.json().get(0);
        assertThat(w.get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
        assertThat(w.get("queues")).hasSize(2);
        assertThat(w.get("concurrency").asInt()).isEqualTo(8);
        assertThat(cli.run("inspect", "workers").out()).startsWith("WORKER");
    }

    @Test
    void aWorkerThatStoppedReportingIsMarkedSilent() throws Exception {
        // A report stamped 20 seconds ago, as a worker that died then left it (SQLite stamps with its clock).
        var past = java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofSeconds(-20));
        try (var b = dev.kyu.spi.Brokers.open(new dev.kyu.spi.BrokerConfig(url, past, java.util.Map.of()))) {
            b.workerHeartbeat(new dev.kyu.spi.WorkerInfo(
                    "gone-1",
                    "host",
                    42,
                    java.util.List.of("default"),
                    4,
                    0,
                    past.instant(),
                    past.instant(),
                    0,
                    0,
                    0,
                    0,
                    java.util.Map.of()));
        }
        var r = cli.run("inspect", "workers");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("gone-1").contains("(silent)");
    }

    @Test
    void theBrokerOptionMayFollowTheCommand() {
        kyu.enqueueJson("kyu.noop", "{}", JobOptions.builder().queue("late").build());
        var r = CliRunner.runRaw("inspect", "queues", "--broker", url, "--json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(find(r.json(), "late").get("counts").get("QUEUED").asLong()).isEqualTo(1);
    }

    @Test
    void inspectWithoutWhatIsAUsageError() {
        var r = cli.run("inspect");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1);
    }

    private static JsonNode find(JsonNode queues, String name) {
        for (JsonNode q : queues) if (q.get("queue").asText().equals(name)) return q;
        throw new AssertionError("no queue " + name + " in " + queues);
    }
}
