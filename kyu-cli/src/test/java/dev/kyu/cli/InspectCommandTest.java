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
        kyu.enqueueJson("kyu.noop", "{}", JobOptions.builder().queue("b").delay(Duration.ofHours(1)).build());
        var r = cli.run("inspect", "queues", "--json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        JsonNode a = find(r.json(), "a");
        JsonNode b = find(r.json(), "b");
        for (JsonNode q : new JsonNode[] {a, b}) {
            assertThat(q.get("paused").asBoolean()).isFalse();
            for (JobState s : JobState.values()) assertThat(q.get("counts").has(s.name())).as(s.name()).isTrue();
        }
        assertThat(a.get("counts").get("QUEUED").asLong()).isEqualTo(2);
        assertThat(b.get("counts").get("SCHEDULED").asLong()).isEqualTo(1);

        var table = cli.run("inspect", "queues");
        assertThat(table.out().lines().findFirst().orElseThrow()).startsWith("QUEUE").contains("SCHEDULED").contains("CANCELLED");
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
        assertThat(cli.run("inspect", "jobs", "--state", "FAILED", "--json").json()).isEmpty();
        assertThat(cli.run("inspect", "jobs", "--limit", "2", "--json").json()).hasSize(2);
        assertThat(cli.run("inspect", "jobs").out()).startsWith("ID").contains("kyu.echo");
    }

    @Test
    void workersJsonListsARunningWorker() {
        startWorker("default", "mail");
        await().atMost(Duration.ofSeconds(10)).until(() -> !kyu.admin().workers().isEmpty());
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
            b.workerHeartbeat(new dev.kyu.spi.WorkerInfo("gone-1", "host", 42, java.util.List.of("default"), 4, 0,
                    past.instant(), past.instant(), 0, 0, 0, 0, java.util.Map.of()));
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
