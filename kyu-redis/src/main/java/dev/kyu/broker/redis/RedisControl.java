package dev.kyu.broker.redis;

import dev.kyu.broker.redis.Scripts.Script;
import dev.kyu.spi.CancelResult;
import dev.kyu.spi.RetryRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The hand-operated verbs: cancel, retry, delete, purge, pause. Each job's change is one script on its
 * queue's keys; ids are first mapped to queues through the id index, and an unknown id changes nothing.
 * A job that ends here releases its dependents, on a Cluster through the relay.
 */
final class RedisControl {
    private final RedisLink link;
    private final Keys keys;
    private final Scripts scripts;
    private final Faults faults;
    private final ScriptRunner runner;
    private final Duration outage;
    private final RedisJobIndex index;
    private final LinkRelay relay;

    RedisControl(
            RedisLink link,
            Keys keys,
            Scripts scripts,
            Faults faults,
            ScriptRunner runner,
            Duration outage,
            RedisJobIndex index,
            LinkRelay relay) {
        this.link = link;
        this.keys = keys;
        this.scripts = scripts;
        this.faults = faults;
        this.runner = runner;
        this.outage = outage;
        this.index = index;
        this.relay = relay;
    }

    List<CancelResult> cancel(List<String> ids) {
        if (ids.isEmpty()) return List.of();
        List<String> queues = index.queuesOf(ids);
        CancelResult[] out = new CancelResult[ids.size()];
        Arrays.fill(out, CancelResult.NOT_FOUND);
        var known = new ArrayList<Integer>();
        for (int i = 0; i < ids.size(); i++) if (queues.get(i) != null) known.add(i);
        if (!known.isEmpty()) {
            List<Object> codes = runner.perItem(
                    "cancel",
                    outage,
                    Script.CANCEL,
                    List.of(),
                    known.stream().map(queues::get).toList(),
                    known.stream().map(i -> List.of(queues.get(i), ids.get(i))).toList(),
                    null);
            for (int j = 0; j < known.size(); j++) {
                out[known.get(j)] = switch (((Number) codes.get(j)).intValue()) {
                    case 1 -> CancelResult.CANCELLED;
                    case 2 -> CancelResult.CANCEL_REQUESTED;
                    case 3 -> CancelResult.ALREADY_FINISHED;
                    default -> CancelResult.NOT_FOUND;
                };
            }
            relay.drain(known.stream()
                    .filter(i -> out[i] == CancelResult.CANCELLED)
                    .map(queues::get)
                    .toList());
        }
        return List.of(out);
    }

    int retry(RetryRequest request) {
        if (request.ids().isEmpty()) {
            List<String> queues = request.queue() == null ? index.knownQueues() : List.of(request.queue());
            if (request.queue() != null) Names.checkQueue(request.queue());
            List<Long> counts = runner.perQueue("retry", outage, Script.RETRY, List.of("failed"), queues, null, -1);
            return counts.stream().mapToInt(Long::intValue).sum();
        }
        List<String> ids = request.ids();
        List<String> queues = index.queuesOf(ids);
        var byQueue = new LinkedHashMap<String, List<String>>();
        for (int i = 0; i < ids.size(); i++) {
            if (queues.get(i) == null) continue;
            String group = link.cluster() ? queues.get(i) : "";
            var args = byQueue.computeIfAbsent(group, g -> new ArrayList<>());
            args.add(queues.get(i));
            args.add(ids.get(i));
        }
        int total = 0;
        for (var e : byQueue.entrySet()) {
            var args = new ArrayList<String>(
                    List.of("ids", Integer.toString(e.getValue().size() / 2)));
            args.addAll(e.getValue());
            Long n = faults.ride(
                    "retry",
                    outage,
                    () -> scripts.run(Script.RETRY, keys.route(e.getValue().get(0)), args));
            total += n.intValue();
        }
        return total;
    }

    int delete(List<String> ids) {
        if (ids.isEmpty()) return 0;
        List<String> queues = index.queuesOf(ids);
        var known = new ArrayList<Integer>();
        for (int i = 0; i < ids.size(); i++) if (queues.get(i) != null) known.add(i);
        if (known.isEmpty()) return 0;
        List<Object> gone = runner.perItem(
                "delete",
                outage,
                Script.DELETE,
                List.of("any"),
                known.stream().map(queues::get).toList(),
                known.stream().map(i -> List.of(queues.get(i), ids.get(i))).toList(),
                null);
        var deleted = new ArrayList<String>();
        var from = new ArrayList<String>();
        for (int j = 0; j < known.size(); j++) {
            if (((Number) gone.get(j)).longValue() == 1) {
                deleted.add(ids.get(known.get(j)));
                from.add(queues.get(known.get(j)));
            }
        }
        index.forgetAll(deleted);
        relay.drain(from);
        return deleted.size();
    }

    int purge(String queue) {
        Names.checkQueue(queue);
        List<Object> ids =
                faults.ride("purge", outage, () -> scripts.run(Script.PURGE, keys.route(queue), List.of(queue)));
        index.forgetAll(ids.stream().map(String::valueOf).toList());
        relay.drain(List.of(queue));
        return ids.size();
    }

    void pause(String queue, boolean paused) {
        Names.checkQueue(queue);
        faults.ride(paused ? "pause" : "resume", outage, () -> {
            // On a single server the script adds the queue to the set of queue names; a Cluster keeps that set
            // in another slot, so it is added first (a name in it costs nothing if the script then fails).
            if (link.cluster())
                KeyTypes.expect(link, keys.queues(), "set", () -> link.sync().sadd(keys.queues(), queue));
            return scripts.run(Script.PAUSE, keys.route(queue), List.of(queue, paused ? "1" : "0"));
        });
    }
}
