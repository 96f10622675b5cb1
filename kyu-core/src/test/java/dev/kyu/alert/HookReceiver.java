package dev.kyu.alert;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** A local HTTP server standing in for Slack and a webhook receiver: it keeps every POST it gets. */
final class HookReceiver implements AutoCloseable {
    record Post(String path, Map<String, String> headers, String body) {}

    private final HttpServer server;
    final List<Post> posts = new CopyOnWriteArrayList<>();

    HookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", ex -> {
            try (ex) {
                String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                Map<String, String> headers = ex.getRequestHeaders().entrySet().stream()
                        .collect(Collectors.toMap(
                                e -> e.getKey().toLowerCase(java.util.Locale.ROOT),
                                e -> e.getValue().get(0)));
                posts.add(new Post(ex.getRequestURI().getPath(), headers, body));
                ex.sendResponseHeaders(200, -1);
            }
        });
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    List<Post> at(String path) {
        return posts.stream().filter(p -> p.path().equals(path)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
