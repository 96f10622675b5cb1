package dev.kyu.dashboard.ui;

import dev.kyu.dashboard.DashboardContext;
import dev.kyu.dashboard.api.LimitsApi;
import dev.kyu.dashboard.http.Guard;
import dev.kyu.dashboard.http.Request;
import dev.kyu.dashboard.http.Response;
import dev.kyu.dashboard.http.Router;
import dev.kyu.flow.Limit;
import dev.kyu.flow.LimitText;
import dev.kyu.flow.Limits;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Limits: every flow limit with the jobs it holds back, its running slots and pauses; pause or remove one,
 * and a form to add one or change one (same name replaces). Workers pick a change up within two seconds.
 */
public final class LimitsPage {
    private final DashboardContext ctx;
    private final Layout layout;

    public LimitsPage(DashboardContext ctx, Layout layout) {
        this.ctx = ctx;
        this.layout = layout;
    }

    public void routes(Router router) {
        router.get("/limits", this::render);
    }

    private Response render(Request r) {
        List<Limits.LimitStatus> all = LimitsApi.statuses(ctx.kyu().limits());
        StringBuilder b = new StringBuilder("<h1>Limits</h1>");
        if (all.isEmpty()) {
            b.append("<p class=\"empty\">No limits. Add one below, with <code>kyu limits set</code>, or in code with "
                    + "<code>kyu.limits().define(…)</code> (docs/flow-control.md).</p>");
        } else {
            Instant now = ctx.kyu().clock().instant();
            b.append("<table class=\"limits\"><thead><tr><th>Name</th><th>Target</th><th>Rule</th><th>Key</th>"
                            + "<th class=\"n\">Waiting</th><th class=\"n\">Running</th><th>Paused</th>")
                    .append(ctx.options().readOnly() ? "" : "<th>Actions</th>")
                    .append("</tr></thead><tbody>");
            for (Limits.LimitStatus s : all) {
                Limit l = s.limit();
                String base = "/api/limits/" + Html.url(l.name());
                b.append("<tr data-limit=\"")
                        .append(Html.esc(l.name()))
                        .append("\"><td>")
                        .append(Html.esc(l.name()))
                        .append("</td><td>")
                        .append(Html.esc(LimitText.target(l)))
                        .append("</td><td><code>")
                        .append(Html.esc(LimitText.rule(l)))
                        .append("</code></td><td>")
                        .append(l.key() == null ? "" : "<code>" + Html.esc(l.key()) + "</code>")
                        .append("</td><td class=\"n waiting\">")
                        .append(s.waiting())
                        .append("</td><td class=\"n\">")
                        .append(l.kind() == Limit.Kind.CONCURRENCY ? s.running() + "/" + l.permits() : "")
                        .append("</td><td>")
                        .append(pauses(s.pausedUntil(), now))
                        .append("</td>");
                if (!ctx.options().readOnly()) {
                    b.append("<td class=\"actions\">")
                            .append(pauseForm(r, base, l))
                            .append(layout.action(
                                    r,
                                    base + "/delete",
                                    "Remove",
                                    "/limits",
                                    "Remove limit " + l.name() + "?",
                                    "danger"))
                            .append("</td>");
                }
                b.append("</tr>");
            }
            b.append("</tbody></table>");
        }
        if (!ctx.options().readOnly()) b.append(defineForm(r));
        return layout.page(r, "/limits", "Limits", b.toString());
    }

    private static String pauses(Map<String, Instant> pausedUntil, Instant now) {
        if (pausedUntil.isEmpty()) return "";
        StringBuilder b = new StringBuilder();
        pausedUntil.forEach((key, until) -> b.append(b.isEmpty() ? "" : "<br>")
                .append("<span class=\"badge paused\">")
                .append(key.isEmpty() ? "all" : Html.esc(key))
                .append("</span> ")
                .append(Html.age(Duration.between(now, until)))
                .append(" left"));
        return b.toString();
    }

    private static String pauseForm(Request r, String base, Limit l) {
        return "<form method=\"post\" action=\"" + Html.esc(base + "/pause") + "\" class=\"action pause\" data-keep>"
                + hidden(r, "/limits")
                + (l.keyed()
                        ? "<input name=\"key\" size=\"10\" placeholder=\"key (all if empty)\" aria-label=\"key\">"
                        : "")
                + "<input name=\"for\" size=\"4\" value=\"30s\" aria-label=\"for how long\" required>"
                + "<button type=\"submit\">Pause</button></form>";
    }

    private static String defineForm(Request r) {
        return "<section><h2>Add or change a limit</h2>"
                + "<form method=\"post\" action=\"/api/limits\" class=\"limit-form filters\" data-keep>"
                + hidden(r, "/limits")
                + "<label>Name <input name=\"name\" required pattern=\"[a-zA-Z0-9_.:\\-]{1,100}\" placeholder=\"payments\"></label> "
                + "<label>Applies to <select name=\"scope\"><option value=\"task\">task</option><option value=\"queue\">queue</option></select></label> "
                + "<input name=\"target\" required placeholder=\"shop.charge-payment\" aria-label=\"task or queue name\"> "
                + "<label>Rule <select name=\"kind\"><option value=\"rate\">rate N/PERIOD</option>"
                + "<option value=\"concurrency\">concurrency N</option></select></label> "
                + "<input name=\"value\" required size=\"8\" placeholder=\"100/1s\" aria-label=\"rate or concurrency\"> "
                + "<label>Burst <input name=\"burst\" size=\"4\" placeholder=\"1\"></label> "
                + "<label>Key <input name=\"key\" size=\"16\" placeholder=\"args:/customer\"></label> "
                + "<button type=\"submit\">Save</button>"
                + "<p class=\"hint\">A rate is N/PERIOD (100/1s, 10/1m); a concurrency is how many run at once. "
                + "A key (args:/json/pointer, meta:NAME, fn:NAME) gives each key the limit on its own. "
                + "Saving a name that exists replaces that limit; workers apply it within 2 seconds.</p></form></section>";
    }

    private static String hidden(Request r, String next) {
        return "<input type=\"hidden\" name=\"" + Guard.FIELD + "\" value=\"" + Html.esc(r.csrfToken()) + "\">"
                + "<input type=\"hidden\" name=\"next\" value=\"" + Html.esc(next) + "\">";
    }
}
