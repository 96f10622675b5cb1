package dev.kyu.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kyu.KyuException;
import dev.kyu.dashboard.http.BasePath;
import dev.kyu.job.JobOptions;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The dashboard served under {@code /kyu}: its pages, links, API, redirects and CSRF cookie all stay under it. */
class BasePathTest {
    private static final Pattern URL_ATTRIBUTE = Pattern.compile("\\s(?:href|src|action)=\"([^\"]*)\"");
    private static final String[] PAGES = {
        "/kyu/", "/kyu", "/kyu/queues", "/kyu/jobs", "/kyu/jobs?state=FAILED", "/kyu/workers", "/kyu/schedules"
    };

    private static List<String> urls(String html) {
        var out = new ArrayList<String>();
        var m = URL_ATTRIBUTE.matcher(html);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    @Test
    void everyPageAnswersUnderTheBaseAndLinksOnlyUnderIt() {
        try (var f = new DashboardFixture(o -> o.basePath("/kyu"))) {
            var failed = f.kyu.enqueue(
                    "kyu.fail",
                    Map.of("message", "boom"),
                    JobOptions.builder().maxAttempts(1).build());
            f.worker();
            org.awaitility.Awaitility.await()
                    .until(() -> f.kyu.handle(failed.id()).status() == dev.kyu.job.JobState.FAILED);
            assertThat(f.dashboard.url()).endsWith("/kyu/");

            var pages = new ArrayList<>(List.of(PAGES));
            pages.add("/kyu/jobs/" + failed.id());
            for (String page : pages) {
                var r = f.get(page);
                assertThat(r.statusCode()).as(page).isEqualTo(200);
                assertThat(r.body()).as(page).contains("<body data-base=\"/kyu\"");
                List<String> local =
                        urls(r.body()).stream().filter(u -> u.startsWith("/")).toList();
                assertThat(local)
                        .as(page)
                        .isNotEmpty()
                        .allSatisfy(u -> assertThat(u).startsWith("/kyu/"));
            }
            var overview = f.get("/kyu/").body();
            assertThat(urls(overview))
                    .contains("/kyu/static/app.css", "/kyu/static/app.js", "/kyu/jobs", "/kyu/queues", "/kyu/");
            // The chart's API path stays root-relative in the page: the script puts it under data-base.
            assertThat(overview).contains("data-stats=\"/api/stats\"");
            assertThat(f.get("/kyu/static/app.js").body())
                    .contains("getAttribute('data-base')", "url(canvas.getAttribute('data-stats'))");
            var job = f.get("/kyu/jobs/" + failed.id()).body();
            assertThat(urls(job)).contains("/kyu/api/jobs/" + failed.id() + "/retry");
        }
    }

    @Test
    void theApiAndStaticFilesAnswerUnderTheBaseAndNothingAnswersOutsideIt() {
        try (var f = new DashboardFixture(o -> o.basePath("/kyu/"))) {
            f.kyu.enqueue("kyu.noop", null, JobOptions.NONE);
            assertThat(f.getJson("/kyu/api/queues").toString()).contains("\"default\"");
            assertThat(f.get("/kyu/api/stats?minutes=5").statusCode()).isEqualTo(200);
            assertThat(f.get("/kyu/metrics").body()).contains("kyu_");
            assertThat(f.get("/kyu/static/app.js").statusCode()).isEqualTo(200);
            for (String outside : new String[] {"/", "/jobs", "/api/queues", "/kyux", "/kyux/jobs", "/static/app.js"}) {
                assertThat(f.get(outside).statusCode()).as(outside).isEqualTo(404);
            }
            // Errors under the base's /api are JSON, as at the root.
            var bad = f.get("/kyu/api/jobs/no-such-job");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).startsWith("{").contains("\"status\":400");
        }
    }

