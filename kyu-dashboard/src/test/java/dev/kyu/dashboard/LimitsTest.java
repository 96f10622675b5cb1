package dev.kyu.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.flow.KeySource;
import dev.kyu.flow.Limit;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** /api/limits and the limits page against a real dashboard: define, replace, pause, remove; bad input stores nothing. */
class LimitsTest {
    private final DashboardFixture f = new DashboardFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private HttpResponse<String> send(String method, String path, String json) {
        return f.send(HttpRequest.newBuilder(f.uri(path))
                .header("Content-Type", "application/json")
                .header("X-Kyu-CSRF", f.csrf())
                .method(
                        method,
                        json == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(json)));
    }

    private HttpResponse<String> form(String path, String body) {
        return f.send(HttpRequest.newBuilder(f.uri(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("_csrf=" + f.csrf() + "&next=/limits&" + body)));
    }

    @Test
    void defineListReplaceAndRemoveThroughTheApi() {
        var put = send(
                "PUT",
                "/api/limits/payments",
                "{\"target\": \"task:shop.charge\", \"kind\": \"RATE\", \"permits\": 100, \"periodMs\": 1000, \"burst\": 20}");
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        assertThat(DashboardFixture.json(put.body()).get("replaced").asBoolean())
                .isFalse();
        assertThat(f.kyu.limits().get("payments").orElseThrow())
                .isEqualTo(Limit.rate("payments", Limit.Target.task("shop.charge"), 100, Duration.ofSeconds(1))
                        .withBurst(20));

        var post = send(
                "POST",
                "/api/limits/webhooks",
                "{\"name\": \"webhooks\", \"target\": \"task:webhook.deliver\", \"kind\": \"CONCURRENCY\", \"permits\": 3, \"key\": \"args:/customer\"}");
        assertThat(post.statusCode()).as(post.body()).isEqualTo(201);
        var again = send(
                "PUT",
                "/api/limits/payments",
                "{\"target\": \"task:shop.charge\", \"kind\": \"RATE\", \"permits\": 5, \"periodMs\": 60000}");
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(DashboardFixture.json(again.body()).get("replaced").asBoolean())
                .isTrue();
        assertThat(DashboardFixture.json(again.body()).get("limit").get("rule").asText())
                .isEqualTo("5/1m");

        var list = f.getJson("/api/limits");
        assertThat(list).hasSize(2);
        var payments = list.get(0);
        assertThat(payments.get("name").asText()).isEqualTo("payments");
        assertThat(payments.get("target").asText()).isEqualTo("task:shop.charge");
        assertThat(payments.get("kind").asText()).isEqualTo("RATE");
        assertThat(payments.get("permits").asLong()).isEqualTo(5);
        assertThat(payments.get("periodMs").asLong()).isEqualTo(60_000);
        assertThat(payments.get("waiting").asLong()).isZero();
        assertThat(payments.get("running").asLong()).isZero();
        assertThat(payments.get("pausedUntil").isObject()).isTrue();
        assertThat(list.get(1).get("key").asText()).isEqualTo("args:/customer");
        assertThat(f.getJson("/api/limits/webhooks").get("permits").asLong()).isEqualTo(3);
        assertThat(f.get("/api/limits/nope").statusCode()).isEqualTo(404);

        var delete = send("DELETE", "/api/limits/payments", null);
        assertThat(delete.statusCode()).as(delete.body()).isEqualTo(200);
        assertThat(DashboardFixture.json(delete.body()).get("removed").asBoolean())
                .isTrue();
        assertThat(f.kyu.limits().get("payments")).isEmpty();
        var gone = send("DELETE", "/api/limits/payments", null);
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(DashboardFixture.json(gone.body()).get("error").asText()).isEqualTo("no limit named payments");
        assertThat(f.post("/api/limits/webhooks/delete").statusCode()).isEqualTo(200);
        assertThat(f.kyu.limits().list()).isEmpty();
    }

    @Test
    void garbageInTheStoreAndNumbersAtTheirLimitsAreNever500() {
        var huge = send(
                "PUT",
                "/api/limits/huge",
                "{\"target\": \"task:t\", \"kind\": \"RATE\", \"permits\": 9223372036854775807, \"periodMs\": 1000}");
        assertThat(huge.statusCode()).as(huge.body()).isEqualTo(201);
        var fraction = send(
                "PUT", "/api/limits/half", "{\"target\": \"task:t\", \"kind\": \"CONCURRENCY\", \"permits\": 1.5}");
        assertThat(fraction.statusCode()).as(fraction.body()).isEqualTo(400);
        assertThat(f.kyu.limits().get("half")).isEmpty();
        var forever = send("POST", "/api/limits/huge/pause", "{\"forMs\": 9223372036854775807}");
        assertThat(forever.statusCode()).as(forever.body()).isEqualTo(400);
        assertThat(DashboardFixture.json(forever.body()).get("error").asText())
                .startsWith("a pause must be at most 36500d");

        f.kyu.broker().kvPut("kyu.flow.pause/huge/", "not an instant");
        f.kyu.broker().kvPut("kyu.flow.limit/broken", "{not json");
        var list = f.get("/api/limits");
        assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
        assertThat(DashboardFixture.json(list.body()).get(0).get("pausedUntil").size())
                .isZero();
        assertThat(f.get("/limits").statusCode()).isEqualTo(200);
        assertThat(f.get("/api/limits/huge").statusCode()).isEqualTo(200);
        var paused = send("POST", "/api/limits/huge/pause", "{\"for\": \"30s\"}");
        assertThat(paused.statusCode()).as(paused.body()).isEqualTo(200);
        assertThat(f.getJson("/api/limits/huge").get("pausedUntil").size()).isEqualTo(1);
    }

    @Test
    void badLimitsAreA400WithOneLineAndStoreNothing() {
        String[] bad = {
            "{\"target\": \"task:t\", \"kind\": \"RATE\", \"permits\": 0, \"periodMs\": 1000}",
            "{\"target\": \"task:t\", \"kind\": \"RATE\", \"permits\": -3, \"periodMs\": 1000}",
            "{\"target\": \"task:t\", \"kind\": \"RATE\", \"permits\": 3, \"periodMs\": 0}",
            "{\"target\": \"t\", \"kind\": \"RATE\", \"permits\": 3, \"periodMs\": 1000}",
            "{\"target\": \"task:t\", \"kind\": \"FAST\", \"permits\": 3}",
            "{\"target\": \"task:t\", \"kind\": \"CONCURRENCY\", \"permits\": 3, \"key\": \"customer\"}",
            "{\"name\": \"other\", \"target\": \"task:t\", \"kind\": \"CONCURRENCY\", \"permits\": 3}",
            "[1]",
            "{not json",
        };
        for (String body : bad) {
            var r = send("PUT", "/api/limits/x", body);
            assertThat(r.statusCode()).as(body + " -> " + r.body()).isEqualTo(400);
            assertThat(DashboardFixture.json(r.body()).get("error").asText()).doesNotContain("\n");
        }
        var text = f.send(HttpRequest.newBuilder(f.uri("/api/limits/x"))
                .header("Content-Type", "text/plain")
                .header("X-Kyu-CSRF", f.csrf())
                .PUT(HttpRequest.BodyPublishers.ofString(
                        "{\"target\": \"task:t\", \"kind\": \"CONCURRENCY\", \"permits\": 3}")));
        assertThat(text.statusCode()).isEqualTo(415);
        assertThat(f.kyu.limits().list()).isEmpty();
        assertThat(f.kyu.broker().kvList("kyu.flow.")).isEmpty();
    }

    @Test
    void pauseAWholeLimitOrOneKey() {
        f.kyu.limits()
                .define(Limit.rate("webhooks", Limit.Target.task("webhook.deliver"), 10, Duration.ofMinutes(1))
                        .perKey(KeySource.args("/customer")));
        f.kyu.limits().define(Limit.concurrency("imports", Limit.Target.queue("imports"), 2));

        var key = f.post("/api/limits/webhooks/pause", "{\"key\": \"cust-42\", \"for\": \"5m\"}");
        assertThat(key.statusCode()).as(key.body()).isEqualTo(200);
        assertThat(DashboardFixture.json(key.body()).get("pausedForMs").asLong())
                .isEqualTo(300_000);
        var whole = f.post("/api/limits/imports/pause", "{\"forMs\": 30000}");
        assertThat(whole.statusCode()).as(whole.body()).isEqualTo(200);
        assertThat(f.kyu.limits().status("webhooks").pausedUntil()).containsOnlyKeys("cust-42");
        assertThat(f.kyu.limits().status("imports").pausedUntil()).containsOnlyKeys("");
        assertThat(f.getJson("/api/limits/webhooks").get("pausedUntil").has("cust-42"))
                .isTrue();

        assertThat(f.post("/api/limits/imports/pause", "{\"key\": \"a\", \"for\": \"5s\"}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(f.post("/api/limits/imports/pause", "{}").statusCode()).isEqualTo(400);
        assertThat(f.post("/api/limits/imports/pause", "{\"for\": \"soon\"}").statusCode())
                .isEqualTo(400);
        assertThat(f.post("/api/limits/nope/pause", "{\"for\": \"5s\"}").statusCode())
                .isEqualTo(404);
    }

    @Test
    void thePageListsLimitsAndItsFormsDefinePauseAndRemove() {
        assertThat(f.get("/limits").body())
                .contains(
                        "<h1>Limits</h1>",
                        "No limits",
                        "href=\"/limits\" class=\"current\"",
                        "action=\"/api/limits\"",
                        "data-keep");

        var add = form(
                "/api/limits",
                "name=payments&scope=task&target=shop.charge&kind=rate&value=100%2F1s&burst=5&key=args%3A%2Fcustomer");
        assertThat(add.statusCode()).as(add.body()).isEqualTo(303);
        assertThat(add.headers().firstValue("Location")).contains("/limits");
        assertThat(f.kyu.limits().get("payments").orElseThrow())
                .isEqualTo(Limit.rate("payments", Limit.Target.task("shop.charge"), 100, Duration.ofSeconds(1))
                        .withBurst(5)
                        .perKey(KeySource.args("/customer")));
        var conc = form("/api/limits", "name=imports&scope=queue&target=imports&kind=concurrency&value=4&burst=&key=");
        assertThat(conc.statusCode()).as(conc.body()).isEqualTo(303);
        assertThat(f.kyu.limits().get("imports").orElseThrow())
                .isEqualTo(Limit.concurrency("imports", Limit.Target.queue("imports"), 4));
        assertThat(form("/api/limits", "name=bad&scope=task&target=t&kind=rate&value=0%2F1s")
                        .statusCode())
                .isEqualTo(400);
        assertThat(f.kyu.limits().get("bad")).isEmpty();

        assertThat(form("/api/limits/payments/pause", "key=cust-7&for=1m").statusCode())
                .isEqualTo(303);
        String page = f.get("/limits").body();
        assertThat(page)
                .contains(
                        "<tr data-limit=\"payments\">",
                        "task:shop.charge",
                        "100/1s burst 5",
                        "args:/customer",
                        "queue:imports",
                        "0/4",
                        "cust-7",
                        "/api/limits/payments/pause",
                        "/api/limits/imports/delete",
                        "Remove limit imports?");
        assertThat(f.get("/").body()).contains("waiting on 2 limits", "href=\"/limits\"");

        assertThat(form("/api/limits/imports/delete", "").statusCode()).isEqualTo(303);
        assertThat(f.kyu.limits().get("imports")).isEmpty();
    }

    @Test
    void aLimitNameIsEscapedOnThePage() {
        f.kyu.limits()
                .define(Limit.concurrency("a:b", Limit.Target.task("t"), 1).perKey(KeySource.meta("<b>x</b>")));
        String page = f.get("/limits").body();
        assertThat(page).contains("meta:&lt;b&gt;x&lt;/b&gt;").doesNotContain("<b>x</b>");
    }

    @Test
    void putAndDeleteNeedTheCsrfTokenAndAreRefusedWhenReadOnly() {
        String body = "{\"target\": \"task:t\", \"kind\": \"CONCURRENCY\", \"permits\": 3}";
        var put = f.send(HttpRequest.newBuilder(f.uri("/api/limits/x"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body)));
        assertThat(put.statusCode()).isEqualTo(403);
        assertThat(put.body()).contains("CSRF token");
        f.kyu.limits().define(Limit.concurrency("x", Limit.Target.task("t"), 3));
        var delete = f.send(HttpRequest.newBuilder(f.uri("/api/limits/x")).DELETE());
        assertThat(delete.statusCode()).isEqualTo(403);
        var foreign = f.send(HttpRequest.newBuilder(f.uri("/api/limits/x"))
                .header("X-Kyu-CSRF", f.csrf())
                .header("Origin", "http://evil.example")
                .DELETE());
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(f.kyu.limits().get("x")).isPresent();

        try (var ro = new DashboardFixture(o -> o.readOnly(true))) {
            ro.kyu.limits().define(Limit.concurrency("x", Limit.Target.task("t"), 3));
            var r = ro.send(HttpRequest.newBuilder(ro.uri("/api/limits/x"))
                    .header("X-Kyu-CSRF", ro.csrf())
                    .DELETE());
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.body()).contains("read-only");
            assertThat(ro.get("/limits").body())
                    .doesNotContain("method=\"post\"")
                    .contains("read-only", "<tr data-limit=\"x\">");
            assertThat(ro.kyu.limits().get("x")).isPresent();
        }
        // An API client with credentials and a JSON body needs no token, as for every other action.
        try (var auth = new DashboardFixture(o -> o.token("tok-0123456789"))) {
            var r = auth.send(HttpRequest.newBuilder(auth.uri("/api/limits/x"))
                    .header("Authorization", "Bearer tok-0123456789")
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(body)));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            var bare = auth.send(HttpRequest.newBuilder(auth.uri("/api/limits/x"))
                    .header(
                            "Authorization",
                            "Basic "
                                    + Base64.getEncoder()
                                            .encodeToString("u:tok-0123456789"
                                                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                    .DELETE());
            assertThat(bare.statusCode()).as(bare.body()).isEqualTo(403);
            var json = auth.send(HttpRequest.newBuilder(auth.uri("/api/limits/x"))
                    .header("Authorization", "Bearer tok-0123456789")
                    .header("Content-Type", "application/json")
                    .DELETE());
            assertThat(json.statusCode()).as(json.body()).isEqualTo(200);
        }
    }
}
