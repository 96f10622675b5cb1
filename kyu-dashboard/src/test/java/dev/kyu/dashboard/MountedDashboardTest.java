package dev.kyu.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.Kyu;
import dev.kyu.dashboard.http.Exchange;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The dashboard handed exchanges by a host server, the way an application server mounts it: the base comes
 * from the exchange, and without credentials only this machine's clients are served.
 */
class MountedDashboardTest {
    /** One request as a host server would hand it over, keeping the answer. */
    static final class HostExchange implements Exchange {
        final String method, base, path, query;
        final InetAddress remote;
        final Map<String, List<String>> requestHeaders;
        int status;
        Map<String, List<String>> headers;
        String body;

        HostExchange(
                String method,
                String base,
                String path,
                String query,
                String remote,
                Map<String, List<String>> requestHeaders)
                throws Exception {
            this.method = method;
            this.base = base;
            this.path = path;
            this.query = query;
            this.remote = InetAddress.getByName(remote);
            this.requestHeaders = requestHeaders;
        }

        @Override
        public String method() {
            return method;
        }

        @Override
        public String base() {
            return base;
        }

        @Override
        public String path() {
            return path;
        }

        @Override
        public String rawQuery() {
            return query;
        }

        @Override
        public List<String> headers(String name) {
            return requestHeaders.getOrDefault(name, List.of());
        }

        @Override
        public InetAddress remoteAddress() {
            return remote;
        }

        @Override
        public InputStream body() {
            return new ByteArrayInputStream(new byte[0]);
        }

        @Override
        public void send(int status, Map<String, List<String>> headers, byte[] body) {
            this.status = status;
            this.headers = headers;
            this.body = new String(body, StandardCharsets.UTF_8);
        }
    }

    private static HostExchange get(MountedDashboard d, String path, String remote, Map<String, List<String>> headers)
            throws Exception {
        var e = new HostExchange("GET", "/app/kyu", path, null, remote, headers);
        d.serve(e);
        return e;
    }

    @Test
    void theBaseComesFromTheHostServer() throws Exception {
        try (Kyu kyu = Kyu.connect("memory:");
                var d = MountedDashboard.create(kyu, DashboardOptions.defaults())) {
            var page = get(d, "/jobs", "127.0.0.1", Map.of("Host", List.of("localhost:8080")));
            assertThat(page.status).isEqualTo(200);
            assertThat(page.body)
                    .contains(
                            "<body data-base=\"/app/kyu\"",
                            "href=\"/app/kyu/queues\"",
                            "src=\"/app/kyu/static/app.js\"");
            assertThat(page.headers.get("Set-Cookie"))
                    .singleElement()
                    .asString()
                    .contains("Path=/app/kyu;");
            assertThat(page.headers.get("Content-Security-Policy"))
                    .singleElement()
                    .asString()
                    .contains("frame-ancestors 'none'");
        }
    }

    @Test
    void withoutCredentialsOnlyThisMachinesClientsAreServed() throws Exception {
        try (Kyu kyu = Kyu.connect("memory:");
                var d = MountedDashboard.create(kyu, DashboardOptions.defaults())) {
            // A remote client that names localhost in Host is still remote.
            var remote = get(d, "/api/queues", "192.0.2.7", Map.of("Host", List.of("localhost:8080")));
            assertThat(remote.status).isEqualTo(403);
            assertThat(remote.body).contains("only on this machine");
            assertThat(get(d, "/api/queues", "::1", Map.of("Host", List.of("[::1]:8080"))).status)
                    .isEqualTo(200);
        }
    }

    @Test
    void withCredentialsRemoteClientsThatGiveThemAreServed() throws Exception {
        String basic = "Basic " + Base64.getEncoder().encodeToString("ops:op3rat0rs".getBytes(StandardCharsets.UTF_8));
        try (Kyu kyu = Kyu.connect("memory:");
                var d = MountedDashboard.create(
                        kyu,
                        DashboardOptions.builder().basicAuth("ops", "op3rat0rs").build())) {
            assertThat(get(d, "/api/queues", "192.0.2.7", Map.of("Host", List.of("shop.example"))))
                    .satisfies(e -> assertThat(e.status).isEqualTo(401));
            var ok = get(
                    d,
                    "/api/queues",
                    "192.0.2.7",
                    Map.of("Host", List.of("shop.example"), "Authorization", List.of(basic)));
            assertThat(ok.status).isEqualTo(200);
            assertThat(ok.body).startsWith("[");
        }
    }
}
