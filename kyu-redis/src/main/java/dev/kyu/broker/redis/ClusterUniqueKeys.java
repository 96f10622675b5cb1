package dev.kyu.broker.redis;

import dev.kyu.KyuException;
import dev.kyu.broker.redis.Scripts.Script;
import dev.kyu.job.Job;
import dev.kyu.job.JobState;
import dev.kyu.job.UniqueScope;
import dev.kyu.spi.NewJob;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Unique keys on a Redis Cluster. There a unique key cannot live next to the jobs (a script reaches one
 * hash slot, and the jobs holding one key may sit in different queues), so each key is a string in a
 * slot of its own naming its holder ({@code id, queue, scope, claimed-at}). Before the jobs are stored,
 * each key is claimed with a compare-and-set script; a key already held is taken over only when its
 * holder is no longer live by its scope, judged from the holder job's state. A claim whose job is not
 * stored yet (its enqueue is in flight) stays live for a short grace period; once the job is stored the
 * claim is confirmed (claim time 0), so a confirmed holder whose job is gone (deleted) is not live. On a single server none of
 * this is needed: the enqueue script checks and sets the keys itself.
 */
final class ClusterUniqueKeys {
    private static final long GRACE_MS = 10_000;
    private static final int ROUNDS = 5;
    private static final String SEP = "\u001f"; // never in an id or queue name: Names refuses control characters

    record Claim(String key, String holder, String value) {}

    /** Per job index: the holder id when the key was held by a live job, and the claims made. */
    record Result(Map<Integer, String> duplicates, List<Claim> claims) {}

    private final Keys keys;
    private final Scripts scripts;

    ClusterUniqueKeys(Keys keys, Scripts scripts) {
        this.keys = keys;
        this.scripts = scripts;
    }

    Result claim(List<NewJob> jobs) {
        var duplicates = new HashMap<Integer, String>();
        var claims = new ArrayList<Claim>();
        try {
            for (int i = 0; i < jobs.size(); i++) {
                NewJob j = jobs.get(i);
                if (j.uniqueKey() == null) continue;
                String period = j.uniqueScope() == UniqueScope.PERIOD
                        ? Long.toString(j.uniquePeriod().toMillis())
                        : "";
                Object got = claimOne(
                        j.id(), j.queue(), j.uniqueKey(), j.uniqueScope().name(), period, false);
                if (got instanceof Claim c) claims.add(c);
                else duplicates.put(i, (String) got);
            }
            return new Result(duplicates, claims);
        } catch (RuntimeException e) {
            release(claims);
            throw e;
        }
    }

    /**
     * Claims again the key of a job of a batch record applied after a crash ({@link PendingEnqueues}): the
     * claim the batch made may have lapsed meanwhile. A claim still naming this job is renewed. Answers the
     * claim, or the id of another live job holding the key (this job is a duplicate by now).
     */
    Object reclaim(String id, String queue, String uniqueKey, String scope, String periodMs) {
        return claimOne(id, queue, uniqueKey, scope, periodMs, true);
    }

    /** A Claim, or the id of the live job holding the key. */
    private Object claimOne(String id, String queue, String uniqueKey, String scope, String period, boolean renew) {
        String key = keys.unique(uniqueKey);
        String holder = id + SEP + queue + SEP + scope + SEP;
        String expect = "";
        for (int round = 0; round < ROUNDS; round++) {
            List<Object> r = scripts.run(Script.CLAIM, key, List.of(holder, period, expect, ""));
            String current = String.valueOf(r.get(1));
            if (((Number) r.get(0)).longValue() == 1) return new Claim(key, holder, current);
            if (current.isEmpty()) {
                expect = ""; // freed meanwhile: claim it if still free
            } else if (renew && current.startsWith(holder)) {
                expect = current;
            } else {
                String[] h = current.split(SEP, -1);
                if (h.length == 4 && live(h, ((Number) r.get(2)).longValue())) return h[0];
                expect = current; // a dead holder (or garbage): take over unless someone else did
            }
        }
        throw new KyuException.BrokerUnavailable(
                "unique key '" + uniqueKey + "' of job " + id
                        + " is contended; nothing of the batch was stored, try again",
                null);
    }

    /** Marks the claims of a stored batch as confirmed; a claim lost meanwhile is left alone. */
    void confirm(List<Claim> claims) {
        for (Claim c : claims) scripts.run(Script.CLAIM, c.key(), List.of(c.holder(), "", c.value(), "confirm"));
    }

    /** Gives back claims of a batch that was not stored after all. */
    void release(List<Claim> claims) {
        for (Claim c : claims) {
            try {
                scripts.run(Script.UNLOCK, c.key(), List.of(c.value()));
            } catch (RuntimeException ignored) {
                // the holder's job does not exist, so the claim lapses after the grace period anyway
            }
        }
    }

    private boolean live(String[] holder, long now) {
        String id = holder[0], queue = holder[1], scope = holder[2];
        if (scope.equals(UniqueScope.PERIOD.name())) return true; // lives out its TTL, whatever the job does
        List<Object> dumps = scripts.run(Script.GET, keys.route(queue), List.of("1", queue, id));
        Job job = RedisJobCodec.decode(dumps.get(0), queue, id, false);
        if (job == null) {
            long claimedAt;
            try {
                claimedAt = Long.parseLong(holder[3]);
            } catch (NumberFormatException e) {
                return false;
            }
            return claimedAt > 0 && now - claimedAt < GRACE_MS;
        }
        return scope.equals(UniqueScope.QUEUED.name())
                ? JobState.WAITING.contains(job.state())
                : !job.state().isTerminal();
    }
}
