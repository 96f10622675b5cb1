package dev.kyu.spring;

import dev.kyu.dashboard.MountedDashboard;
import dev.kyu.dashboard.http.Exchange;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Kyu's dashboard inside the application's own servlet server, under {@code kyu.dashboard.path}: each
 * request goes to the dashboard's router as it is, so its guard (credentials or this machine only, CSRF,
 * read-only), its security headers and its Content-Security-Policy apply there as on its own port.
 */
public final class KyuDashboardServlet extends HttpServlet {
    private final transient MountedDashboard dashboard;

    public KyuDashboardServlet(MountedDashboard dashboard) {
        this.dashboard = dashboard;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        dashboard.serve(new ServletExchange(request, response));
    }

    /** A servlet request and response as the dashboard's {@link Exchange}; the base is where the servlet is mapped. */
    private record ServletExchange(HttpServletRequest request, HttpServletResponse response) implements Exchange {
        @Override
        public String method() {
            return request.getMethod();
        }

        @Override
        public String base() {
            return request.getContextPath() + request.getServletPath();
        }

        @Override
        public String rawQuery() {
            return request.getQueryString();
        }

        @Override
        public InputStream body() throws IOException {
            return request.getInputStream();
        }

        @Override
        public String path() {
            String p = request.getPathInfo();
            return p == null || p.isEmpty() ? "/" : p;
        }

        @Override
        public List<String> headers(String name) {
            var values = request.getHeaders(name);
            return values == null ? List.of() : Collections.list(values);
        }

        @Override
        public InetAddress remoteAddress() {
            try {
                // An address literal: parsed, never looked up.
                return InetAddress.getByName(request.getRemoteAddr());
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }

        @Override
        public void send(int status, Map<String, List<String>> headers, byte[] body) throws IOException {
            response.setStatus(status);
            headers.forEach((name, values) -> values.forEach(v -> response.addHeader(name, v)));
            if (body.length == 0 || request.getMethod().equals("HEAD")) {
                response.setContentLength(body.length);
                return;
            }
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
        }
    }
}
