package dev.kyu.dashboard.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kyu.dashboard.http.Request;
import dev.kyu.dashboard.http.Response;
import java.io.IOException;

/**
 * How an action answers: JSON to API clients; to a browser's form post, 303 back to the page named by
 * its {@code next} field (a local path only, so the redirect can never leave the dashboard).
 */
final class Actions {
    private Actions() {}

    static Response done(Request r, ObjectNode result) throws IOException {
        if (!r.isForm()) return Response.json(result);
        String next = r.form("next");
        boolean local = next != null
                && next.startsWith("/")
                && !next.startsWith("//")
                && !next.contains("\\")
                && next.chars().noneMatch(c -> c < 0x20);
        return Response.seeOther(local ? next : "/");
    }
}
