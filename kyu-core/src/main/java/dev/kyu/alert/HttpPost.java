package dev.kyu.alert;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A JSON POST that counts only a 2xx answer as delivered. */
final class HttpPost {
    private HttpPost() {}

    static void send(HttpClient http, URI url, String body, Map<String, String> headers)
            throws IOException, InterruptedException {
        var b = HttpRequest.newBuilder(url)
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        var response = http.send(b.build(), HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() / 100 != 2)
            throw new IOException(safe(url) + " answered HTTP " + response.statusCode());
    }

    /** Webhook URLs carry their secret in the path (Slack's do): show only scheme, host and port. */
    static String safe(URI u) {
        return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort()) + "/…";
    }
}
