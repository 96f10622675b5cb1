package dev.kyu.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kyu.Kyu;
import dev.kyu.KyuException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The security defaults of docs/dashboard.md, checked over real HTTP. */
class SecurityTest {
    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aNonLoopbackBindWithoutCredentialsIsRefusedAtStart() {
        try (Kyu kyu = Kyu.connect("memory:")) {
            assertThatThrownBy(() -> Dashboard.start(
                            kyu,
                            DashboardOptions.builder().port(0).bind("0.0.0.0").build()))
                    .isInstanceOf(KyuException.InvalidInput.class)
                    .hasMessageContaining("non-loopback address 0.0.0.0 without credentials");
            try (Dashboard d = Dashboard.start(
                    kyu,
                    DashboardOptions.builder()
                            .port(0)
                            .bind("0.0.0.0")
                            .token("s3cret-token")
                            .build())) {
                assertThat(d.port()).isPositive();
            }
        }
    }

    @Test
    void aBusyPortIsAOneLineError() {
        try (var f = new DashboardFixture()) {
            assertThatThrownBy(() -> Dashboard.start(
                            f.kyu,
                            DashboardOptions.builder().port(f.dashboard.port()).build()))
                    .isInstanceOf(KyuException.InvalidInput.class)
                    .hasMessageContaining("cannot listen on 127.0.0.1:" + f.dashboard.port());
        }
    }

    @Test
    void theDefaultBindIsLoopback() {
        assertThat(DashboardOptions.defaults().bind()).isEqualTo("127.0.0.1");
        assertThat(DashboardOptions.defaults().port()).isEqualTo(5555);
        try (var f = new DashboardFixture()) {
            assertThat(f.dashboard.url()).startsWith("http://127.0.0.1:");
        }
    }

    @Test
    void badOptionsAreRefusedWithOneLine() {
        assertThatThrownBy(() -> DashboardOptions.builder().port(70000).build()).hasMessageContaining("70000");
        assertThatThrownBy(
                        () -> DashboardOptions.builder().basicAuth("ada", null).build())
                .hasMessageContaining("go together");
        assertThatThrownBy(() -> DashboardOptions.builder().token("short").build())
                .hasMessageContaining("at least 8");
        assertThat(DashboardOptions.builder()
                        .basicAuth("ada", "hunter22")
                        .token("tok-123456")
                        .build()
                        .toString())
                .doesNotContain("hunter22")
                .doesNotContain("tok-123456");
    }

