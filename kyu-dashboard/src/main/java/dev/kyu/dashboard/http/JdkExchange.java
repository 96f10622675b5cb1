package dev.kyu.dashboard.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/** An exchange of the JDK's HTTP server, the dashboard's own, serving it under a fixed base path. */
public final class JdkExchange implements Exchange {
    private final HttpExchange exchange;
    private final String base;

    public JdkExchange(HttpExchange exchange, String base) {
        this.exchange = exchange;
        this.base = base;
    }

    @Override
    public String method() {
        return exchange.getRequestMethod();
    }

    @Override
    public String base() {
        return base;
    }

    @Override
    public String rawQuery() {
        return exchange.getRequestURI().getRawQuery();
    }

    @Override
    public InetAddress remoteAddress() {
        return exchange.getRemoteAddress().getAddress();
    }

    @Override
    public InputStream body() {
        return exchange.getRequestBody();
    }

    @Override
    public String path() {
        return BasePath.below(base, exchange.getRequestURI().getPath());
    }

    @Override
    public List<String> headers(String name) {
        return exchange.getRequestHeaders().getOrDefault(name, List.of());
    }

    @Override
    public void send(int status, Map<String, List<String>> headers, byte[] body) throws IOException {
        headers.forEach((k, v) -> exchange.getResponseHeaders().put(k, List.copyOf(v)));
        boolean none = body.length == 0 || exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, none ? -1 : body.length);
        if (!none) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
    }
}
