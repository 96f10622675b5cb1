package dev.kyu.dashboard.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kyu.KyuException;
import dev.kyu.codec.JsonCodec;
import dev.kyu.dashboard.DashboardContext;
import dev.kyu.dashboard.http.HttpError;
import dev.kyu.dashboard.http.Request;
import dev.kyu.dashboard.http.Response;
import dev.kyu.dashboard.http.Router;
import dev.kyu.flow.KeySource;
import dev.kyu.flow.Limit;
import dev.kyu.flow.LimitCodec;
import dev.kyu.flow.LimitJson;
import dev.kyu.flow.LimitText;
import dev.kyu.flow.Limits;
import dev.kyu.job.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /api/limits}: the flow limits with what they hold back now (docs/flow-control.md); define or
 * replace one (a JSON body of {@link LimitCodec}'s shape, or the limits page's form), remove it, pause it.
 * Workers pick up a change within {@link Limits#REFRESH}. HTML forms can only POST, so each verb also has
 * a POST path the page uses: {@code POST /api/limits} (the name in the body) and
 * {@code POST /api/limits/NAME/delete}.
 */
public final class LimitsApi {
    private final DashboardContext ctx;

    public LimitsApi(DashboardContext ctx) {
        this.ctx = ctx;
    }

    public void routes(Router router) {
        router.get("/api/limits", r -> Response.json(list()));
        router.post("/api/limits", r -> define(r, null));
        router.get("/api/limits/{name}", r -> Response.json(LimitJson.status(status(r.param("name")))));
        router.put("/api/limits/{name}", r -> define(r, r.param("name")));
        router.post("/api/limits/{name}", r -> define(r, r.param("name")));
        router.delete("/api/limits/{name}", this::remove);
        router.post("/api/limits/{name}/delete", this::remove);
        router.post("/api/limits/{name}/pause", this::pause);
    }

    ArrayNode list() {
        ArrayNode out = Json.array();
        for (Limits.LimitStatus s : statuses(ctx.kyu().limits())) out.add(LimitJson.status(s));
        return out;
    }

    /** Every limit with its status, by name; one removed while being read is left out. */
    public static List<Limits.LimitStatus> statuses(Limits limits) {
        var out = new ArrayList<Limits.LimitStatus>();
        for (Limit l : limits.list()) {
            try {
                out.add(limits.status(l.name()));
            } catch (KyuException.InvalidInput removedMeanwhile) {
                // not a limit any more
            }
        }
        return out;
    }

    private Limits.LimitStatus status(String name) {
        Limits limits = ctx.kyu().limits();
        if (limits.get(name).isEmpty()) throw HttpError.notFound("no limit named " + name);
        return limits.status(name);
    }

    private Response define(Request r, String pathName) throws Exception {
        Limit limit = r.isForm() ? fromForm(r) : fromJson(r, pathName);
        if (pathName != null && !pathName.equals(limit.name())) {
            throw HttpError.badRequest("the body names limit " + limit.name() + " but the path names " + pathName);
        }
        Limits limits = ctx.kyu().limits();
        boolean replaced = limits.get(limit.name()).isPresent();
        limits.define(limit);
        if (r.isForm()) return Actions.done(r, LimitJson.limit(limit));
        ObjectNode out = Json.object().put("replaced", replaced);
        out.set("limit", LimitJson.limit(limit));
        return Response.json(replaced ? 200 : 201, out);
    }

    /** A body of {@link LimitCodec}'s shape; its name may be left out when the path gives it. */
    private static Limit fromJson(Request r, String pathName) throws Exception {
        JsonNode body = jsonBody(r);
        if (!(body instanceof ObjectNode o)) throw HttpError.badRequest("limit: expected a JSON object");
        if (pathName != null && !o.has("name")) o.put("name", pathName);
        return LimitCodec.decode(o.toString());
    }

    /**
     * The limits page's form: {@code name}, {@code scope} (task or queue), {@code target}, {@code kind}
     * (rate or concurrency), {@code value} ({@code 100/1s} for a rate, a count for a concurrency),
     * {@code burst} and {@code key} (both optional).
     */
    static Limit fromForm(Request r) throws Exception {
        String name = field(r, "name"),
                scope = field(r, "scope"),
                target = field(r, "target"),
                kind = field(r, "kind"),
                value = field(r, "value");
        String burst = r.form("burst"), key = r.form("key");
        if (name == null || target == null || value == null)
            throw HttpError.badRequest("a limit needs a name, a target and a rule");
        Limit.Target t = switch (scope == null ? "task" : scope) {
            case "task" -> Limit.Target.task(target);
            case "queue" -> Limit.Target.queue(target);
            default -> throw HttpError.badRequest("scope must be task or queue, was " + scope);
        };
        Limit limit;
        if ("concurrency".equals(kind)) {
            if (burst != null && !burst.isBlank()) throw HttpError.badRequest("a burst applies to a rate only");
            limit = new Limit(name, t, Limit.Kind.CONCURRENCY, number(value, "concurrency"), null, 0, null);
        } else if (kind == null || "rate".equals(kind)) {
            LimitText.Rate rate = LimitText.parseRate(value);
            long b = burst == null || burst.isBlank() ? 1 : number(burst, "burst");
            limit = new Limit(name, t, Limit.Kind.RATE, rate.permits(), rate.period(), b, null);
        } else {
            throw HttpError.badRequest("kind must be rate or concurrency, was " + kind);
        }
        return key == null || key.isBlank() ? limit : limit.perKey(KeySource.parse(key.trim()));
    }

    private Response remove(Request r) throws Exception {
        String name = r.param("name");
        if (!ctx.kyu().limits().remove(name)) throw HttpError.notFound("no limit named " + name);
        return Actions.done(r, Json.object().put("name", name).put("removed", true));
    }

    /** Body {@code {"for": "30s", "key": "cust-42"}} ({@code forMs} instead of {@code for} also works), or the page's form fields. */
    private Response pause(Request r) throws Exception {
        String name = r.param("name");
        Limits limits = ctx.kyu().limits();
        Limit limit = limits.get(name).orElseThrow(() -> HttpError.notFound("no limit named " + name));
        String key;
        Duration duration;
        if (r.isForm()) {
            key = field(r, "key");
            String d = field(r, "for");
            if (d == null) throw HttpError.badRequest("say how long to pause: for, e.g. 30s");
            duration = Durations.parse(d);
        } else {
            JsonNode body = r.body().length == 0 ? Json.object() : jsonBody(r);
            if (!body.isObject())
                throw HttpError.badRequest("pause: expected a JSON object such as {\"for\": \"30s\"}");
            key = body.hasNonNull("key") ? body.get("key").asText() : null;
            if (body.hasNonNull("forMs")) {
                if (!body.get("forMs").canConvertToLong())
                    throw HttpError.badRequest("forMs must be a whole number of milliseconds");
                duration = Duration.ofMillis(body.get("forMs").asLong());
            } else if (body.hasNonNull("for") && body.get("for").isTextual()) {
                duration = Durations.parse(body.get("for").asText());
            } else {
                throw HttpError.badRequest("say how long to pause: {\"for\": \"30s\"} or {\"forMs\": 30000}");
            }
        }
        if (key != null && key.isEmpty()) key = null;
        if (key != null && !limit.keyed())
            throw HttpError.badRequest("limit " + name + " has no key: pause it without a key");
        if (duration.isNegative()) throw HttpError.badRequest("a pause must not be negative");
        limits.pause(name, key, duration);
        ObjectNode out = Json.object().put("name", name);
        if (key == null) out.putNull("key");
        else out.put("key", key);
        out.put("pausedForMs", duration.toMillis());
        return Actions.done(r, out);
    }

    /** The body as JSON, declared as JSON and UTF-8; anything else is the client's mistake to name (415, 400). */
    private static JsonNode jsonBody(Request r) throws Exception {
        Json.requireJsonBody(r, r.method() + " " + r.path());
        try {
            return JsonCodec.shared().mapper().readTree(r.bodyText());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw HttpError.badRequest("request body is not valid JSON: "
                    + e.getOriginalMessage().lines().findFirst().orElse(""));
        }
    }

    private static String field(Request r, String name) throws Exception {
        String v = r.form(name);
        return v == null || v.isBlank() ? null : v.trim();
    }

    private static long number(String text, String what) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw HttpError.badRequest(what + " must be a whole number, was '" + text + "'");
        }
    }
}