    @Test
    void withBasicAuthEveryPathNeedsTheRightCredentials() {
        try (var f = new DashboardFixture(o -> o.basicAuth("ada", "lovelace"))) {
            for (String path : new String[] {"/", "/jobs", "/api/queues", "/metrics", "/static/app.js"}) {
                var r = f.get(path);
                assertThat(r.statusCode()).as(path).isEqualTo(401);
                assertThat(r.headers().firstValue("WWW-Authenticate"))
                        .get()
                        .asString()
                        .startsWith("Basic");
            }
            assertThat(f.get("/api/queues", "Authorization", basic("ada", "wrong"))
                            .statusCode())
                    .isEqualTo(401);
            assertThat(f.get("/api/queues", "Authorization", basic("eve", "lovelace"))
                            .statusCode())
                    .isEqualTo(401);
            assertThat(f.get("/api/queues", "Authorization", basic("ada", "lovelace"))
                            .statusCode())
                    .isEqualTo(200);
            assertThat(f.get("/", "Authorization", basic("ada", "lovelace")).statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void withATokenBearerAndBasicPasswordBothWork() {
        try (var f = new DashboardFixture(o -> o.token("tok-0123456789"))) {
            assertThat(f.get("/api/queues").statusCode()).isEqualTo(401);
            assertThat(f.get("/api/queues", "Authorization", "Bearer wrong-token")
                            .statusCode())
                    .isEqualTo(401);
            assertThat(f.get("/api/queues", "Authorization", "Bearer tok-0123456789")
                            .statusCode())
                    .isEqualTo(200);
            assertThat(f.get("/api/queues", "Authorization", basic("anyone", "tok-0123456789"))
                            .statusCode())
                    .isEqualTo(200);

            // An API client with credentials and a JSON body may leave out the CSRF token ...
            var enqueue = f.send(HttpRequest.newBuilder(f.uri("/api/jobs"))
                    .header("Authorization", "Bearer tok-0123456789")
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"task\": \"kyu.noop\"}")));
            assertThat(enqueue.statusCode()).as(enqueue.body()).isEqualTo(201);
            // ... but not when it sends a body a cross-site form could send (browsers attach cached credentials).
            var form = f.send(HttpRequest.newBuilder(f.uri("/api/queues/default/purge"))
                    .header("Authorization", "Bearer tok-0123456789")
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("next=/")));
            assertThat(form.statusCode()).isEqualTo(403);
            // ... nor without a Content-Type: a cross-site fetch() or sendBeacon() with no body sends none,
            // and browsers attach cached Basic credentials to it.
            for (String auth : new String[] {"Bearer tok-0123456789", basic("anyone", "tok-0123456789")}) {
                var bare = f.send(HttpRequest.newBuilder(f.uri("/api/queues/default/purge"))
                        .header("Authorization", auth)
                        .POST(HttpRequest.BodyPublishers.noBody()));
                assertThat(bare.statusCode()).as(bare.body()).isEqualTo(403);
                assertThat(bare.body()).contains("CSRF token");
                var plain = f.send(HttpRequest.newBuilder(f.uri("/api/jobs"))
                        .header("Authorization", auth)
                        .header("Content-Type", "text/plain")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"task\": \"kyu.noop\"}")));
                assertThat(plain.statusCode()).as(plain.body()).isEqualTo(403);
            }
            // a body-less action from a script names its body JSON and needs no token
            var action = f.send(HttpRequest.newBuilder(f.uri("/api/queues/default/pause"))
                    .header("Authorization", "Bearer tok-0123456789")
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.noBody()));
            assertThat(action.statusCode()).as(action.body()).isEqualTo(200);
            // ... nor from a foreign Origin.
            var foreign = f.send(HttpRequest.newBuilder(f.uri("/api/jobs"))
                    .header("Authorization", "Bearer tok-0123456789")
                    .header("Content-Type", "application/json")
                    .header("Origin", "http://evil.example")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"task\": \"kyu.noop\"}")));
            assertThat(foreign.statusCode()).isEqualTo(403);
            assertThat(foreign.body()).contains("cross-origin");
            assertThat(f.kyu.admin().queues().get(0).count(dev.kyu.job.JobState.QUEUED))
                    .isEqualTo(1);
        }
    }

    @Test
    void postsWithoutTheCsrfTokenOrFromAnotherOriginAreRefused() {
        try (var f = new DashboardFixture()) {
            String body = "{\"task\": \"kyu.noop\"}";
            var noToken = f.send(HttpRequest.newBuilder(f.uri("/api/jobs"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)));
            assertThat(noToken.statusCode()).isEqualTo(403);
            assertThat(noToken.body()).contains("CSRF token");

            String token = f.csrf();
            var wrongToken = f.send(HttpRequest.newBuilder(f.uri("/api/jobs"))
                    .header("Content-Type", "application/json")
                    .header("X-Kyu-CSRF", token + "x")
                    .POST(HttpRequest.BodyPublishers.ofString(body)));
            assertThat(wrongToken.statusCode()).isEqualTo(403);

            var crossOrigin = f.send(HttpRequest.newBuilder(f.uri("/api/jobs"))
                    .header("Content-Type", "application/json")
                    .header("X-Kyu-CSRF", token)
                    .header("Origin", "http://evil.example")
                    .POST(HttpRequest.BodyPublishers.ofString(body)));
            assertThat(crossOrigin.statusCode()).isEqualTo(403);
            var crossReferer = f.send(HttpRequest.newBuilder(f.uri("/api/jobs"))
                    .header("Content-Type", "application/json")
                    .header("X-Kyu-CSRF", token)
                    .header("Referer", "http://evil.example/page")
                    .POST(HttpRequest.BodyPublishers.ofString(body)));
            assertThat(crossReferer.statusCode()).isEqualTo(403);
            assertThat(f.kyu.admin().queues()).isEmpty();

            String host = f.uri("/").getRawAuthority();
            var sameOrigin = f.send(HttpRequest.newBuilder(f.uri("/api/jobs"))
                    .header("Content-Type", "application/json")
                    .header("X-Kyu-CSRF", token)
                    .header("Origin", "http://" + host)
                    .POST(HttpRequest.BodyPublishers.ofString(body)));
            assertThat(sameOrigin.statusCode()).isEqualTo(201);

            // A browser form post: the token in the hidden field, answered by a redirect to the page.
            var form = f.send(HttpRequest.newBuilder(f.uri("/api/queues/default/pause"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Origin", "http://" + host)
                    .POST(HttpRequest.BodyPublishers.ofString("_csrf=" + token + "&next=/queues")));
            assertThat(form.statusCode()).isEqualTo(303);
            assertThat(form.headers().firstValue("Location")).contains("/queues");
            assertThat(f.kyu.admin().queues().get(0).paused()).isTrue();

            var openRedirect = f.send(HttpRequest.newBuilder(f.uri("/api/queues/default/resume"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("_csrf=" + token + "&next=//evil.example/")));
            assertThat(openRedirect.headers().firstValue("Location")).contains("/");
        }
    }

    @Test
    void theCsrfCookieIsHttpOnlyAndStrict() {
        try (var f = new DashboardFixture()) {
            var r = f.get("/");
            String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
            assertThat(cookie).startsWith("kyu_csrf=").contains("HttpOnly").contains("SameSite=Strict");
            String token = cookie.substring("kyu_csrf=".length(), cookie.indexOf(';'));
            assertThat(r.body()).contains("<meta name=\"kyu-csrf\" content=\"" + token + "\">");
        }
    }

    @Test
    void everyResponseCarriesAStrictContentSecurityPolicy() {
        try (var f = new DashboardFixture()) {
            for (String path : new String[] {"/", "/api/queues", "/nothing", "/static/app.css"}) {
                var r = f.get(path);
                assertThat(r.headers().firstValue("Content-Security-Policy"))
                        .as(path)
                        .get()
                        .asString()
                        .contains("default-src 'self'")
                        .contains("script-src 'self'")
                        .doesNotContain("unsafe-inline");
                assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
                assertThat(r.headers().firstValue("X-Frame-Options")).contains("DENY");
            }
            String page = f.get("/").body();
            assertThat(page).doesNotContainPattern("<script>|<script [^>]*>[^<]+</script>|\\son[a-z]+=|style=");
        }
    }

    @Test
    void anXssPayloadInJobArgsIsShownAsText() {
        try (var f = new DashboardFixture()) {
            String payload = "<script>alert('xss')</script><img src=x onerror=alert(1)>";
            var r = f.post(
                    "/api/jobs",
                    "{\"task\": \"kyu.echo\", \"args\": {\"name\": \"" + payload.replace("\"", "\\\"") + "\"}}");
            String id = DashboardFixture.json(r.body()).get("id").asText();

            for (String path : new String[] {
                "/jobs/" + id, "/jobs", "/jobs?text=" + java.net.URLEncoder.encode(payload, StandardCharsets.UTF_8)
            }) {
                String html = f.get(path).body();
                assertThat(html).as(path).doesNotContain("<script>alert").doesNotContain("<img src=x");
                assertThat(html)
                        .as(path)
                        .contains(
                                "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;");
            }
        }
    }

    @Test
    void readOnlyHidesEveryActionAndRefusesPosts() throws Exception {
        try (var f = new DashboardFixture(o -> o.readOnly(true))) {
            var id =
                    f.kyu.enqueue("kyu.noop", null, dev.kyu.job.JobOptions.NONE).id();
            f.kyu.admin().cancel(java.util.List.of(id));
            for (String path : new String[] {"/", "/queues", "/jobs", "/jobs/" + id, "/workers", "/schedules"}) {
                String html = f.get(path).body();
                assertThat(html).as(path).doesNotContain("method=\"post\"").contains("read-only");
            }
            var r = f.post("/api/jobs/" + id + "/retry");
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.body()).contains("read-only");
            assertThat(f.post("/api/jobs", "{\"task\": \"kyu.noop\"}").statusCode())
                    .isEqualTo(403);
            assertThat(f.kyu.admin().job(id).orElseThrow().state()).isEqualTo(dev.kyu.job.JobState.CANCELLED);
        }
    }

    @Test
    void aLoopbackDashboardRefusesForeignHostNamesAgainstDnsRebinding() throws Exception {
        try (var f = new DashboardFixture()) {
            assertThat(rawGet(f.dashboard.port(), "evil.example:" + f.dashboard.port()))
                    .startsWith("HTTP/1.1 403");
            assertThat(rawGet(f.dashboard.port(), "localhost:" + f.dashboard.port()))
                    .startsWith("HTTP/1.1 200");
            assertThat(rawGet(f.dashboard.port(), "127.0.0.1:" + f.dashboard.port()))
                    .startsWith("HTTP/1.1 200");
        }
    }

    /** A request with a chosen Host header (the JDK client will not send one). */
    private static String rawGet(int port, String host) throws Exception {
        try (var socket = new java.net.Socket("127.0.0.1", port)) {
            socket.getOutputStream()
                    .write(("GET /api/queues HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
