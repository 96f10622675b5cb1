package dev.kyu.dashboard.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.kyu.KyuException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes requests by method and path pattern ({@code /api/jobs/{id}}) after the {@link Guard}'s checks,
 * turns errors into one-line answers (JSON under {@code /api}, text elsewhere), adds the security headers
 * to every response, and moves its local URLs under the dashboard's base ({@link BasePath}). Paths are
 * matched below the base: routes and pages are written as if the dashboard were at {@code /}.
 */
public final class Router implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(Router.class);

    public static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    private record Route(String method, String[] parts, Handler handler) {}

    private final Guard guard;
    private final List<Route> routes = new ArrayList<>();

    public Router(Guard guard) {
        this.guard = guard;
    }

    public Router get(String pattern, Handler h) {
        return add("GET", pattern, h);
    }

    public Router post(String pattern, Handler h) {
        return add("POST", pattern, h);
    }

    public Router put(String pattern, Handler h) {
        return add("PUT", pattern, h);
    }

    public Router delete(String pattern, Handler h) {
        return add("DELETE", pattern, h);
    }

    private Router add(String method, String pattern, Handler h) {
        routes.add(new Route(method, split(pattern), h));
        return this;
    }

    /** Serves an exchange of the JDK's server at its root. */
    @Override
    public void handle(HttpExchange exchange) throws IOException {
        serve(new JdkExchange(exchange, ""));
    }

    /** Serves one exchange of any server. */
    public void serve(Exchange exchange) throws IOException {
        String path = exchange.path();
        if (path == null) {
            write(exchange, Response.text(404, "text/plain; charset=utf-8", "404 no such page\n"), null);
            return;
        }
        Response response;
        String setCookie = null;
        Request request = new Request(exchange, path);
        try {
            // A method a path does not take is answered before the guard: a POST to a read-only path is a
            // wrong method (405), not a missing CSRF token (403), and the answer carries no data.
            if (!methodAllowed(request))
                throw new HttpError(405, "method " + request.method() + " not allowed on " + request.path());
            setCookie = guard.check(request);
            response = dispatch(request);
        } catch (Guard.Unauthorized e) {
            response = error(request, 401, "credentials required")
                    .withHeader("WWW-Authenticate", "Basic realm=\"Kyu dashboard\", charset=\"UTF-8\"");
        } catch (HttpError e) {
            response = error(request, e.status(), e.getMessage());
        } catch (KyuException.JobNotFound e) {
            response = error(request, 404, e.getMessage());
        } catch (KyuException.InvalidInput | IllegalArgumentException e) {
            response = error(request, 400, e.getMessage());
        } catch (KyuException.BrokerUnavailable e) {
            response = error(request, 503, "broker unavailable: " + e.getMessage());
        } catch (Exception e) {
            log.warn(
                    "{} {} failed",
                    dev.kyu.codec.Printable.line(request.method()),
                    dev.kyu.codec.Printable.line(request.path()),
                    e);
            response = error(request, 500, "internal error: " + e.getClass().getSimpleName());
        }
        write(exchange, response, setCookie);
    }

    private Response dispatch(Request request) throws Exception {
        String[] path = split(request.path());
        boolean pathMatched = false;
        for (Route r : routes) {
            Map<String, String> params = match(r.parts, path);
            if (params == null) continue;
            pathMatched = true;
            if (!r.method.equals(request.method())
                    && !(r.method.equals("GET") && request.method().equals("HEAD"))) continue;
            request.pathParams(params);
            return r.handler.handle(request);
        }
        if (pathMatched) throw new HttpError(405, "method " + request.method() + " not allowed on " + request.path());
        throw HttpError.notFound("no such page: " + request.path());
    }

    /** False only when the path is known and none of its routes takes the method; unknown paths are 404s later. */
    private boolean methodAllowed(Request request) {
        String[] path = split(request.path());
        boolean pathMatched = false;
        for (Route r : routes) {
            if (match(r.parts, path) == null) continue;
            pathMatched = true;
            if (r.method.equals(request.method())
                    || (r.method.equals("GET") && request.method().equals("HEAD"))) return true;
        }
        return !pathMatched;
    }

    private static Map<String, String> match(String[] pattern, String[] path) {
        if (pattern.length != path.length) return null;
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < pattern.length; i++) {
            String p = pattern[i];
            if (p.startsWith("{") && p.endsWith("}")) {
                if (path[i].isEmpty()) return null;
                params.put(p.substring(1, p.length() - 1), path[i]);
            } else if (!p.equals(path[i])) {
                return null;
            }
        }
        return params;
    }

    private static String[] split(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.endsWith("/")) p = p.substring(0, p.length() - 1);
        return p.isEmpty() ? new String[0] : p.split("/", -1);
    }

    private static Response error(Request request, int status, String message) {
        if (request.path().startsWith("/api/") || request.path().equals("/api")) {
            return Response.json(
                    status,
                    JsonNodeFactory.instance.objectNode().put("error", message).put("status", status));
        }
        return Response.text(status, "text/plain; charset=utf-8", status + " " + message + "\n");
    }

    private static void write(Exchange exchange, Response response, String setCookie) throws IOException {
        var h = new LinkedHashMap<String, List<String>>();
        h.put("Content-Type", List.of(response.contentType()));
        h.put("Content-Security-Policy", List.of(CSP));
        h.put("X-Content-Type-Options", List.of("nosniff"));
        h.put("X-Frame-Options", List.of("DENY"));
        h.put("Referrer-Policy", List.of("same-origin"));
        h.put("Cache-Control", List.of("no-store"));
        if (setCookie != null) h.put("Set-Cookie", List.of(setCookie));
        String base = exchange.base();
        response.headers()
                .forEach((k, v) -> h.put(k, List.of(k.equalsIgnoreCase("Location") ? BasePath.url(base, v) : v)));
        byte[] body = response.body();
        if (!base.isEmpty() && response.contentType().startsWith("text/html")) {
            body = BasePath.rewrite(new String(body, StandardCharsets.UTF_8), base)
                    .getBytes(StandardCharsets.UTF_8);
        }
        exchange.send(response.status(), h, body);
    }
}
