package dev.kyu.dashboard.ui;

import dev.kyu.dashboard.DashboardContext;
import dev.kyu.dashboard.api.WorkflowsApi;
import dev.kyu.dashboard.http.Request;
import dev.kyu.dashboard.http.Response;
import dev.kyu.dashboard.http.Router;
import dev.kyu.workflow.WorkflowState;
import dev.kyu.workflow.WorkflowView;
import java.time.Instant;

/** Workflows: newest first, filtered by state, paged by cursor (see {@link Pager}); live like every page. */
public final class WorkflowsPage {
    private final DashboardContext ctx;
    private final Layout layout;

    public WorkflowsPage(DashboardContext ctx, Layout layout) {
        this.ctx = ctx;
        this.layout = layout;
    }

    public void routes(Router router) {
        router.get("/workflows", this::render);
    }

    private Response render(Request r) {
        WorkflowsApi.Query q = WorkflowsApi.query(r);
        WorkflowsApi.Page page = WorkflowsApi.page(ctx, q);
        Instant now = ctx.admin().now();
        StringBuilder b = new StringBuilder(
                        "<h1>Workflows</h1><form method=\"get\" action=\"/workflows\" class=\"filters\">")
                .append("<label>State <select name=\"state\"><option value=\"\">any</option>");
        for (WorkflowState s : WorkflowState.values()) {
            b.append("<option")
                    .append(s == q.state() ? " selected" : "")
                    .append('>')
                    .append(s.name())
                    .append("</option>");
        }
        b.append("</select></label><button type=\"submit\">Filter</button> <a href=\"/workflows\">clear</a></form>");
        if (page.workflows().isEmpty()) {
            b.append("<p class=\"empty\">No workflows match.</p>");
        } else {
            b.append(
                    "<table class=\"jobs workflows\"><thead><tr><th>Id</th><th>Name</th><th>State</th><th class=\"n\">Steps ended</th>"
                            + "<th>Enqueued</th><th>Finished</th><th>Failed steps</th></tr></thead><tbody>");
            for (WorkflowView w : page.workflows()) {
                long ended = w.steps().stream()
                        .filter(s -> s.job() == null || s.job().state().isTerminal())
                        .count();
                b.append("<tr><td><a href=\"/workflows/")
                        .append(Html.esc(w.id()))
                        .append("\"><code>")
                        .append(Html.esc(w.id()))
                        .append("</code></a></td><td>")
                        .append("<a href=\"/workflows/")
                        .append(Html.esc(w.id()))
                        .append("\">")
                        .append(Html.esc(w.name()))
                        .append("</a></td><td>")
                        .append(Html.state(w.state()))
                        .append("</td><td class=\"n\">")
                        .append(ended)
                        .append(" / ")
                        .append(w.steps().size())
                        .append("</td><td>")
                        .append(Html.esc(Html.ago(w.enqueuedAt(), now)))
                        .append("</td><td>")
                        .append(Html.esc(Html.ago(w.finishedAt(), now)))
                        .append("</td><td class=\"err\">")
                        .append(Html.esc(String.join(", ", w.failed())))
                        .append("</td></tr>");
            }
            b.append("</tbody></table>");
        }
        b.append("<nav class=\"pager\">");
        String filters = q.state() == null ? "" : "&state=" + q.state().name();
        Pager.newer(b, "/workflows", filters, q.limit(), q.offset(), q.after());
        Pager.shown(b, q.offset(), q.after(), page.workflows().size());
        Pager.older(b, "/workflows", filters, q.limit(), page.next());
        b.append("</nav>");
        return layout.page(r, "/workflows", "Workflows", b.toString());
    }
}
