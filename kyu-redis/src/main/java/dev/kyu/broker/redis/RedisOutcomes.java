package dev.kyu.broker.redis;

import dev.kyu.broker.redis.Scripts.Script;
import dev.kyu.job.Lease;
import dev.kyu.spi.Completion;
import dev.kyu.spi.LeaseExtension;
import dev.kyu.spi.LeaseReport;
import dev.kyu.spi.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;

/**
 * Applies what workers report about their leases: outcomes of attempts and lease extensions, one script
 * call per queue (one for all on a single server), each fenced by the lease: the job must still be RUNNING
 * under that worker and attempt, in the queue the lease names, so a stale report changes nothing.
 *
 * <p>Every lease names its job's queue, and a job's keys are named by its queue: the scripts are routed by
 * {@link Lease#queue()} (its hash slot on a Cluster) and look the job up under that queue's keys, with no read
 * of the id index ({@code kyu:jobq}). A job's queue is the one its keys name, so a lease naming another queue
 * finds no RUNNING job there and is not held: extend reports it lost, complete answers false, and nothing of the
 * job changes. A lease whose queue is no queue name Kyu accepts
 * cannot name a stored job and is refused without a call.
 */
final class RedisOutcomes {
    private final ScriptRunner runner;
    private final Duration outage;
    private final LinkRelay relay;

    RedisOutcomes(ScriptRunner runner, Duration outage, LinkRelay relay) {
        this.runner = runner;
        this.outage = outage;
        this.relay = relay;
    }

    /** Whether a lease's queue could name a stored job: a queue name that enqueue accepts. */
    private static boolean routable(Lease lease) {
        try {
            Names.checkQueue(lease.queue());
            return true;
        } catch (RuntimeException notAQueue) {
            return false;
        }
    }

    LeaseReport extend(LeaseExtension extension) {
        if (extension.leases().isEmpty()) return LeaseReport.EMPTY;
        List<Lease> leases = extension.leases();
        var lost = new HashSet<String>();
        var cancel = new HashSet<String>();
        var known = new ArrayList<Lease>();
        for (Lease l : leases) {
            if (routable(l)) known.add(l);
            else lost.add(l.jobId());
        }
        if (!known.isEmpty()) {
            List<Object> codes = runner.perItem(
                    "heartbeat",
                    outage,
                    Script.EXTEND,
                    List.of(Long.toString(Math.max(1, extension.leaseDuration().toMillis()))),
                    known.stream().map(Lease::queue).toList(),
                    known.stream()
                            .map(l -> {
                                var progress = extension.progress().get(l.jobId());
                                return List.of(
                                        l.queue(),
                                        l.jobId(),
                                        l.workerId(),
                                        Integer.toString(l.attempt()),
                                        progress == null ? "" : Double.toString(progress.fraction()),
                                        progress == null || progress.message() == null ? "" : progress.message());
                            })
                            .toList(),
                    null);
            for (int j = 0; j < known.size(); j++) {
                String id = known.get(j).jobId();
                long code = ((Number) codes.get(j)).longValue();
                if (code == 0) lost.add(id);
                else if (code == 2) cancel.add(id);
            }
        }
        return new LeaseReport(lost, cancel);
    }

    List<Boolean> complete(List<Completion> completions) {
        if (completions.isEmpty()) return List.of();
        var known = new ArrayList<Integer>();
        for (int i = 0; i < completions.size(); i++)
            if (routable(completions.get(i).lease())) known.add(i);
        Boolean[] out = new Boolean[completions.size()];
        Arrays.fill(out, Boolean.FALSE);
        if (!known.isEmpty()) {
            List<String> queues =
                    known.stream().map(i -> completions.get(i).lease().queue()).toList();
            List<Object> applied = runner.perItem(
                    "complete",
                    outage,
                    Script.COMPLETE,
                    List.of(),
                    queues,
                    known.stream().map(i -> completionArgs(completions.get(i))).toList(),
                    null);
            var relayed = new ArrayList<String>();
            for (int j = 0; j < known.size(); j++) {
                long code = ((Number) applied.get(j)).longValue();
                out[known.get(j)] = code >= 1;
                if (code == 2) relayed.add(queues.get(j));
            }
            // A Cluster: the releases these outcomes recorded are applied right away (LinkRelay).
            relay.drain(relayed);
        }
        return List.of(out);
    }

    private static List<String> completionArgs(Completion c) {
        Lease l = c.lease();
        String kind, payload = "";
        long delay = 0;
        switch (c.outcome()) {
            case Outcome.Succeeded s -> {
                kind = "S";
                payload = s.result() == null ? "null" : s.result();
            }
            case Outcome.Retry r -> {
                kind = "R";
                payload = RedisJobCodec.encode(r.error());
                delay = r.delay().toMillis();
            }
            case Outcome.Dead d -> {
                kind = "D";
                payload = RedisJobCodec.encode(d.error());
            }
            case Outcome.Cancelled x -> {
                kind = "C";
                payload = RedisJobCodec.encode(x.reason());
            }
            case Outcome.Released r -> {
                kind = "L";
                delay = r.delay().toMillis();
            }
        }
        return List.of(
                l.queue(),
                l.jobId(),
                l.workerId(),
                Integer.toString(l.attempt()),
                kind,
                payload,
                Long.toString(Math.max(0, delay)));
    }
}
