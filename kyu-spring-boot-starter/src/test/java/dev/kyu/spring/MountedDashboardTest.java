package dev.kyu.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kyu.Kyu;
import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.core.env.Environment;

/** The dashboard mounted in the application's own server (Tomcat), under its context path and kyu.dashboard.path. */
@SpringBootTest(
        classes = TestApp.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.datasource.url=jdbc:sqlite:target/spring-mounted-test.db?transaction_mode=IMMEDIATE",
            "kyu.data-source.enabled=true",
            "kyu.worker.fetch-wait=100ms",
            "server.servlet.context-path=/shop",
            "kyu.dashboard.enabled=true",
            "kyu.dashboard.path=/kyu/"
        })
class MountedDashboardTest {
    private static final Pattern LOCAL_URL = Pattern.compile("\\s(?:href|src|action)=\"(/[^\"]*)\"");

    @Autowired
    Environment env;

    @Autowired
    ApplicationContext context;

    @Autowired
    Kyu kyu;

    private final HttpClient http = HttpClient.newBuilder()
            .cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + env.getProperty("local.server.port") + path);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)));
    }

    @Test
    void theDashboardAnswersOnTheApplicationsPortUnderItsPath() throws Exception {
        assertThat(context.getBeansOfType(KyuDashboard.class))
                .as("no port of its own")
                .isEmpty();
        var page = get("/shop/kyu/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(c -> assertThat(c).contains("default-src 'self'"));
        assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(page.body()).contains("<body data-base=\"/shop/kyu\"");
        var links =
                LOCAL_URL.matcher(page.body()).results().map(m -> m.group(1)).toList();
        assertThat(links)
                .contains("/shop/kyu/jobs", "/shop/kyu/static/app.js")
                .allSatisfy(l -> assertThat(l).startsWith("/shop/kyu/"));

        assertThat(get("/shop/kyu").statusCode()).isEqualTo(200);
        assertThat(get("/shop/kyu/jobs").statusCode()).isEqualTo(200);
        assertThat(get("/shop/kyu/static/app.js").body()).contains("data-base");
        var queues = get("/shop/kyu/api/queues");
        assertThat(queues.statusCode()).isEqualTo(200);
        assertThat(queues.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(get("/shop/kyu/api/no-such-thing").statusCode()).isEqualTo(404);
    }

    @Test
    void itsActionsStillNeedTheCsrfToken() throws Exception {
        var job = kyu.enqueue(
                "kyu.noop",
                null,
                JobOptions.builder().delay(Duration.ofHours(1)).build());
        String cancel = "/shop/kyu/api/jobs/" + job.id() + "/cancel";

        var csrf = get("/shop/kyu/api/csrf");
        assertThat(csrf.headers().allValues("Set-Cookie"))
                .anySatisfy(c -> assertThat(c).contains("kyu_csrf=").contains("Path=/shop/kyu"));
        String token = TestJson.read(csrf.body()).get("token").asText();

        var without = send(HttpRequest.newBuilder(uri(cancel))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(without.statusCode()).isEqualTo(403);
        assertThat(without.body()).contains("CSRF");
        var wrong = send(HttpRequest.newBuilder(uri(cancel))
                .header("X-Kyu-CSRF", "not-the-token-at-all-000")
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(kyu.handle(job.id()).status()).isNotEqualTo(JobState.CANCELLED);

        var with = send(HttpRequest.newBuilder(uri(cancel))
                .header("X-Kyu-CSRF", token)
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(with.statusCode()).isEqualTo(200);
        JsonNode result = TestJson.read(with.body());
        assertThat(result.get("result").asText()).isEqualTo("CANCELLED");
        assertThat(kyu.handle(job.id()).status()).isEqualTo(JobState.CANCELLED);

        // A form post from a page is sent back to the page, under the mount.
        var queued = kyu.enqueue(
                "kyu.noop",
                null,
                JobOptions.builder().delay(Duration.ofHours(1)).build());
        var form = send(HttpRequest.newBuilder(uri("/shop/kyu/api/jobs/" + queued.id() + "/cancel"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("_csrf=" + token + "&next=%2Fjobs")));
        assertThat(form.statusCode()).isEqualTo(303);
        assertThat(form.headers().firstValue("Location")).hasValue("/shop/kyu/jobs");
    }
}
