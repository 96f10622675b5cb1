package dev.kyu.broker.rabbitmq;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import dev.kyu.KyuException;
import dev.kyu.job.Job;
import dev.kyu.spi.Broker;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.Brokers;
import dev.kyu.spi.Capability;
import dev.kyu.spi.ClaimRequest;
import dev.kyu.spi.Completion;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.EnqueueResult;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.ForwardingBroker;
import dev.kyu.spi.NewJob;
import dev.kyu.spi.RescueResult;
import dev.kyu.spi.RetryRequest;
import dev.kyu.spi.WakeSignal;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RabbitMQ carries the dispatch, a store Kyu already has keeps every job's record and is the only truth. Each Kyu
 * queue has a durable quorum queue of tokens ("one job of this queue is ready"), pushed to a consumer in every
 * worker: a token wakes waiting workers on every machine, and a fetch claims from the store (so the store's order,
 * leases and rescue apply unchanged) and spends the tokens of what it claimed. A running job is protected by the
 * store's lease, never by an unacked message. Every verb not overridden here is the store's.
 */
public final class RabbitBroker extends ForwardingBroker {
    private static final Logger LOG = LoggerFactory.getLogger(RabbitBroker.class);

    private final Broker store;
    private final RabbitUrl url;
    private final String redacted;
    private final Tokens tokens;
    private final Reconciler reconciler;
    private final AtomicBoolean publishFailing = new AtomicBoolean();
    private volatile boolean closed;
    /** Ends the waits that have no RabbitMQ delivery to wake them when the broker closes. */
    private final WakeSignal closing = new WakeSignal();
    /** Woken by every token pushed to this process, and when it closes. */
    private final WakeSignal arrivals = new WakeSignal();
    /** This process's consumers of token queues, by Kyu queue. */
    private final Map<String, Inbox> inboxes = new java.util.concurrent.ConcurrentHashMap<>();
    /** One claim by tokens at a time: the tokens of an inbox are spent in delivery order. */
    private final java.util.concurrent.locks.ReentrantLock taking = new java.util.concurrent.locks.ReentrantLock();
    /** The most tokens one consumer holds: a worker of any concurrency keeps a bounded share of a queue's tokens. */
    static final int MAX_PREFETCH = 1_000;

    private RabbitBroker(Broker store, RabbitUrl url, String redacted, Tokens tokens) {
        super(store);
        this.store = store;
        this.url = url;
        this.redacted = redacted;
        this.tokens = tokens;
        this.reconciler = new Reconciler(store, tokens, url);
    }

