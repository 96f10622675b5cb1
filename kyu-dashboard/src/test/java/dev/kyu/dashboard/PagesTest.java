package dev.kyu.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kyu.dashboard.schedule.ScheduleSource;
import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The server-rendered pages: what each shows, live partial updates, and the actions they offer. */
class PagesTest {
    private final DashboardFixture f = new DashboardFixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void everyPageRendersWithNavigationAndItsContent() {
        var failed = f.kyu.enqueue(
                "kyu.fail",
                Map.of("message", "boom"),
                JobOptions.builder().queue("mail").maxAttempts(1).build());
        f.worker("mail", "default");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> f.kyu.admin().job(failed.id()).orElseThrow().state() == JobState.FAILED);

        String overview = f.get("/").body();
        assertThat(overview)
                .contains(
                        "<h1>Overview</h1>",
                        "href=\"/queues\"",
                        "canvas id=\"chart-main\"",
                        "data-stats=\"/api/stats\"",
                        "<script src=\"/static/app.js\" defer></script>",
                        "mail");
        assertThat(f.get("/queues").body())
                .contains("<td><a href=\"/jobs?queue=mail\">mail</a></td>", "Pause", "Purge", "Retry failed");
        String workers = f.get("/workers").body();
        assertThat(workers).contains(String.valueOf(ProcessHandle.current().pid()), "mail, default");
        assertThat(f.get("/schedules").body()).contains("No schedules");

        String jobs = f.get("/jobs?state=FAILED").body();
        assertThat(jobs).contains(failed.id(), "kyu.fail", "boom", "Retry all failed");
        String job = f.get("/jobs/" + failed.id()).body();
        assertThat(job)
                .contains(
                        "DeliberateFailure",
                        "boom",
                        "Attempt 1",
                        "enqueued",
                        "failed",
                        "/api/jobs/" + failed.id() + "/retry",
                        "/api/jobs/" + failed.id() + "/delete",
                        "<pre class=\"stack\">");
        assertThat(job).doesNotContain("/cancel\"");

