package dev.kyu.broker.redis;

/**
 * Key names. A queue's keys all carry the queue in braces ({@code kyu:{emails}:ready}) so they share one
 * Cluster hash slot and one script can move a job between them; the few global keys are only ever used
 * by single-key commands. The Lua side builds the same names (see {@code lib.lua}).
 */
record Keys(String prefix) {
    String queue(String q, String suffix) {
        return prefix + ":{" + q + "}:" + suffix;
    }
    /** Any key of the queue's slot, to route a script to the node that owns the queue. */
    String route(String q) {
        return queue(q, "ready");
    }

    String wake(String q) {
        return queue(q, "wake");
    }

    String paused(String q) {
        return queue(q, "paused");
    }

    String stats(String q) {
        return queue(q, "stats");
    }

    String job(String q, String id) {
        return queue(q, "job:" + id);
    }

    String errors(String q, String id) {
        return queue(q, "err:" + id);
    }

    String ready(String q) {
        return queue(q, "ready");
    }

    String stateIndex(String q, String state) {
        return queue(q, "st:" + state);
    }
    /** Set of every queue name ever used. */
    String queues() {
        return prefix + ":queues";
    }
    /** Hash job id → queue, so a job can be found by id alone. */
    String jobQueue() {
        return prefix + ":jobq";
    }
    /** The pub/sub channel on which the scripts that end an awaited job publish its id ({@code lib.lua}, announce). */
    String ended() {
        return prefix + ":ended";
    }

    String workers() {
        return prefix + ":workers";
    }

    String kv() {
        return prefix + ":kv";
    }

    String lock(String name) {
        return prefix + ":lock:" + name;
    }
    /** A unique key on a Cluster, in a slot of its own. */
    String unique(String key) {
        return prefix + ":uniq:{" + key + "}";
    }
}
