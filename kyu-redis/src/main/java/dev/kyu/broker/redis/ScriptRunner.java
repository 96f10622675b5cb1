package dev.kyu.broker.redis;

import dev.kyu.broker.redis.Scripts.Script;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Sends a script over many items or many queues in as few calls as the deployment allows: one call for a
 * single server (so a batch across queues is still one atomic step and one round trip), one call per
 * queue on a Cluster (each queue's keys live in their own slot), all sent before any reply is awaited.
 */
final class ScriptRunner {
    private final RedisLink link;
    private final Scripts scripts;
    private final Keys keys;
    private final Faults faults;
    private final Duration timeout;

    ScriptRunner(RedisLink link, Scripts scripts, Keys keys, Faults faults, Duration timeout) {
        this.link = link;
        this.scripts = scripts;
        this.keys = keys;
        this.faults = faults;
        this.timeout = timeout;
    }

    /**
     * Runs a per-item script: ARGV = prefix, head…, item count, each item's fields; the script answers one
     * value per item. Returns the answers in item order.
     */
    List<Object> perItem(
            String what,
            Duration budget,
            Script s,
            List<String> head,
            List<String> queueOfItem,
            List<List<String>> itemArgs,
            Supplier<List<CompletableFuture<?>>> alongside) {
        return faults.ride(what, budget, () -> {
            List<CompletableFuture<?>> extra = alongside == null ? List.of() : alongside.get();
            var groups = new LinkedHashMap<String, List<Integer>>();
            for (int i = 0; i < queueOfItem.size(); i++) {
                String g = link.cluster() ? queueOfItem.get(i) : queueOfItem.get(0);
                groups.computeIfAbsent(g, k -> new ArrayList<>()).add(i);
            }
            var routes = new ArrayList<String>();
            var argLists = new ArrayList<List<String>>();
            for (Map.Entry<String, List<Integer>> g : groups.entrySet()) {
                var args = new ArrayList<>(head);
                args.add(Integer.toString(g.getValue().size()));
                for (int i : g.getValue()) args.addAll(itemArgs.get(i));
                routes.add(keys.route(g.getKey()));
                argLists.add(args);
            }
            List<CompletableFuture<List<Object>>> sent = scripts.runMany(s, routes, argLists);
            var calls = new LinkedHashMap<List<Integer>, CompletableFuture<List<Object>>>();
            int n = 0;
            for (List<Integer> items : groups.values()) calls.put(items, sent.get(n++));
            for (var f : extra) await(f);
            Object[] out = new Object[queueOfItem.size()];
            for (var c : calls.entrySet()) {
                List<Object> answers = await(c.getValue());
                for (int j = 0; j < c.getKey().size(); j++) out[c.getKey().get(j)] = answers.get(j);
            }
            return java.util.Arrays.asList(out);
        });
    }

    /**
     * Runs a per-queue script: ARGV = prefix, head…, queue count, queues. On a Cluster, one call per queue
     * in order, each told the part of {@code limit} still left (when {@code limitSlot} is ≥ 0, the index in
     * head holding it) via {@code left}. Returns each call's answer.
     */
    <T> List<T> perQueue(
            String what,
            Duration budget,
            Script s,
            List<String> head,
            List<String> queues,
            java.util.function.ToIntFunction<T> used,
            int limitSlot) {
        if (queues.isEmpty()) return List.of();
        return faults.ride(what, budget, () -> {
            if (!link.cluster()) {
                var args = new ArrayList<>(head);
                args.add(Integer.toString(queues.size()));
                args.addAll(queues);
                return List.of(scripts.<T>run(s, keys.route(queues.get(0)), args));
            }
            var out = new ArrayList<T>();
            int left = limitSlot >= 0 ? Integer.parseInt(head.get(limitSlot)) : Integer.MAX_VALUE;
            for (String q : queues) {
                if (left <= 0) break;
                var args = new ArrayList<>(head);
                if (limitSlot >= 0) args.set(limitSlot, Integer.toString(left));
                args.add("1");
                args.add(q);
                T answer = scripts.run(s, keys.route(q), args);
                out.add(answer);
                if (used != null) left -= used.applyAsInt(answer);
            }
            return out;
        });
    }

    <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable c = Faults.unwrap(e);
            if (c instanceof RuntimeException r) throw r;
            throw new io.lettuce.core.RedisException(Faults.oneLine(c), c);
        } catch (TimeoutException e) {
            throw new io.lettuce.core.RedisCommandTimeoutException("no reply within " + timeout.multipliedBy(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new io.lettuce.core.RedisException("interrupted while waiting for Redis", e);
        }
    }
}