        assertThat(f.get("/jobs/0190aaaa-0000-7000-8000-000000000000").statusCode())
                .isEqualTo(404);
        assertThat(f.get("/jobs/nope").statusCode()).isEqualTo(400);
        assertThat(f.get("/static/app.js").headers().firstValue("Content-Type"))
                .get()
                .asString()
                .startsWith("text/javascript");
        assertThat(f.get("/static/../pom.xml").statusCode()).isEqualTo(404);
    }

    @Test
    void controlsAndLoneSurrogatesInAJobAreShownEscaped() {
        var failed = f.kyu.enqueue(
                "kyu.fail",
                Map.of("message", "x\u001b[2J \ud800 <b>"),
                JobOptions.builder().maxAttempts(1).build());
        f.worker();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> f.kyu.admin().job(failed.id()).orElseThrow().state() == JobState.FAILED);
        for (String page :
                List.of(f.get("/jobs/" + failed.id()).body(), f.get("/jobs").body())) {
            int esc = page.indexOf('\u001b');
            assertThat(esc)
                    .as(
                            "a raw ESC near: %s",
                            esc < 0
                                    ? ""
                                    : page.substring(Math.max(0, esc - 80), Math.min(page.length(), esc + 20))
                                            .replace('\u001b', '#'))
                    .isNegative();
            assertThat(page).contains("x\\u001b[2J \\ud800 &lt;b&gt;");
        }
    }

    @Test
    void aPartialRequestReturnsOnlyTheMainContent() {
        f.kyu.enqueue("kyu.noop", null, JobOptions.NONE);
        String partial = f.get("/jobs", "X-Kyu-Partial", "1").body();
        assertThat(partial).startsWith("<h1>Jobs</h1>").doesNotContain("<html").contains("kyu.noop");
    }

    @Test
    void jobsPageFiltersAndPages() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++)
            ids.add(f.kyu.enqueue("kyu.echo", Map.of("i", i), JobOptions.NONE).id());
        String page = f.get("/jobs?limit=2").body();
        assertThat(page)
                .contains(ids.get(4), ids.get(3))
                .doesNotContain(ids.get(2))
                .contains("older →", "/jobs?after=" + ids.get(3) + "&amp;limit=2");
        String last = f.get("/jobs?limit=2&offset=4").body();
        assertThat(last).contains(ids.get(0)).contains("← newer").doesNotContain("older →");
        assertThat(f.get("/jobs?state=RUNNING").body()).contains("No jobs match");
        assertThat(f.get("/jobs?state=bogus").statusCode()).isEqualTo(400);
    }

    @Test
    void theOlderLinksWalkAListingByCursorKeepingItsFilters() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            ids.add(f.kyu.enqueue(
                            "kyu.echo",
                            Map.of("i", i),
                            JobOptions.builder().queue("paged").build())
                    .id());
            f.kyu.enqueue("kyu.noop", null, JobOptions.builder().queue("paged").build()); // another task: filtered out
        }
        String first = "/jobs?limit=10&queue=paged&task=kyu.echo";
        var seen = new ArrayList<String>();
        var pages = new ArrayList<String>();
        for (String link = first; link != null; ) {
            var r = f.get(link);
            assertThat(r.statusCode()).as(link).isEqualTo(200);
            String page = r.body();
            pages.add(page);
            seen.addAll(rowIds(page));
            var older = java.util.regex.Pattern.compile("<a href=\"([^\"]+)\">older →</a>")
                    .matcher(page);
            link = older.find() ? older.group(1).replace("&amp;", "&") : null;
        }
        assertThat(seen).containsExactlyElementsOf(ids.reversed());
        assertThat(pages).hasSize(3);
        assertThat(pages.get(0))
                .contains(
                        "<span>1–10</span>",
                        "/jobs?after=" + ids.get(15) + "&amp;limit=10&amp;queue=paged&amp;task=kyu.echo")
                .doesNotContain("← newe");
        // from a cursor page the way back is the first page
        assertThat(pages.get(1))
                .contains(
                        "<a href=\"/jobs?limit=10&amp;queue=paged&amp;task=kyu.echo\">← newest</a>",
                        "10 older than",
                        "title=\"" + ids.get(15) + "\"");
        assertThat(pages.get(2)).contains("← newest", "5 older than").doesNotContain("older →");
    }

    @Test
    void aBadCursorOrACursorWithAnOffsetIsRefused() {
        String id = f.kyu.enqueue("kyu.noop", null, JobOptions.NONE).id();
        var bad = f.get("/jobs?after=%3Cscript%3E");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("after must be a job id");
        assertThat(bad.headers().firstValue("Content-Type"))
                .get()
                .asString()
                .startsWith("text/plain"); // the text is not markup
        assertThat(f.get("/jobs?after=" + id + "&offset=10").statusCode()).isEqualTo(400);
        assertThat(f.get("/workflows?after=nope").statusCode()).isEqualTo(400);
        assertThat(f.get("/jobs?after=" + id.toUpperCase(java.util.Locale.ROOT)).body())
                .contains("0 older than");
    }

    /** The job ids of a jobs page's rows, in order. */
    private static List<String> rowIds(String page) {
        var m = java.util.regex.Pattern.compile("<tr data-job=\"([^\"]+)\">").matcher(page);
        var out = new ArrayList<String>();
        while (m.find()) out.add(m.group(1));
        return out;
    }

    @Test
    void aFormPostFromThePageRetriesAndComesBack() {
        var failed = f.kyu.enqueue(
                "kyu.fail",
                Map.of(),
                JobOptions.builder().queue("solo").maxAttempts(1).build());
        var w = f.worker("solo");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> f.kyu.admin().job(failed.id()).orElseThrow().state() == JobState.FAILED);
        w.close();
        String page = f.get("/jobs/" + failed.id()).body();
        String token = page.replaceAll("(?s).*<meta name=\"kyu-csrf\" content=\"([^\"]+)\">.*", "$1");
        var r = f.send(java.net.http.HttpRequest.newBuilder(f.uri("/api/jobs/" + failed.id() + "/retry"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "_csrf=" + token + "&next=/jobs/" + failed.id())));
        assertThat(r.statusCode()).isEqualTo(303);
        assertThat(r.headers().firstValue("Location")).contains("/jobs/" + failed.id());
        assertThat(f.kyu.admin().job(failed.id()).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    }

    @Test
    void schedulesFromASourceAreListedAndActedOn() {
        var source = new ScheduleSource() {
            boolean paused;
            int runs;

            public boolean available() {
                return true;
            }

            public List<ScheduleView> list() {
                return List.of(new ScheduleView(
                        "nightly",
                        "report.build",
                        "reports",
                        "0 3 * * *",
                        "Europe/Berlin",
                        paused,
                        Instant.parse("2026-01-01T02:00:00Z"),
                        Instant.parse("2026-01-02T02:00:00Z")));
            }

            public boolean pause(String name) {
                if (!name.equals("nightly")) return false;
                paused = true;
                return true;
            }

            public boolean resume(String name) {
                if (!name.equals("nightly")) return false;
                paused = false;
                return true;
            }

            public String runNow(String name) {
                if (!name.equals("nightly")) return null;
                runs++;
                return "job-" + runs;
            }
        };
        try (var http = new DashboardFixture(o -> o, source)) {
            var list = http.getJson("/api/schedules");
            assertThat(list).hasSize(1);
            assertThat(list.get(0).get("cron").asText()).isEqualTo("0 3 * * *");
            assertThat(list.get(0).get("zone").asText()).isEqualTo("Europe/Berlin");
            assertThat(list.get(0).get("nextFire").asText()).isEqualTo("2026-01-02T02:00:00Z");
            assertThat(http.post("/api/schedules/nightly/pause").statusCode()).isEqualTo(200);
            assertThat(source.paused).isTrue();
            assertThat(http.get("/schedules").body()).contains("nightly", "0 3 * * *", "paused", "Resume", "Run now");
            assertThat(http.post("/api/schedules/nightly/resume").statusCode()).isEqualTo(200);
            assertThat(source.paused).isFalse();
            var run = http.post("/api/schedules/nightly/run");
            assertThat(DashboardFixture.json(run.body()).get("id").asText()).isEqualTo("job-1");
            assertThat(http.post("/api/schedules/other/run").statusCode()).isEqualTo(404);
        }
    }
}
