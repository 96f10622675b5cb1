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
 * call per job, each fenced by the lease (the job must still be RUNNING under that worker and attempt), so
 * a stale report changes nothing. A job whose queue is unknown is reported lost (extend) or not applied
 * (complete).
 */
final class RedisOutcomes {
    private final ScriptRunner runner;
    private final Duration outage;
    private final RedisJobIndex index;
    private final LinkRelay relay;

    RedisOutcomes(ScriptRunner runner, Duration outage, RedisJobIndex index, LinkRelay relay) {
        this.runner = runner;
        this.outage = outage;
        this.index = index;
        this.relay = relay;
    }

    LeaseReport extend(LeaseExtension extension) {
        if (extension.leases().isEmpty()) return LeaseReport.EMPTY;
        List<Lease> leases = extension.leases();
        List<String> queues = index.queuesOf(leases.stream().map(Lease::jobId).toList());
        var lost = new HashSet<String>();
        var cancel = new HashSet<String>();
        var known = new ArrayList<Integer>();
        for (int i = 0; i < leases.size(); i++) {
            if (queues.get(i) == null) lost.add(leases.get(i).jobId());
            else known.add(i);
        }
        if (!known.isEmpty()) {
            List<Object> codes = runner.perItem("heartbeat", outage, Script.EXTEND,
                    List.of(Long.toString(Math.max(1, extension.leaseDuration().toMillis()))),
                    known.stream().map(queues::get).toList(),
                    known.stream().map(i -> {
                        Lease l = leases.get(i);
                        var progress = extension.progress().get(l.jobId());
                        return List.of(queues.get(i), l.jobId(), l.workerId(), Integer.toString(l.attempt()),
                                progress == null ? "" : Double.toString(progress.fraction()),
                                progress == null || progress.message() == null ? "" : progress.message());
                    }).toList(), null);
            for (int j = 0; j < known.size(); j++) {
                String id = leases.get(known.get(j)).jobId();
                long code = ((Number) codes.get(j)).longValue();
                if (code == 0) { lost.add(id); index.forget(id); }
                else if (code == 2) cancel.add(id);
            }
        }
        return new LeaseReport(lost, cancel);
    }

    List<Boolean> complete(List<Completion> completions) {
        if (completions.isEmpty()) return List.of();
        List<String> queues = index.queuesOf(completions.stream().map(c -> c.lease().jobId()).toList());
        var known = new ArrayList<Integer>();
        for (int i = 0; i < completions.size(); i++) if (queues.get(i) != null) known.add(i);
        Boolean[] out = new Boolean[completions.size()];
        Arrays.fill(out, Boolean.FALSE);
        if (!known.isEmpty()) {
            List<Object> applied = runner.perItem("complete", outage, Script.COMPLETE, List.of(),
                    known.stream().map(queues::get).toList(),
                    known.stream().map(i -> completionArgs(queues.get(i), completions.get(i))).toList(), null);
            var relayed = new ArrayList<String>();
            for (int j = 0; j < known.size(); j++) {
                long code = ((Number) applied.get(j)).longValue();
                out[known.get(j)] = code >= 1;
                if (code == 2) relayed.add(queues.get(known.get(j)));
            }
            // A Cluster: the releases these outcomes recorded are applied right away (LinkRelay).
            relay.drain(relayed);
        }
        for (Completion c : completions) index.forget(c.lease().jobId());
        return List.of(out);
    }

    private static List<String> completionArgs(String queue, Completion c) {
        Lease l = c.lease();
        String kind, payload = "";
        long delay = 0;
        switch (c.outcome()) {
            case Outcome.Succeeded s -> { kind = "S"; payload = s.result() == null ? "null" : s.result(); }
            case Outcome.Retry r -> { kind = "R"; payload = RedisJobCodec.encode(r.error()); delay = r.delay().toMillis(); }
            case Outcome.Dead d -> { kind = "D"; payload = RedisJobCodec.encode(d.error()); }
            case Outcome.Cancelled x -> { kind = "C"; payload = RedisJobCodec.encode(x.reason()); }
            case Outcome.Released r -> { kind = "L"; delay = r.delay().toMillis(); }
        }
        return List.of(queue, l.jobId(), l.workerId(), Integer.toString(l.attempt()), kind, payload, Long.toString(Math.max(0, delay)));
    }
}
