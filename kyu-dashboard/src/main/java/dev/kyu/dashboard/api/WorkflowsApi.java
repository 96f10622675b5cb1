package dev.kyu.dashboard.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kyu.KyuException;
import dev.kyu.codec.JobJson;
import dev.kyu.codec.JsonCodec;
import dev.kyu.dashboard.DashboardContext;
import dev.kyu.dashboard.http.HttpError;
import dev.kyu.dashboard.http.Request;
import dev.kyu.dashboard.http.Response;
import dev.kyu.dashboard.http.Router;
import dev.kyu.workflow.WorkflowList;
import dev.kyu.workflow.WorkflowState;
import dev.kyu.workflow.WorkflowView;
import java.util.List;
import java.util.Locale;

/**
 * {@code /api/workflows}: workflows newest first by state with paging (by cursor, {@code after}, a workflow id,
 * or by offset), one workflow, and cancelling one.
 */
public final class WorkflowsApi {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;

    private final DashboardContext ctx;

    public WorkflowsApi(DashboardContext ctx) {
        this.ctx = ctx;
    }

    public void routes(Router router) {
        router.get("/api/workflows", r -> Response.json(list(r)));
        router.get("/api/workflows/{id}", r -> Response.json(JobJson.workflow(find(ctx, id(r)))));
        router.post("/api/workflows/{id}/cancel", this::cancel);
    }

    /**
     * The filter of a workflows listing, from query parameters (shared with the workflows page): {@code after}
     * (the last workflow id of the page before) or {@code offset}, not both.
     */
    public record Query(WorkflowState state, int limit, int offset, String after) {
        public Query(WorkflowState state, int limit, int offset) {
            this(state, limit, offset, null);
        }
    }

    public static Query query(Request r) {
        String s = r.query("state");
        WorkflowState state = s == null || s.isBlank() ? null : parseState(s);
        return new Query(
                state,
                r.queryInt("limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
                r.queryInt("offset", 0, 0, 1_000_000),
                Cursor.after(r));
    }

    /** One page plus whether another follows (asked for one workflow more than shown). */
    public record Page(List<WorkflowView> workflows, boolean more) {
        /** The cursor of the page that follows, the last workflow's id; null on the last page. */
        public String next() {
            return more ? workflows.get(workflows.size() - 1).id() : null;
        }
    }

    public static Page page(DashboardContext ctx, Query q) {
        List<WorkflowView> found = WorkflowList.page(
                ctx.kyu().broker(), JsonCodec.shared(), q.state(), q.limit() + 1, q.offset(), q.after());
        boolean more = found.size() > q.limit();
        return new Page(more ? found.subList(0, q.limit()) : found, more);
    }

    /** The workflow of this id, or a 404 naming it (a plain job's id is no workflow). */
    public static WorkflowView find(DashboardContext ctx, String id) {
        return WorkflowView.load(ctx.kyu().broker(), id)
                .orElseThrow(() -> HttpError.notFound("no workflow with id " + id));
    }

    private ObjectNode list(Request r) {
        Query q = query(r);
        Page page = page(ctx, q);
        ObjectNode out = Json.object();
        ArrayNode a = out.putArray("workflows");
        page.workflows().forEach(w -> a.add(JobJson.workflow(w)));
        out.put("limit", q.limit());
        out.put("offset", q.offset());
        out.put("after", q.after());
        out.put("more", page.more());
        out.put("next", page.next());
        return out;
    }

    private Response cancel(Request r) throws Exception {
        String id = id(r);
        WorkflowView w = find(ctx, id);
        if (w.state().isTerminal()) {
            throw new HttpError(
                    409, "workflow " + id + " is " + w.state() + ": only a RUNNING workflow can be cancelled");
        }
        int cancelled = ctx.kyu().workflow(id).cancel();
        return Actions.done(r, Json.object().put("id", id).put("cancelledSteps", cancelled));
    }

    private static String id(Request r) {
        return dev.kyu.job.JobIds.parse(r.param("id"));
    }

    private static WorkflowState parseState(String s) {
        try {
            return WorkflowState.valueOf(s.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new KyuException.InvalidInput("unknown workflow state " + dev.kyu.codec.Printable.quoted(s)
                    + ": use RUNNING, SUCCEEDED, FAILED or CANCELLED");
        }
    }
}
