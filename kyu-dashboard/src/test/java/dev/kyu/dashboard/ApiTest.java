package dev.kyu.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every endpoint of the JSON API against a real dashboard and a real memory broker. */
class ApiTest {
    private final DashboardFixture f = new DashboardFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private String enqueue(String body) {
        var r = f.post("/api/jobs", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return DashboardFixture.json(r.body()).get("id").asText();
    }

    private JobState stateOf(String id) {
        return f.kyu.admin().job(id).orElseThrow().state();
    }

    @Test
    void enqueueByTaskNameStoresTheJobWithItsOptions() {
        var r = f.post("/api/jobs", """
                {"task": "kyu.echo", "args": {"n": 7}, "queue": "mail", "priority": 5, "maxAttempts": 4,
                 "delayMs": 60000, "resultTtlMs": 600000, "meta": {"tenant": "acme"}}""");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode body = DashboardFixture.json(r.body());
        assertThat(body.get("created").asBoolean()).isTrue();
        var job = f.kyu.admin().job(body.get("id").asText()).orElseThrow();
        assertThat(job.task()).isEqualTo("kyu.echo");
        assertThat(job.queue()).isEqualTo("mail");
        assertThat(job.priority()).isEqualTo(5);
        assertThat(job.maxAttempts()).isEqualTo(4);
        assertThat(job.state()).isEqualTo(JobState.SCHEDULED);
        assertThat(job.meta()).containsEntry("tenant", "acme");
        assertThat(job.resultTtl()).isEqualTo(java.time.Duration.ofMinutes(10));
        assertThat(body.get("job").get("resultTtlMs").asLong()).isEqualTo(600_000);
        assertThat(DashboardFixture.json(job.args()).get("n").asInt()).isEqualTo(7);
        assertThat(body.get("job").get("state").asText()).isEqualTo("SCHEDULED");
    }

    @Test
    void enqueueWithTheSameUniqueKeyReturnsTheFirstJob() {
        String first = enqueue("{\"task\": \"kyu.noop\", \"uniqueKey\": \"k1\"}");
        var again = f.post("/api/jobs", "{\"task\": \"kyu.noop\", \"uniqueKey\": \"k1\"}");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(DashboardFixture.json(again.body()).get("id").asText()).isEqualTo(first);
        assertThat(DashboardFixture.json(again.body()).get("created").asBoolean())
                .isFalse();
    }

    @Test
    void badEnqueueBodiesAreRefusedWithAOneLineReasonAndStoreNothing() {
        record Case(String body, String message) {}
        for (Case c : List.of(
                new Case("{not json", "not valid JSON"),
                new Case("[1]", "JSON object"),
                new Case("{\"args\": {}}", "'task' is required"),
                new Case("{\"task\": \"kyu.noop\", \"quue\": \"x\"}", "unknown field 'quue'"),
                new Case("{\"task\": \"kyu.noop\", \"priority\": \"high\"}", "'priority' must be a whole number"),
                new Case("{\"task\": \"kyu.noop\", \"queue\": \"bad queue!\"}", "bad queue name 'bad queue!'"),
                new Case("{\"task\": \"kyu.noop\", \"maxAttempts\": 0}", "maxAttempts must be at least 1"),
                new Case("{\"task\": \"kyu.noop\", \"runAt\": \"tomorrow\"}", "runAt must be an ISO-8601 instant"),
                new Case("{\"task\": \"kyu.noop\", \"delayMs\": -5}", "delayMs must not be negative"),
                new Case("{\"task\": \"kyu.noop\", \"resultTtlMs\": 0}", "result ttl must be positive, was 0s"),
                new Case("{\"task\": \"kyu.echo\", \"task\": \"kyu.noop\"}", "Duplicate field 'task'"),
                new Case("{\"task\": \"kyu.noop\", \"uniqueKey\": \"\"}", "uniqueKey must not be blank"),
                new Case("{\"task\": \"kyu.noop\", \"runAt\": \"+10000-01-01T00:00:00Z\"}", "runAt must be between"),
                new Case(
                        "{\"task\": \"kyu.noop\", \"delayMs\": 9000000000000000}",
                        "delay must be at most 100 years"))) {
            var r = f.post("/api/jobs", c.body());
            assertThat(r.statusCode()).as(c.body()).isEqualTo(400);
            JsonNode err = DashboardFixture.json(r.body());
            assertThat(err.get("error").asText())
                    .as(c.body())
                    .contains(c.message())
                    .doesNotContain("\n");
        }
        assertThat(f.kyu.admin().queues()).isEmpty();
    }

    @Test
    void aBodyThatIsNotUtf8IsRefusedNotStoredAsReplacementCharacters() {
        for (byte[] bad : new byte[][] {
            {
                '{',
                '"',
                't',
                'a',
                's',
                'k',
                '"',
                ':',
                '"',
                'k',
                'y',
                'u',
                '.',
                'e',
                'c',
                'h',
                'o',
                '"',
                ',',
                '"',
                'a',
                'r',
                'g',
                's',
                '"',
                ':',
                '{',
                '"',
                's',
                '"',
                ':',
                '"',
                (byte) 0xff,
                '"',
                '}',
                '}'
            },
            "{\"task\": \"kyu.echo\", \"args\": {\"s\": \"caf\u00e9\"}}"
                    .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
            // a UTF-16 surrogate written as UTF-8 (CESU-8) is not UTF-8 either
            {
                '{',
                '"',
                't',
                'a',
                's',
                'k',
                '"',
                ':',
                '"',
                'k',
                'y',
                'u',
                '.',
                'n',
                'o',
                'o',
                'p',
                '"',
                ',',
                '"',
                'u',
                'n',
                'i',
                'q',
                'u',
                'e',
                'K',
                'e',
                'y',
                '"',
                ':',
                '"',
                (byte) 0xed,
                (byte) 0xa0,
                (byte) 0x80,
                '"',
                '}'
            }
        }) {
            var r = f.send(java.net.http.HttpRequest.newBuilder(f.uri("/api/jobs"))
                    .header("Content-Type", "application/json")
                    .header("X-Kyu-CSRF", f.csrf())
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(bad)));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
            assertThat(DashboardFixture.json(r.body()).get("error").asText())
                    .contains("not UTF-8")
                    .contains("offset");
        }
        assertThat(f.kyu.admin().queues()).isEmpty();

        var ok = f.post("/api/jobs", "{\"task\": \"kyu.echo\", \"args\": {\"s\": \"caf\u00e9 \u2713\"}}");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
        String id = DashboardFixture.json(ok.body()).get("id").asText();
        assertThat(f.kyu.admin().job(id).orElseThrow().args()).isEqualTo("{\"s\":\"caf\u00e9 \u2713\"}");
    }

