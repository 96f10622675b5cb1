package dev.kyu.dashboard.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kyu.dashboard.DashboardContext;
import dev.kyu.dashboard.http.HttpError;
import dev.kyu.dashboard.http.Request;
import dev.kyu.dashboard.http.Response;
import dev.kyu.dashboard.http.Router;
import dev.kyu.dashboard.schedule.ScheduleSource.ScheduleView;

/** {@code /api/schedules}: periodic schedules with last and next fire; pause, resume, run now. */
public final class SchedulesApi {
    private final DashboardContext ctx;

    public SchedulesApi(DashboardContext ctx) {
        this.ctx = ctx;
    }

    public void routes(Router router) {
        router.get("/api/schedules", r -> Response.json(list()));
        router.post("/api/schedules/{name}/pause", r -> pause(r, true));
        router.post("/api/schedules/{name}/resume", r -> pause(r, false));
        router.post("/api/schedules/{name}/run", this::run);
    }

    ArrayNode list() {
        ArrayNode out = Json.array();
        for (ScheduleView s : ctx.schedules().list()) out.add(schedule(s));
        return out;
    }

    static ObjectNode schedule(ScheduleView s) {
        ObjectNode o = Json.object();
        o.put("name", s.name());
        o.put("task", s.task());
        o.put("queue", s.queue());
        o.put("cron", s.cron());
        o.put("zone", s.zone());
        o.put("paused", s.paused());
        if (s.lastFire() == null) o.putNull("lastFire");
        else o.put("lastFire", s.lastFire().toString());
        if (s.nextFire() == null) o.putNull("nextFire");
        else o.put("nextFire", s.nextFire().toString());
        return o;
    }

    private Response pause(Request r, boolean paused) throws Exception {
        String name = r.param("name");
        boolean found = paused ? ctx.schedules().pause(name) : ctx.schedules().resume(name);
        if (!found) throw HttpError.notFound("no schedule named " + name);
        return Actions.done(r, Json.object().put("name", name).put("paused", paused));
    }

    private Response run(Request r) throws Exception {
        String name = r.param("name");
        String id = ctx.schedules().runNow(name);
        if (id == null) throw HttpError.notFound("no schedule named " + name);
        return Actions.done(r, Json.object().put("name", name).put("id", id));
    }
}
