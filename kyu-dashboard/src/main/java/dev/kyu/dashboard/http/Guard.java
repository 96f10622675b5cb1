package dev.kyu.dashboard.http;

import dev.kyu.dashboard.DashboardOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;

/**
 * The security checks every request passes before its handler (docs/dashboard.md):
 * <ol>
 *   <li>without credentials configured, only this machine: a loopback client address and Host header (the
 *       dashboard may be mounted in an application's server on a public port);</li>
 *   <li>credentials, when configured: Basic (user and password, or any user with the token as password)
 *       or {@code Bearer TOKEN}; otherwise 401;</li>
 *   <li>read-only mode: every POST, PUT, PATCH and DELETE is refused;</li>
 *   <li>CSRF, for every POST, PUT, PATCH and DELETE: an {@code Origin} (else {@code Referer}) that is sent must name this host;
 *       and the per-session token from the {@code kyu_csrf} cookie must come back in the
 *       {@code X-Kyu-CSRF} header or the {@code _csrf} form field. API clients that send valid credentials
 *       and declare a JSON body ({@code Content-Type: application/json}, which a browser cannot send
 *       cross-site without a CORS pre-flight) may leave the token out. Nothing else may: browsers attach
 *       cached Basic credentials to cross-site form posts, {@code text/plain} posts and body-less posts
 *       ({@code fetch} with no body, {@code sendBeacon}) alike, so credentials alone never prove intent.</li>
 * </ol>
 * The cookie is HttpOnly and SameSite=Strict, with the dashboard's base as its Path; pages carry the token in a meta tag and hidden fields.
 */
public final class Guard {
    public static final String COOKIE = "kyu_csrf";
    public static final String HEADER = "X-Kyu-CSRF";
    public static final String FIELD = "_csrf";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DashboardOptions options;

    public Guard(DashboardOptions options) {
        this.options = options;
    }

    /** Checks the request; returns the Set-Cookie value to send when a new CSRF token was issued, else null. */
    String check(Request r) throws java.io.IOException {
        if (!options.hasCredentials()) {
            // Mounted in an application's server the dashboard may share a public port: without credentials
            // only this machine may ask, whatever Host header it sends.
            if (r.remoteAddress() == null || !r.remoteAddress().isLoopbackAddress()) {
                throw HttpError.forbidden(
                        "the dashboard without credentials answers only on this machine: configure credentials");
            }
            checkLoopbackHost(r);
        }
        boolean credentialed = authenticate(r);
        String cookie = cookieToken(r);
        String issued = null;
        if (cookie == null) {
            cookie = newToken();
            issued = COOKIE + "=" + cookie + "; Path=" + BasePath.cookiePath(r.base()) + "; HttpOnly; SameSite=Strict";
        }
        r.csrfToken = cookie;
        if (!changes(r.method())) return issued;
        if (options.readOnly()) throw HttpError.forbidden("the dashboard is read-only");
        checkOrigin(r);
        if (credentialed && r.isJson()) return issued;
        String sent = r.header(HEADER);
        if (sent == null) sent = r.form(FIELD);
        if (issued != null || sent == null || !same(sent, cookie)) {
            throw HttpError.forbidden(
                    "missing or wrong CSRF token: reload the page, or send the kyu_csrf cookie's value in " + HEADER);
        }
        return issued;
    }

    /** The methods that change something: each passes the read-only, Origin and CSRF checks as a POST does. */
    private static boolean changes(String method) {
        return switch (method) {
            case "POST", "PUT", "PATCH", "DELETE" -> true;
            default -> false;
        };
    }

    /** True when valid credentials were sent; throws 401 when credentials are required and missing or wrong. */
    private boolean authenticate(Request r) {
        String auth = r.header("Authorization");
        if (!options.hasCredentials()) return false;
        if (auth != null && valid(auth)) return true;
        throw new Unauthorized();
    }

    private boolean valid(String auth) {
        int sp = auth.indexOf(' ');
        if (sp < 0) return false;
        String scheme = auth.substring(0, sp).toLowerCase(Locale.ROOT);
        String value = auth.substring(sp + 1).trim();
        if (scheme.equals("bearer")) return options.token() != null && same(value, options.token());
        if (!scheme.equals("basic")) return false;
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) return false;
        String user = decoded.substring(0, colon), password = decoded.substring(colon + 1);
        boolean userOk = options.user() != null && same(user, options.user()) & same(password, options.password());
        boolean tokenOk = options.token() != null && same(password, options.token());
        return userOk || tokenOk;
    }

    /**
     * Without credentials the dashboard only listens on loopback; a foreign name in {@code Host} then means
     * DNS rebinding (a web page whose name now resolves to 127.0.0.1 reading the API as "same origin").
     */
    private static void checkLoopbackHost(Request r) {
        String host = r.header("Host");
        String name = host == null
                ? ""
                : host.startsWith("[")
                        ? host.substring(0, host.indexOf(']') + 1)
                        : host.contains(":") ? host.substring(0, host.lastIndexOf(':')) : host;
        name = name.toLowerCase(Locale.ROOT);
        boolean loopback = name.equals("localhost")
                || name.endsWith(".localhost")
                || name.equals("[::1]")
                || name.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
        if (!loopback)
            throw HttpError.forbidden("unexpected Host header for a loopback dashboard: use 127.0.0.1 or localhost");
    }

    private static void checkOrigin(Request r) {
        String host = r.header("Host");
        String origin = r.header("Origin");
        String source = origin != null ? origin : r.header("Referer");
        if (source == null) return;
        String authority;
        try {
            authority = URI.create(source).getRawAuthority();
        } catch (IllegalArgumentException e) {
            authority = null;
        }
        if (host == null || authority == null || !authority.equalsIgnoreCase(host)) {
            throw HttpError.forbidden("cross-origin request refused: " + (origin != null ? "Origin" : "Referer")
                    + " does not match Host");
        }
    }

    private static String cookieToken(Request r) {
        for (String header : r.headers("Cookie")) {
            for (String part : header.split(";")) {
                String p = part.trim();
                if (p.startsWith(COOKIE + "=")) {
                    String v = p.substring(COOKIE.length() + 1);
                    if (v.matches("[A-Za-z0-9_-]{20,100}")) return v;
                }
            }
        }
        return null;
    }

    private static String newToken() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static boolean same(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    /** 401 with a Basic challenge, so a browser asks for the password. */
    static final class Unauthorized extends RuntimeException {
        Unauthorized() {
            super("credentials required", null, false, false);
        }
    }
}
