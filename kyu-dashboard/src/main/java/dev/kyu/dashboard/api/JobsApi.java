package dev.kyu.dashboard.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kyu.KyuException;
import dev.kyu.client.JobHandle;
import dev.kyu.codec.JobJson;
import dev.kyu.dashboard.DashboardContext;
import dev.kyu.dashboard.http.HttpError;
import dev.kyu.dashboard.http.Request;
import dev.kyu.dashboard.http.Response;
import dev.kyu.dashboard.http.Router;
import dev.kyu.job.Job;
import dev.kyu.job.JobState;
import dev.kyu.spi.CancelResult;
import dev.kyu.spi.JobQuery;
import java.util.List;

/**
 * {@code /api/jobs}: list with filters and paging (by cursor, {@code after}, or by offset), one job, enqueue by task name, and the per-job actions
 * retry, cancel and delete.
 */
public final class JobsApi {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 1000;

    private final DashboardContext ctx;

    public JobsApi(DashboardContext ctx) {
        this.ctx = ctx;
    }

    public void routes(Router router) {
        router.get("/api/jobs", r -> Response.json(list(r)));
        router.post("/api/jobs", this::enqueue);
        router.post("/api/jobs/retry-failed", this::retryFailed);
        router.get("/api/jobs/{id}", r -> Response.json(JobJson.job(find(id(r)))));
        router.post("/api/jobs/{id}/retry", this::retry);
        router.post("/api/jobs/{id}/cancel", this::cancel);
        router.post("/api/jobs/{id}/delete", this::delete);
    }

    /** Reads the filters of a jobs listing from query parameters (shared with the jobs page). */
    public static JobQuery query(Request r) {
        String s = r.query("state");
        JobState state = s == null ? null : JobState.parse(s);
        int limit = r.queryInt("limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        int offset = r.queryInt("offset", 0, 0, 1_000_000);
        String after = Cursor.after(r);
        // A name no job can have is a mistake worth saying, not an empty page.
        String queue = blankAsNull(r.query("queue")), task = blankAsNull(r.query("task"));
        if (queue != null) dev.kyu.task.Task.checkQueue(queue);
        if (task != null) dev.kyu.task.Task.checkName(task);
        return new JobQuery(state, queue, task, r.query("text"), limit, offset, after);
    }

    private static String blankAsNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** One page plus whether another follows (asked for one job more than shown). */
    public record Page(List<Job> jobs, boolean more) {
        /** The cursor of the page that follows, the last job's id; null on the last page. */
        public String next() {
            return more ? jobs.get(jobs.size() - 1).id() : null;
        }
    }

    public static Page page(DashboardContext ctx, JobQuery q) {
        var probe = q.withLimit(Math.min(q.limit() + 1, 10_000));
        List<Job> jobs = ctx.admin().jobs(probe);
        boolean more = jobs.size() > q.limit();
        return new Page(more ? jobs.subList(0, q.limit()) : jobs, more);
    }

    private ObjectNode list(Request r) {
        JobQuery q = query(r);
        Page page = page(ctx, q);
        ObjectNode out = Json.object();
        ArrayNode jobs = JobJson.jobs(page.jobs());
        out.set("jobs", jobs);
        out.put("limit", q.limit());
        out.put("offset", q.offset());
        out.put("after", q.after());
        out.put("more", page.more());
        out.put("next", page.next());
        return out;
    }

    /** The job id of the path, in the case Kyu stores it; text that is no UUID is a 400 (bad input), not a 404. */
    private static String id(Request r) {
        return dev.kyu.job.JobIds.parse(r.param("id"));
    }

    private Job find(String id) {
        return ctx.admin().job(id).orElseThrow(() -> new KyuException.JobNotFound(id));
    }

    private Response enqueue(Request r) throws Exception {
        // The body is JSON and read as UTF-8 JSON: another declared type (a form, text/plain, none) is a
        // client's mistake to name, not text to guess at.
        Json.requireJsonBody(r, "POST /api/jobs");
        EnqueueBody body = EnqueueBody.parse(r.bodyText());
        JobHandle<?> handle = ctx.kyu().enqueueJson(body.task(), body.argsJson(), body.options());
        Job job = handle.job();
        ObjectNode out = Json.object().put("id", handle.id()).put("created", handle.created());
        out.set("job", JobJson.job(job));
        return Response.json(handle.created() ? 201 : 200, out);
    }

    private Response retry(Request r) throws Exception {
        String id = id(r);
        if (ctx.admin().retry(List.of(id)) == 0) {
            Job job = find(id);
            throw new HttpError(
                    409, "job " + id + " is " + job.state() + ": only FAILED or CANCELLED jobs can be retried");
        }
        return Actions.done(
                r,
                Json.object()
                        .put("id", id)
                        .put("retried", true)
                        .put("state", find(id).state().name()));
    }

    private Response cancel(Request r) throws Exception {
        String id = id(r);
        CancelResult result = ctx.admin().cancel(List.of(id)).get(0);
        if (result == CancelResult.NOT_FOUND) throw new KyuException.JobNotFound(id);
        return Actions.done(r, Json.object().put("id", id).put("result", result.name()));
    }

    private Response delete(Request r) throws Exception {
        String id = id(r);
        if (ctx.admin().delete(List.of(id)) == 0) {
            Job job = find(id);
            throw new HttpError(
                    409, "job " + id + " is " + job.state() + ": a running job cannot be deleted; cancel it first");
        }
        return Actions.done(r, Json.object().put("id", id).put("deleted", true));
    }

    private Response retryFailed(Request r) throws Exception {
        String queue = r.isForm() ? r.form("queue") : r.query("queue");
        if (queue != null && queue.isBlank()) queue = null;
        if (queue != null) dev.kyu.task.Task.checkQueue(queue);
        int n = ctx.admin().retryFailed(queue);
        return Actions.done(r, Json.object().put("retried", n));
    }
}
