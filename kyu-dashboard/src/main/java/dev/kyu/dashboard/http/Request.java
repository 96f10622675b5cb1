package dev.kyu.dashboard.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One request as handlers see it: method, path, path parameters, query and form parameters, body, and
 * what the security filter learnt (the CSRF token, whether credentials were given).
 */
public final class Request {
    /** Bodies above this are refused: the largest job args (1 MiB by default) plus room for options. */
    static final int MAX_BODY = 2 * 1024 * 1024;

    private final Exchange exchange;
    private final String path;
    private final Map<String, String> query;
    private Map<String, String> pathParams = Map.of();
    private byte[] body;
    private Map<String, String> form;
    String csrfToken;

    Request(Exchange exchange, String path) {
        this.exchange = exchange;
        this.path = path;
        this.query = parseParams(exchange.rawQuery());
    }

    public String method() {
        return exchange.method();
    }
    /** The path below the dashboard's base: {@code /jobs} whether the dashboard is at {@code /} or {@code /kyu}. */
    public String path() {
        return path;
    }
    /** Where the dashboard is mounted ({@code ""} or e.g. {@code /kyu}); pages need not use it (see {@link BasePath}). */
    public String base() {
        return exchange.base();
    }

    public String header(String name) {
        var values = exchange.headers(name);
        return values.isEmpty() ? null : values.get(0);
    }

    public java.util.List<String> headers(String name) {
        return exchange.headers(name);
    }

    public java.net.InetAddress remoteAddress() {
        return exchange.remoteAddress();
    }

    public String csrfToken() {
        return csrfToken;
    }

    void pathParams(Map<String, String> p) {
        pathParams = p;
    }

    public String param(String name) {
        String v = pathParams.get(name);
        if (v == null) throw new IllegalStateException("no path parameter " + name);
        return v;
    }

    /** A query parameter, null when absent or blank. */
    public String query(String name) {
        String v = query.get(name);
        return v == null || v.isBlank() ? null : v.trim();
    }

    public int queryInt(String name, int dflt, int min, int max) {
        String v = query(name);
        if (v == null) return dflt;
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw HttpError.badRequest(name + " must be a whole number " + min + ".." + max + ", was '" + v + "'");
        }
    }

    public boolean isForm() {
        String ct = header("Content-Type");
        return ct != null && ct.toLowerCase().startsWith("application/x-www-form-urlencoded");
    }

    public byte[] body() throws IOException {
        if (body == null) {
            try (InputStream in = exchange.body()) {
                body = in.readNBytes(MAX_BODY + 1);
            }
            if (body.length > MAX_BODY) throw new HttpError(413, "request body larger than " + MAX_BODY + " bytes");
        }
        return body;
    }

    /**
     * The body as UTF-8 text, decoded strictly: bytes that are not UTF-8 are a 400, never U+FFFD stored in
     * a job as if the client had sent it.
     */
    public String bodyText() throws IOException {
        byte[] b = body();
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(b))
                    .toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw HttpError.badRequest("request body is not UTF-8 text (" + firstBadByte(b) + "): send UTF-8");
        }
    }

    /** Where the first byte that is not UTF-8 sits, for the error message. */
    private static String firstBadByte(byte[] b) {
        var d = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        var in = java.nio.ByteBuffer.wrap(b);
        var r = d.decode(in, java.nio.CharBuffer.allocate(b.length + 1), true);
        return r.isError()
                ? String.format("byte 0x%02X at offset %d", b[in.position()] & 0xff, in.position())
                : "a truncated character at the end";
    }

    /** A parameter of the Content-Type header ({@code charset}), unquoted, or null. */
    public String contentTypeParameter(String name) {
        String ct = header("Content-Type");
        if (ct == null) return null;
        String[] parts = ct.split(";");
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq > 0 && parts[i].substring(0, eq).trim().equalsIgnoreCase(name)) {
                String v = parts[i].substring(eq + 1).trim();
                return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
            }
        }
        return null;
    }

    /** True when the body is declared as JSON: {@code application/json} or a {@code +json} type, any parameters. */
    public boolean isJson() {
        String ct = header("Content-Type");
        if (ct == null) return false;
        String base = ct.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
        return base.equals("application/json") || base.startsWith("application/") && base.endsWith("+json");
    }

    /** A field of a form body, null when absent. */
    public String form(String name) throws IOException {
        if (form == null) form = isForm() ? parseParams(bodyText()) : Map.of();
        return form.get(name);
    }

    static Map<String, String> parseParams(String raw) {
        var out = new LinkedHashMap<String, String>();
        if (raw == null || raw.isEmpty()) return out;
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                out.putIfAbsent(
                        URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw HttpError.badRequest("malformed parameter '" + k + "'");
            }
        }
        return out;
    }
}