    @Test
    void formActionsNeedTheCsrfTokenAndRedirectUnderTheBase() {
        try (var f = new DashboardFixture(o -> o.basePath("/kyu"))) {
            var queued = f.kyu.enqueue(
                    "kyu.noop",
                    null,
                    JobOptions.builder().delay(java.time.Duration.ofHours(1)).build());
            var page = f.get("/kyu/jobs/" + queued.id());
            assertThat(page.headers().allValues("Set-Cookie"))
                    .singleElement()
                    .asString()
                    .contains("kyu_csrf=", "Path=/kyu;");
            var token =
                    Pattern.compile("name=\"kyu-csrf\" content=\"([^\"]+)\"").matcher(page.body());
            assertThat(token.find()).isTrue();
            String action = "/kyu/api/jobs/" + queued.id() + "/cancel";

            var without = f.send(HttpRequest.newBuilder(f.uri(action))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("next=%2Fjobs")));
            assertThat(without.statusCode()).isEqualTo(403);
            assertThat(f.kyu.handle(queued.id()).status()).isNotEqualTo(dev.kyu.job.JobState.CANCELLED);

            String form = "_csrf=" + URLEncoder.encode(token.group(1), StandardCharsets.UTF_8) + "&next="
                    + URLEncoder.encode("/jobs?state=CANCELLED", StandardCharsets.UTF_8);
            var with = f.send(HttpRequest.newBuilder(f.uri(action))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)));
            assertThat(with.statusCode()).isEqualTo(303);
            assertThat(with.headers().firstValue("Location")).hasValue("/kyu/jobs?state=CANCELLED");
            assertThat(f.kyu.handle(queued.id()).status()).isEqualTo(dev.kyu.job.JobState.CANCELLED);
        }
    }

    @Test
    void theRewriteMovesOnlyLocalUrls() {
        String html =
                "<html><body class=\"x\"><a href=\"/jobs\">/jobs</a><a href='/q'>q</a><a href=\"//cdn.example/x\">c</a>"
                        + "<a href=\"https://example.com/\">e</a><a href=\"#top\">t</a><img src=\"/static/a.png\"><form action=\"/api/x\" method=\"post\">"
                        + "<button formaction=\"/api/y\">b</button><input name=\"next\" value=\"/jobs\"></form></body></html>";
        assertThat(BasePath.rewrite(html, "/kyu"))
                .isEqualTo("<html><body data-base=\"/kyu\" class=\"x\"><a href=\"/kyu/jobs\">/jobs</a>"
                        + "<a href='/kyu/q'>q</a><a href=\"//cdn.example/x\">c</a><a href=\"https://example.com/\">e</a><a href=\"#top\">t</a>"
                        + "<img src=\"/kyu/static/a.png\"><form action=\"/kyu/api/x\" method=\"post\"><button formaction=\"/kyu/api/y\">b</button>"
                        + "<input name=\"next\" value=\"/jobs\"></form></body></html>");
        assertThat(BasePath.rewrite(html, "")).isEqualTo(html);
        assertThat(BasePath.url("/kyu", "/jobs")).isEqualTo("/kyu/jobs");
        assertThat(BasePath.url("/kyu", "//evil.example/")).isEqualTo("//evil.example/");
    }

    @Test
    void aBadBasePathIsRefusedInOneLine() {
        assertThat(DashboardOptions.builder().build().basePath()).isEmpty();
        assertThat(DashboardOptions.builder().basePath("/").build().basePath()).isEmpty();
        assertThat(DashboardOptions.builder().basePath("/ops/kyu/").build().basePath())
                .isEqualTo("/ops/kyu");
        for (String bad : new String[] {"kyu", "/kyu//x", "/../x", "/kyu/..", "/a b", "/kyu?x=1", "/\"><script>"}) {
            assertThatThrownBy(() -> DashboardOptions.builder().basePath(bad).build())
                    .as(bad)
                    .isInstanceOf(KyuException.InvalidInput.class)
                    .hasMessageContaining("bad dashboard base path")
                    .hasMessageNotContaining("\n");
        }
    }
}
