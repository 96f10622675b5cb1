package dev.kyu.dashboard.api;

import dev.kyu.dashboard.http.Response;
import dev.kyu.dashboard.http.Router;

/** {@code GET /api/csrf}: hands a script or tool the session's CSRF token (the cookie comes with it). */
public final class CsrfApi {
    public void routes(Router router) {
        router.get(
                "/api/csrf",
                r -> Response.json(Json.object().put("token", r.csrfToken()).put("header", "X-Kyu-CSRF")));
    }
}