    static RabbitBroker open(BrokerConfig config) {
        String redacted = config.redactedUrl();
        RabbitUrl url = RabbitUrl.parse(config.url());
        String scheme = url.storeUrl().trim().toLowerCase(java.util.Locale.ROOT);
        if (scheme.startsWith("memory:") || scheme.startsWith("amqp"))
            throw new KyuException.BrokerConfig("amqp broker " + redacted + ": the store "
                    + BrokerConfig.redact(url.storeUrl())
                    + " is not shared across processes; use sqlite:PATH, postgresql://… or redis://…");
        Broker store = Brokers.open(new BrokerConfig(url.storeUrl(), config.clock(), config.options()));
        if (!store.capabilities().contains(Capability.SHARED_ACROSS_PROCESSES)) {
            store.close();
            throw new KyuException.BrokerConfig("amqp broker " + redacted + ": the store " + store.describe()
                    + " is not shared across processes; use sqlite:PATH, postgresql://… or redis://…");
        }
        Tokens tokens;
        try {
            tokens = Tokens.connect(url, redacted);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        var broker = new RabbitBroker(store, url, redacted, tokens);
        broker.reconciler.start();
        return broker;
    }

    @Override
    public String describe() {
        return BrokerConfig.redact(url.amqpUri()) + " (prefix " + url.prefix() + ", store " + store.describe() + ")";
    }

    /** The store's, less its own blocking fetch: waiting is RabbitMQ's delivery here. */
    @Override
    public Set<Capability> capabilities() {
        var caps = EnumSet.noneOf(Capability.class);
        caps.addAll(store.capabilities());
        caps.remove(Capability.NATIVE_BLOCKING_FETCH);
        return Set.copyOf(caps);
    }

    // ---- producing ---------------------------------------------------------------------------------

    @Override
    public List<EnqueueResult> jobsEnqueue(EnqueueRequest request) {
        // A queue declared elsewhere with other arguments fails before anything is written.
        for (String q : queuesOf(request.jobs())) {
            try {
                tokens.declare(q);
            } catch (KyuException.BrokerUnavailable e) {
                warnPublish(e);
            }
        }
        List<EnqueueResult> results = store.jobsEnqueue(request);
        Instant now = store.now();
        var due = new LinkedHashMap<String, Long>();
        for (int i = 0; i < results.size(); i++) {
            NewJob j = request.jobs().get(i);
            if (results.get(i).created() && dueNow(j, now)) due.merge(j.queue(), 1L, Long::sum);
        }
        mint(due);
        if (request.connection() != null) reconciler.soon(); // the caller commits after this returns
        return results;
    }

    private static boolean dueNow(NewJob j, Instant now) {
        if (j.links() != null && j.links().waitsFor() > 0) return false;
        if (j.runAt() != null && j.runAt().isAfter(now)) return false;
        return j.delay() == null || !j.delay().isPositive();
    }

    private static List<String> queuesOf(List<NewJob> jobs) {
        return jobs.stream().map(NewJob::queue).distinct().toList();
    }

    /** Publishes tokens; with RabbitMQ away the records are durable and the reconciler mints them later. */
    private void mint(Map<String, Long> perQueue) {
        try {
            for (var e : perQueue.entrySet()) tokens.publish(e.getKey(), e.getValue());
            if (publishFailing.compareAndSet(true, false))
                LOG.info("amqp broker {}: publishing tokens again", redacted);
        } catch (KyuException.BrokerUnavailable e) {
            warnPublish(e);
            reconciler.soon();
        }
    }

    private void warnPublish(RuntimeException e) {
        if (publishFailing.compareAndSet(false, true))
            LOG.warn("{}; jobs are stored and the reconciler dispatches them once RabbitMQ is back", e.getMessage());
    }

    // ---- working -----------------------------------------------------------------------------------

    @Override
    public List<Job> jobsClaim(ClaimRequest request) {
        return spendFor(store.jobsClaim(request), request.queues(), request.limit());
    }

    @Override
    public List<Job> jobsFetch(FetchRequest request) throws InterruptedException {
        long deadline = System.nanoTime() + request.maxWait().toNanos();
        FetchRequest now = new FetchRequest(
                request.workerId(), request.queues(), request.limit(), request.leaseDuration(), Duration.ZERO);
        while (!closed) {
            long seen = arrivals.generation();
            // The store decides what runs, in the worker's queue order and each queue's priority order (its fetch
            // also promotes due delayed jobs); tokens are what wake the wait below, on every machine at once.
            List<Job> got = spendFor(store.jobsFetch(now), request.queues(), request.limit());
            if (!got.isEmpty()) return got;
            long left = deadline - System.nanoTime();
            if (left <= 0) return List.of();
            arrivals.awaitAfter(seen, Math.min(left, url.reconcile().toNanos()));
        }
        return List.of();
    }

    /**
     * Spends, of the tokens this process holds, one per job just claimed of each queue: one acknowledgement per
     * queue. A job claimed while its token was still on its way, or held by another worker, leaves that token as a
     * surplus (an empty claim later, or trimmed by the reconciler). Opens the consumers of the queues asked for
     * first, so that a wait after an empty claim is woken by their next token.
     */
    private List<Job> spendFor(List<Job> claimed, List<String> queues, int room) {
        Set<String> paused = reconciler.paused();
        for (String q : queues) {
            if (paused.contains(q)) stopConsuming(q);
            else inbox(q, room);
        }
        if (claimed.isEmpty()) return claimed;
        var perQueue = new LinkedHashMap<String, Integer>();
        for (Job j : claimed) perQueue.merge(j.queue(), 1, Integer::sum);
        taking.lock();
        try {
            perQueue.forEach((q, n) -> {
                Inbox in = inboxes.get(q);
                if (in != null) in.spend(n);
            });
        } finally {
            taking.unlock();
        }
        return claimed;
    }

    /** Cancels this process's consumer of a paused queue's tokens: those it held go back to the queue. */
    private void stopConsuming(String queue) {
        Inbox in = inboxes.remove(queue);
        if (in != null) in.close();
    }

    /**
     * The consumer of {@code queue}'s tokens, opened (or opened again after RabbitMQ dropped it) with a prefetch of
     * the first claim's room; null while RabbitMQ cannot be reached (the store serves the fetch meanwhile).
     */
    private Inbox inbox(String queue, int room) {
        Inbox in = inboxes.get(queue);
        if (in != null && in.usable()) return in;
        if (in != null) in.close();
        inboxes.remove(queue);
        Channel ch;
        try {
            tokens.declare(queue);
            ch = tokens.borrow();
        } catch (KyuException.BrokerUnavailable e) {
            return null;
        }
        try {
            in = Inbox.open(ch, tokens.queueName(queue), Math.clamp(room, 1, MAX_PREFETCH), arrivals);
        } catch (IOException | ShutdownSignalException e) {
            Tokens.closeQuietly(ch);
            tokens.forget(queue); // declared again on next use, in case an operator deleted it
            return null;
        }
        inboxes.put(queue, in);
        return in;
    }

    // ---- verbs that may make jobs ready without an enqueue ----------------------------------------

    @Override
    public List<Boolean> jobsComplete(List<Completion> completions) {
        List<Boolean> out = store.jobsComplete(completions);
        if (out.contains(Boolean.TRUE)) reconciler.soon(); // a retry due now or released dependents
        return out;
    }

    @Override
    public List<Boolean> jobsComplete(List<Completion> completions, java.sql.Connection connection) {
        List<Boolean> out = store.jobsComplete(completions, connection);
        reconciler.soon();
        return out;
    }

    @Override
    public int jobsPromoteDue(int limit) {
        int n = store.jobsPromoteDue(limit);
        if (n > 0) reconciler.soon();
        return n;
    }

    @Override
    public RescueResult leasesRescueExpired(int limit) {
        RescueResult r = store.leasesRescueExpired(limit);
        if (!r.requeued().isEmpty()) {
            var due = new LinkedHashMap<String, Long>();
            for (Job j : store.jobsGet(r.requeued())) due.merge(j.queue(), 1L, Long::sum);
            mint(due);
        }
        if (r.total() > 0) reconciler.soon(); // ended jobs may have released dependents
        return r;
    }

    @Override
    public int jobsRetry(RetryRequest request) {
        int n = store.jobsRetry(request);
        if (n > 0) reconciler.soon();
        return n;
    }

    @Override
    public List<dev.kyu.spi.CancelResult> jobsCancel(List<String> ids) {
        var out = store.jobsCancel(ids);
        reconciler.soon(); // a cancelled parent may release dependents
        return out;
    }

    @Override
    public int jobsDelete(List<String> ids) {
        int n = store.jobsDelete(ids);
        if (n > 0) reconciler.soon();
        return n;
    }

    @Override
    public int queuePurge(String queue) {
        int n = store.queuePurge(queue);
        try {
            tokens.purge(queue); // the purged jobs' tokens; one an enqueue publishes meanwhile is minted again
        } catch (KyuException.BrokerUnavailable e) {
            warnPublish(e); // left as a surplus, trimmed by the reconciler later
        }
        reconciler.soon();
        return n;
    }

    @Override
    public void queuePause(String queue, boolean paused) {
        store.queuePause(queue, paused);
        reconciler.markPaused(queue, paused);
        if (paused) stopConsuming(queue); // other processes stop at their next fetch, once their look sees it
        if (!paused) reconciler.soon();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        closing.close();
        arrivals.close();
        inboxes.values().forEach(Inbox::close);
        reconciler.close();
        tokens.close();
        store.close();
    }
}
