package dev.kyu.dashboard.ui;

import dev.kyu.dashboard.DashboardContext;
import dev.kyu.dashboard.http.Guard;
import dev.kyu.dashboard.http.Request;
import dev.kyu.dashboard.http.Response;

/**
 * The frame around every page: head (stylesheet, the one script, the CSRF token in a meta tag), the
 * navigation, and the {@code <main>} the script refreshes every two seconds. A request with the
 * {@code X-Kyu-Partial} header gets only the inside of {@code <main>}, which is how live updates work
 * without inline scripts.
 */
public final class Layout {
    private static final String[][] NAV = {
        {"/", "Overview"},
        {"/queues", "Queues"},
        {"/jobs", "Jobs"},
        {"/workflows", "Workflows"},
        {"/workers", "Workers"},
        {"/schedules", "Schedules"},
        {"/limits", "Limits"}
    };

    private final DashboardContext ctx;

    public Layout(DashboardContext ctx) {
        this.ctx = ctx;
    }

    public Response page(Request r, String current, String title, String main) {
        if (r.header("X-Kyu-Partial") != null) return Response.html(main);
        StringBuilder b = new StringBuilder(4096 + main.length());
        b.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>")
                .append(Html.esc(title))
                .append(" · Kyu</title>")
                .append("<meta name=\"kyu-csrf\" content=\"")
                .append(Html.esc(r.csrfToken()))
                .append("\">")
                .append("<link rel=\"stylesheet\" href=\"/static/app.css\">")
                .append("<script src=\"/static/app.js\" defer></script></head>\n")
                .append("<body data-read-only=\"")
                .append(ctx.options().readOnly())
                .append("\"><header><a class=\"brand\" href=\"/\">Kyu</a><nav>");
        for (String[] n : NAV) {
            b.append("<a href=\"")
                    .append(n[0])
                    .append('"')
                    .append(n[0].equals(current) ? " class=\"current\"" : "")
                    .append('>')
                    .append(n[1])
                    .append("</a>");
        }
        b.append("</nav><span class=\"broker\" title=\"broker\">")
                .append(Html.esc(ctx.admin().brokerDescription()))
                .append("</span>");
        if (ctx.options().readOnly()) b.append("<span class=\"badge\">read-only</span>");
        b.append("<span id=\"live\" class=\"live\" title=\"live updates\">live</span></header>\n<main id=\"main\">")
                .append(main)
                .append("</main></body></html>\n");
        return Response.html(b.toString());
    }

    /** A POST button to an action endpoint, or nothing in read-only mode. */
    public String action(Request r, String path, String label, String next, String confirm, String cssClass) {
        if (ctx.options().readOnly()) return "";
        return "<form method=\"post\" action=\"" + Html.esc(path) + "\" class=\"action\">"
                + "<input type=\"hidden\" name=\"" + Guard.FIELD + "\" value=\"" + Html.esc(r.csrfToken()) + "\">"
                + "<input type=\"hidden\" name=\"next\" value=\"" + Html.esc(next) + "\">"
                + "<button type=\"submit\" class=\"" + Html.esc(cssClass) + "\""
                + (confirm == null ? "" : " data-confirm=\"" + Html.esc(confirm) + "\"") + ">" + Html.esc(label)
                + "</button></form>";
    }
}
