package dev.kyu.workflow;

import dev.kyu.job.Job;
import dev.kyu.job.JobLinks;
import dev.kyu.job.JobState;
import dev.kyu.spi.Broker;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.NewJob;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The saga's undo: the compensations of a failed workflow's succeeded steps, enqueued as one chain of durable
 * jobs in the reverse order of the steps' finish (a step that finished later is undone first), each released
 * by the one before it; all are kept with the workflow.
 *
 * <p>An end job may run more than once, even at the same moment (a lost lease and a redelivery). Each
 * compensation's id is derived from the workflow's id and its step's name, so every run builds the same batch;
 * a batch holding an id that exists is refused whole by every engine, so exactly one run stores the chain and
 * the others find it stored. (Unique keys would need every key of the batch claimed at once, which a Redis
 * Cluster does one key at a time.)
 */
final class Compensations {

    private final Broker broker;

    Compensations(Broker broker) {
        this.broker = broker;
    }

    List<WorkflowOutcome.Compensation> enqueue(String workflowId, WorkflowDefinition def, Map<String, Job> byId) {
        record Due(int index, WorkflowDefinition.StepDefinition step, Job job) {}
        var due = new ArrayList<Due>();
        for (int i = 0; i < def.steps().size(); i++) {
            var s = def.steps().get(i);
            Job j = byId.get(s.id());
            if (s.compensate() != null && j != null && j.state() == JobState.SUCCEEDED) due.add(new Due(i, s, j));
        }
        if (due.isEmpty()) return List.of();
        // Latest finish first; steps that finished at the same instant in reverse topological order.
        due.sort(Comparator.comparing((Due d) ->
                        d.job().finishedAt() == null ? Instant.MIN : d.job().finishedAt())
                .thenComparingInt(Due::index)
                .reversed());
        var ids = new ArrayList<String>(due.size());
        for (int k = 0; k < due.size(); k++)
            ids.add(compensationId(workflowId, due.get(k).step().name()));
        var jobs = new ArrayList<NewJob>(due.size());
        for (int k = 0; k < due.size(); k++) {
            var s = due.get(k).step();
            var c = s.compensation();
            String queue = c == null ? s.queue() : c.queue();
            int attempts = c == null ? 3 : c.maxAttempts();
            List<String> next = k + 1 < due.size() ? List.of(ids.get(k + 1)) : List.of();
            String args = due.get(k).job().result() == null
                    ? "null"
                    : due.get(k).job().result();
            jobs.add(new NewJob(
                    ids.get(k),
                    s.compensate(),
                    queue,
                    args,
                    0,
                    attempts,
                    null,
                    null,
                    null,
                    null,
                    null,
                    c == null || c.timeoutMs() == null ? null : Duration.ofMillis(c.timeoutMs()),
                    c == null ? null : c.backoff(),
                    Map.of(
                            WorkflowMeta.WORKFLOW,
                            workflowId,
                            WorkflowMeta.STEP,
                            WorkflowMeta.COMPENSATE_PREFIX + s.name()),
                    null,
                    new JobLinks(k == 0 ? 0 : 1, next, workflowId)));
        }
        store(jobs);
        var out = new ArrayList<WorkflowOutcome.Compensation>(due.size());
        for (int k = 0; k < due.size(); k++) {
            out.add(new WorkflowOutcome.Compensation(
                    due.get(k).step().name(), ids.get(k), due.get(k).step().compensate()));
        }
        return out;
    }

    /** Stores the chain unless a run before (or beside) this one did; the batch is all or nothing everywhere. */
    private void store(List<NewJob> jobs) {
        String first = jobs.get(0).id();
        if (broker.jobGet(first).isPresent()) return;
        try {
            broker.jobsEnqueue(EnqueueRequest.of(jobs));
        } catch (RuntimeException e) {
            // Refused because another run stored the chain a moment ago (or, after a step was retried by hand
            // between two runs, a chain sharing some of these compensations): it is stored, once.
            if (!broker.jobsGet(jobs.stream().map(NewJob::id).toList()).isEmpty()) return;
            throw e;
        }
    }

    /**
     * The id of a step's compensation in a workflow: the workflow id's time part (so it sorts with its workflow),
     * the rest from a hash of the workflow id and the step name, with a UUIDv7's version and variant bits.
     */
    static String compensationId(String workflowId, String step) {
        UUID base = UUID.fromString(workflowId);
        byte[] h;
        try {
            h = MessageDigest.getInstance("SHA-256")
                    .digest((workflowId + "/compensate/" + step).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
        long rand12 = ((h[0] & 0xFFL) << 4 | (h[1] & 0xFFL) >>> 4) & 0xFFFL;
        long msb = (base.getMostSignificantBits() & 0xFFFFFFFFFFFF0000L) | 0x7000L | rand12;
        long lsb = 0;
        for (int i = 2; i < 10; i++) lsb = (lsb << 8) | (h[i] & 0xFFL);
        lsb = (lsb & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }
}
