package dev.kyu.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobState;
import dev.kyu.spi.QueueInfo;
import dev.kyu.spi.StatsBucket;
import dev.kyu.spi.WorkerInfo;
import java.time.Instant;
import java.util.Collection;

/**
 * The documented JSON shapes of jobs, queues, workers and statistics (docs/json.md), shared by
 * {@code kyu … --json} and the HTTP API so that both always say the same thing. Field names are a
 * contract: add fields, never rename them.
 */
public final class JobJson {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private JobJson() {}

    public static ObjectNode job(Job j) {
        ObjectNode o = F.objectNode();
        o.put("id", j.id());
        o.put("task", j.task());
        o.put("queue", j.queue());
        o.put("state", j.state().name());
        o.put("attempt", j.attempt());
        o.put("maxAttempts", j.maxAttempts());
        o.put("priority", j.priority());
        putJsonText(o, "args", j.args());
        putJsonText(o, "result", j.result());
        JobError current = j.error();
        o.set("error", current == null ? F.nullNode() : error(current));
        ArrayNode errors = o.putArray("errors");
        j.errors().forEach(e -> errors.add(error(e)));
        time(o, "enqueuedAt", j.enqueuedAt());
        time(o, "scheduledAt", j.scheduledAt());
        time(o, "startedAt", j.startedAt());
        time(o, "finishedAt", j.finishedAt());
        time(o, "leaseExpiresAt", j.leaseExpiresAt());
        o.put("workerId", j.workerId());
        o.put("uniqueKey", j.uniqueKey());
        if (j.timeout() == null) o.putNull("timeoutMs");
        else o.put("timeoutMs", j.timeout().toMillis());
        o.put("backoff", j.backoff());
        if (j.resultTtl() == null) o.putNull("resultTtlMs");
        else o.put("resultTtlMs", j.resultTtl().toMillis());
        ObjectNode meta = o.putObject("meta");
        j.meta().forEach(meta::put);
        o.put("cancelRequested", j.cancelRequested());
        o.put("fence", j.fence());
        if (j.progress() == null) {
            o.putNull("progress");
        } else {
            ObjectNode p = o.putObject("progress");
            p.put("fraction", j.progress().fraction());
            p.put("message", j.progress().message());
        }
        ObjectNode links = o.putObject("links");
        links.put("waitsFor", j.links().waitsFor());
        ArrayNode deps = links.putArray("dependents");
        j.links().dependents().forEach(deps::add);
        links.put("retainWith", j.links().retainWith());
        return o;
    }

    /**
     * A workflow as {@code kyu workflow ID --json} and the HTTP API show it (docs/json.md): its state, and each
     * step in short (state, attempt, times, error); a step's whole job is one {@code kyu job ID} away.
     */
    public static ObjectNode workflow(dev.kyu.workflow.WorkflowView w) {
        ObjectNode o = F.objectNode();
        o.put("id", w.id());
        o.put("name", w.name());
        o.put("state", w.state().name());
        time(o, "enqueuedAt", w.enqueuedAt());
        time(o, "finishedAt", w.finishedAt());
        ArrayNode failed = o.putArray("failed");
        w.failed().forEach(failed::add);
        ObjectNode counts = o.putObject("counts");
        w.counts().forEach((state, n) -> counts.put(state.name(), n));
        ArrayNode steps = o.putArray("steps");
        for (var s : w.steps()) {
            ObjectNode n = steps.addObject();
            n.put("name", s.name());
            n.put("id", s.id());
            n.put("task", s.task());
            n.put("queue", s.queue());
            ArrayNode after = n.putArray("after");
            s.after().forEach(after::add);
            n.put("onFailure", s.onFailure().name());
            n.put("compensate", s.compensate());
            stepJob(n, s.job());
        }
        ArrayNode comps = o.putArray("compensations");
        for (var c : w.compensations()) {
            ObjectNode n = comps.addObject();
            n.put("step", c.step());
            n.put("id", c.id());
            n.put("task", c.task());
            stepJob(n, c.job());
        }
        return o;
    }

    /** The parts of a step's job a workflow view shows; state null once the job is gone (pruned or deleted). */
    private static void stepJob(ObjectNode n, Job j) {
        n.put("state", j == null ? null : j.state().name());
        n.put("attempt", j == null ? 0 : j.attempt());
        time(n, "startedAt", j == null ? null : j.startedAt());
        time(n, "finishedAt", j == null ? null : j.finishedAt());
        JobError e = j == null ? null : j.error();
        n.set("error", e == null ? F.nullNode() : error(e));
    }

    public static ArrayNode jobs(Collection<Job> jobs) {
        ArrayNode a = F.arrayNode();
        jobs.forEach(j -> a.add(job(j)));
        return a;
    }

    public static ObjectNode error(JobError e) {
        ObjectNode o = F.objectNode();
        o.put("attempt", e.attempt());
        o.put("type", e.type());
        o.put("message", e.message());
        o.put("stackTrace", e.stackTrace());
        time(o, "at", e.at());
        return o;
    }

    public static ObjectNode queue(QueueInfo q) {
        ObjectNode o = F.objectNode();
        o.put("queue", q.queue());
        o.put("paused", q.paused());
        ObjectNode counts = o.putObject("counts");
        for (JobState s : JobState.values()) counts.put(s.name(), q.count(s));
        time(o, "oldestQueuedAt", q.oldestQueuedAt());
        return o;
    }

    public static ObjectNode worker(WorkerInfo w) {
        ObjectNode o = F.objectNode();
        o.put("id", w.id());
        o.put("host", w.host());
        o.put("pid", w.pid());
        ArrayNode queues = o.putArray("queues");
        w.queues().forEach(queues::add);
        o.put("concurrency", w.concurrency());
        o.put("busy", w.busy());
        time(o, "startedAt", w.startedAt());
        time(o, "heartbeatAt", w.heartbeatAt());
        o.put("cpuLoad", w.cpuLoad());
        o.put("memoryBytes", w.memoryBytes());
        o.put("processed", w.processed());
        o.put("failed", w.failed());
        ObjectNode meta = o.putObject("meta");
        w.meta().forEach(meta::put);
        return o;
    }

    public static ObjectNode stats(StatsBucket b) {
        ObjectNode o = F.objectNode();
        time(o, "minute", b.minute());
        o.put("queue", b.queue());
        o.put("succeeded", b.succeeded());
        o.put("failed", b.failed());
        o.put("retried", b.retried());
        return o;
    }

    /** Embeds stored JSON text as JSON; text that is not valid JSON is shown as a string, never dropped. */
    private static void putJsonText(ObjectNode o, String field, String text) {
        if (text == null) {
            o.putNull(field);
            return;
        }
        try {
            JsonNode n = JsonCodec.shared().mapper().readTree(text);
            o.set(field, n == null ? F.nullNode() : n);
        } catch (java.io.IOException e) {
            o.put(field, text);
            o.put(field + "Invalid", true);
        }
    }

    private static void time(ObjectNode o, String field, Instant t) {
        if (t == null) o.putNull(field);
        else o.put(field, t.toString());
    }
}