    @Test
    void aJsonBodyMustBeSentAsJson() {
        for (String type :
                new String[] {"text/plain", "application/x-www-form-urlencoded", "application/json; charset=iso-8859-1"
                }) {
            var r = f.send(java.net.http.HttpRequest.newBuilder(f.uri("/api/jobs"))
                    .header("Content-Type", type)
                    .header("X-Kyu-CSRF", f.csrf())
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"task\": \"kyu.noop\"}")));
            assertThat(r.statusCode()).as(type + ": " + r.body()).isEqualTo(415);
            assertThat(DashboardFixture.json(r.body()).get("error").asText())
                    .contains("application/json")
                    .doesNotContain("\n");
        }
        var none = f.send(java.net.http.HttpRequest.newBuilder(f.uri("/api/jobs"))
                .header("X-Kyu-CSRF", f.csrf())
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"task\": \"kyu.noop\"}")));
        assertThat(none.statusCode()).as(none.body()).isEqualTo(415);
        assertThat(f.kyu.admin().queues()).isEmpty();
        assertThat(f.send(java.net.http.HttpRequest.newBuilder(f.uri("/api/jobs"))
                                .header("Content-Type", "application/json; charset=UTF-8")
                                .header("X-Kyu-CSRF", f.csrf())
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"task\": \"kyu.noop\"}")))
                        .statusCode())
                .isEqualTo(201);
    }

    @Test
    void aQueueNameWithANewlineIsShownWholeAndEscaped() {
        var r = f.post("/api/jobs", "{\"task\": \"kyu.noop\", \"queue\": \"mail\\nX-Injected: 1\"}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(DashboardFixture.json(r.body()).get("error").asText())
                .contains("bad queue name 'mail\\nX-Injected: 1'");
    }

    @Test
    void aJobThatSucceededOnARetryHasNoErrorButKeepsItsHistory() {
        var handle = f.kyu.enqueue(
                "kyu.fail",
                java.util.Map.of("message", "flaky", "times", 1),
                JobOptions.builder()
                        .maxAttempts(2)
                        .backoff(dev.kyu.job.Backoff.fixed(Duration.ZERO))
                        .build());
        f.worker();
        await().atMost(Duration.ofSeconds(10)).until(() -> stateOf(handle.id()) == JobState.SUCCEEDED);
        JsonNode job = f.getJson("/api/jobs/" + handle.id());
        assertThat(job.get("error").isNull()).as(job.toString()).isTrue();
        assertThat(job.get("errors")).hasSize(1);
        assertThat(job.get("errors").get(0).get("message").asText()).isEqualTo("flaky");
    }

    @Test
    void aLoneSurrogateComesBackEscapedNotAsAQuestionMark() {
        var r = f.post("/api/jobs", "{\"task\": \"kyu.echo\", \"args\": {\"s\": \"\\ud800\"}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(r.body()).contains("\\ud800").doesNotContain("?");
        String id = DashboardFixture.json(r.body()).get("id").asText();
        assertThat(f.getJson("/api/jobs/" + id).get("args").get("s").asText()).isEqualTo("\ud800");
    }

    @Test
    void listsJobsByStateQueueTaskAndTextWithPaging() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++)
            ids.add(enqueue("{\"task\": \"kyu.echo\", \"args\": {\"order\": \"A-" + i + "\"}}"));
        enqueue("{\"task\": \"kyu.noop\", \"queue\": \"other\"}");

        assertThat(f.getJson("/api/jobs").get("jobs")).hasSize(6);
        assertThat(f.getJson("/api/jobs?queue=other").get("jobs")).hasSize(1);
        assertThat(f.getJson("/api/jobs?task=kyu.echo&state=QUEUED").get("jobs"))
                .hasSize(5);
        assertThat(f.getJson("/api/jobs?state=failed").get("jobs")).isEmpty();
        JsonNode byText = f.getJson("/api/jobs?text=A-3").get("jobs");
        assertThat(byText).hasSize(1);
        assertThat(byText.get(0).get("id").asText()).isEqualTo(ids.get(3));

        JsonNode page1 = f.getJson("/api/jobs?task=kyu.echo&limit=2");
        assertThat(page1.get("jobs")).hasSize(2);
        assertThat(page1.get("more").asBoolean()).isTrue();
        assertThat(page1.get("jobs").get(0).get("id").asText()).isEqualTo(ids.get(4)); // newest first
        assertThat(page1.get("next").asText()).isEqualTo(ids.get(3));
        JsonNode page3 = f.getJson("/api/jobs?task=kyu.echo&limit=2&offset=4");
        assertThat(page3.get("jobs")).hasSize(1);
        assertThat(page3.get("more").asBoolean()).isFalse();
        assertThat(page3.get("next").isNull()).isTrue();
        assertThat(page3.get("jobs").get(0).get("id").asText()).isEqualTo(ids.get(0));

        var bad = f.get("/api/jobs?state=DONE");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("unknown job state 'DONE'");
        assertThat(f.get("/api/jobs?limit=0").statusCode()).isEqualTo(400);
        var badQueue = f.get("/api/jobs?queue=bad%20q!");
        assertThat(badQueue.statusCode()).isEqualTo(400);
        assertThat(badQueue.body()).contains("bad queue name 'bad q!'");
    }

    @Test
    void aCursorPagesAListingAndKeepsItsFilters() {
        var ids = new ArrayList<String>();
        for (int i = 0; i < 25; i++) {
            ids.add(enqueue("{\"task\": \"kyu.echo\", \"args\": {\"i\": " + i + "}}"));
            enqueue("{\"task\": \"kyu.noop\"}");
        }
        var seen = new ArrayList<String>();
        var cursors = new ArrayList<String>();
        String after = null;
        do {
            JsonNode page = f.getJson("/api/jobs?task=kyu.echo&limit=10" + (after == null ? "" : "&after=" + after));
            assertThat(page.get("after").isNull() ? null : page.get("after").asText())
                    .isEqualTo(after);
            assertThat(page.get("offset").asInt()).isZero();
            page.get("jobs").forEach(j -> seen.add(j.get("id").asText()));
            JsonNode next = page.get("next");
            assertThat(page.get("more").asBoolean()).isEqualTo(!next.isNull());
            after = next.isNull() ? null : next.asText();
            cursors.add(after);
        } while (after != null);
        assertThat(seen).containsExactlyElementsOf(ids.reversed());
        assertThat(cursors).containsExactly(ids.get(15), ids.get(5), null);
        // a cursor in capitals is the same id
        assertThat(f.getJson("/api/jobs?task=kyu.echo&limit=1&after="
                                + ids.get(5).toUpperCase(java.util.Locale.ROOT))
                        .get("jobs")
                        .get(0)
                        .get("id")
                        .asText())
                .isEqualTo(ids.get(4));
        // a full last page says no more: the listing asked for one job past it
        JsonNode exact = f.getJson("/api/jobs?task=kyu.echo&limit=5&after=" + ids.get(5));
        assertThat(exact.get("jobs")).hasSize(5);
        assertThat(exact.get("more").asBoolean()).isFalse();
        assertThat(exact.get("next").isNull()).isTrue();
    }

    @Test
    void aBadCursorOrOneWithAnOffsetIsAOneLine400() {
        String id = enqueue("{\"task\": \"kyu.noop\"}");
        for (String query :
                List.of("after=nope", "after=" + id + "x", "after=" + id + "&offset=0", "offset=5&after=" + id)) {
            var r = f.get("/api/jobs?" + query);
            assertThat(r.statusCode()).as(query).isEqualTo(400);
            String error = DashboardFixture.json(r.body()).get("error").asText();
            assertThat(error).as(query).doesNotContain("\n").contains("after");
        }
        assertThat(DashboardFixture.json(f.get("/api/jobs?after=nope").body())
                        .get("error")
                        .asText())
                .isEqualTo("after must be a job id (a UUID) such as 01890a5d-ac96-774b-bcce-b302099a8057, was 'nope'");
        assertThat(DashboardFixture.json(f.get("/api/jobs?offset=5&after=" + id).body())
                        .get("error")
                        .asText())
                .isEqualTo("page by after (a cursor) or by offset, not both");
        assertThat(f.get("/api/workflows?after=nope").statusCode()).isEqualTo(400);
        assertThat(f.get("/api/workflows?offset=1&after=" + id).statusCode()).isEqualTo(400);
    }

    @Test
    void oneJobShowsEveryAttemptsError() throws Exception {
        var handle = f.kyu.enqueue(
                "kyu.fail",
                java.util.Map.of("message", "card declined"),
                JobOptions.builder().maxAttempts(1).build());
        f.worker();
        await().atMost(Duration.ofSeconds(10)).until(() -> stateOf(handle.id()) == JobState.FAILED);

        JsonNode job = f.getJson("/api/jobs/" + handle.id());
        assertThat(job.get("state").asText()).isEqualTo("FAILED");
        assertThat(job.get("error").get("message").asText()).isEqualTo("card declined");
        assertThat(job.get("errors")).hasSize(1);
        assertThat(job.get("errors").get(0).get("stackTrace").asText()).contains("DeliberateFailure");

        var missing = f.get("/api/jobs/0190aaaa-0000-7000-8000-000000000000");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(DashboardFixture.json(missing.body()).get("error").asText()).contains("no job with id");
    }

    @Test
    void aMalformedJobIdIsBadInputAndTouchesNoJob() {
        var kept = f.kyu.enqueue(
                "kyu.noop", null, JobOptions.builder().queue("held").build());
        for (var r : java.util.List.of(
                f.get("/api/jobs/not-a-uuid"),
                f.post("/api/jobs/not-a-uuid/cancel"),
                f.post("/api/jobs/not-a-uuid/retry"),
                f.post("/api/jobs/not-a-uuid/delete"),
                f.get("/jobs/not-a-uuid"))) {
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains("bad job id", "not-a-uuid");
        }
        assertThat(stateOf(kept.id())).isEqualTo(JobState.QUEUED);
    }

    @Test
    void retryCancelAndDeleteActOnOneJob() {
        var failed = f.kyu.enqueue(
                "kyu.fail",
                java.util.Map.of("times", 1),
                JobOptions.builder().maxAttempts(1).build());
        f.worker();
        await().atMost(Duration.ofSeconds(10)).until(() -> stateOf(failed.id()) == JobState.FAILED);

        var retry = f.post("/api/jobs/" + failed.id() + "/retry");
        assertThat(retry.statusCode()).as(retry.body()).isEqualTo(200);
        assertThat(DashboardFixture.json(retry.body()).get("retried").asBoolean())
                .isTrue();
        // The retried job runs again (its attempt count restarts, so kyu.fail fails it once more).
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        f.kyu.admin().job(failed.id()).orElseThrow().errors().size() == 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> stateOf(failed.id()).isTerminal());

        String later = enqueue("{\"task\": \"kyu.noop\", \"queue\": \"idle\", \"delayMs\": 3600000}");
        var cancel = f.post("/api/jobs/" + later + "/cancel");
        assertThat(cancel.statusCode()).isEqualTo(200);
        assertThat(DashboardFixture.json(cancel.body()).get("result").asText()).isEqualTo("CANCELLED");
        assertThat(stateOf(later)).isEqualTo(JobState.CANCELLED);

        var again = f.post("/api/jobs/" + later + "/cancel");
        assertThat(DashboardFixture.json(again.body()).get("result").asText()).isEqualTo("ALREADY_FINISHED");

        String waiting = enqueue("{\"task\": \"kyu.noop\", \"queue\": \"idle\"}");
        var retryQueued = f.post("/api/jobs/" + waiting + "/retry");
        assertThat(retryQueued.statusCode()).isEqualTo(409);
        assertThat(retryQueued.body()).contains("is QUEUED");

        var delete = f.post("/api/jobs/" + later + "/delete");
        assertThat(delete.statusCode()).isEqualTo(200);
        assertThat(f.kyu.admin().job(later)).isEmpty();
        assertThat(f.post("/api/jobs/" + later + "/delete").statusCode()).isEqualTo(404);
        assertThat(f.post("/api/jobs/" + later + "/cancel").statusCode()).isEqualTo(404);
        assertThat(f.post("/api/jobs/" + later + "/retry").statusCode()).isEqualTo(404);
    }

    @Test
    void retryFailedRetriesEveryFailedJobOfAQueue() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(f.kyu.enqueue(
                            "kyu.fail",
                            java.util.Map.of(),
                            JobOptions.builder().queue("q1").maxAttempts(1).build())
                    .id());
        }
        var w = f.worker("q1");
        await().atMost(Duration.ofSeconds(10)).until(() -> ids.stream().allMatch(id -> stateOf(id) == JobState.FAILED));
        w.close();

        var r = f.post("/api/queues/q1/retry-failed");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(DashboardFixture.json(r.body()).get("retried").asInt()).isEqualTo(3);
        assertThat(ids).allMatch(id -> stateOf(id) == JobState.QUEUED);

        var all = f.post("/api/jobs/retry-failed");
        assertThat(DashboardFixture.json(all.body()).get("retried").asInt()).isZero();
    }

    @Test
    void queuesShowCountsAndOldestAgeAndCanBePausedResumedAndPurged() {
        enqueue("{\"task\": \"kyu.noop\", \"queue\": \"reports\"}");
        enqueue("{\"task\": \"kyu.noop\", \"queue\": \"reports\"}");
        enqueue("{\"task\": \"kyu.noop\", \"queue\": \"reports\", \"delayMs\": 3600000}");

        JsonNode queues = f.getJson("/api/queues");
        assertThat(queues).hasSize(1);
        JsonNode q = queues.get(0);
        assertThat(q.get("queue").asText()).isEqualTo("reports");
        assertThat(q.get("paused").asBoolean()).isFalse();
        assertThat(q.get("counts").get("QUEUED").asLong()).isEqualTo(2);
        assertThat(q.get("counts").get("SCHEDULED").asLong()).isEqualTo(1);
        assertThat(q.get("counts").get("FAILED").asLong()).isZero();
        assertThat(q.get("oldestQueuedAt").isTextual()).isTrue();
        assertThat(q.get("oldestAgeMs").asLong()).isGreaterThanOrEqualTo(0);

        assertThat(f.post("/api/queues/reports/pause").statusCode()).isEqualTo(200);
        assertThat(f.getJson("/api/queues").get(0).get("paused").asBoolean()).isTrue();
        assertThat(f.post("/api/queues/reports/resume").statusCode()).isEqualTo(200);
        assertThat(f.getJson("/api/queues").get(0).get("paused").asBoolean()).isFalse();

        var purge = f.post("/api/queues/reports/purge");
        assertThat(DashboardFixture.json(purge.body()).get("purged").asInt()).isEqualTo(3);
        assertThat(f.kyu.admin().jobs(dev.kyu.spi.JobQuery.all(10))).isEmpty();

        var badName = f.post("/api/queues/bad%20name/pause");
        assertThat(badName.statusCode()).isEqualTo(400);
        assertThat(badName.body()).contains("bad queue name 'bad name'");
    }

    @Test
    void workersStatsAndOverviewReflectWorkDone() {
        f.worker("default");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) ids.add(enqueue("{\"task\": \"kyu.echo\", \"args\": " + i + "}"));
        ids.add(enqueue("{\"task\": \"kyu.fail\", \"maxAttempts\": 1}"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> ids.stream().allMatch(id -> stateOf(id).isTerminal()));

        JsonNode workers = f.getJson("/api/workers");
        assertThat(workers).hasSize(1);
        JsonNode w = workers.get(0);
        assertThat(w.get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
        assertThat(w.get("queues").get(0).asText()).isEqualTo("default");
        assertThat(w.get("concurrency").asInt()).isEqualTo(4);
        assertThat(w.has("heartbeatAgeMs")).isTrue();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode stats = f.getJson("/api/stats?minutes=60");
            assertThat(stats.get("processed").asLong()).isEqualTo(5);
            assertThat(stats.get("failed").asLong()).isEqualTo(1);
        });
        assertThat(f.getJson("/api/stats?queue=default&minutes=5")
                        .get("processed")
                        .asLong())
                .isEqualTo(5);
        assertThat(f.getJson("/api/stats?queue=nothing").get("processed").asLong())
                .isZero();
        assertThat(f.get("/api/stats?minutes=99999").statusCode()).isEqualTo(400);

        JsonNode overview = f.getJson("/api/overview");
        assertThat(overview.get("totals").get("SUCCEEDED").asLong()).isEqualTo(4);
        assertThat(overview.get("totals").get("FAILED").asLong()).isEqualTo(1);
        assertThat(overview.get("workers").get("count").asInt()).isEqualTo(1);
        assertThat(overview.get("broker").asText()).startsWith("memory:");
    }

    @Test
    void schedulesAnswerEvenWhenNoneAreConfigured() {
        assertThat(f.getJson("/api/schedules")).isEmpty();
        assertThat(f.post("/api/schedules/nightly/run").statusCode()).isEqualTo(404);
        assertThat(f.post("/api/schedules/nightly/pause").statusCode()).isEqualTo(404);
    }

    @Test
    void unknownPathsAndMethodsAnswerInJson() {
        var r = f.get("/api/nothing");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(DashboardFixture.json(r.body()).get("error").asText()).contains("/api/nothing");
        var m = f.get("/api/jobs/x/retry");
        assertThat(m.statusCode()).isEqualTo(405);
        // A POST without a CSRF token to a path that only reads is a wrong method, not a forbidden action.
        var post = f.send(java.net.http.HttpRequest.newBuilder(f.uri("/api/overview"))
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()));
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(DashboardFixture.json(post.body()).get("error").asText())
                .contains("method POST not allowed on /api/overview");
    }
}
