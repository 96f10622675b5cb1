package dev.kyu.dashboard.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a handler answers: status, content type, body and extra headers. */
public record Response(int status, String contentType, byte[] body, Map<String, String> headers) {
    public static Response json(int status, JsonNode node) {
        return new Response(
                status,
                "application/json; charset=utf-8",
                dev.kyu.codec.Printable.jsonForUtf8(node.toString()).getBytes(StandardCharsets.UTF_8),
                Map.of());
    }

    public static Response json(JsonNode node) {
        return json(200, node);
    }

    public static Response html(String html) {
        return new Response(200, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    public static Response text(int status, String contentType, String text) {
        return new Response(status, contentType, text.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** 303 See Other: after a form post, the browser GETs the page again. */
    public static Response seeOther(String location) {
        return new Response(303, "text/plain; charset=utf-8", new byte[0], Map.of("Location", location));
    }

    public Response withHeader(String name, String value) {
        var h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new Response(status, contentType, body, h);
    }
}
