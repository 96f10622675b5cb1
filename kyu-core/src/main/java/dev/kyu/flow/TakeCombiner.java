package dev.kyu.flow;

import dev.kyu.spi.Broker;
import dev.kyu.spi.RateTake;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends the rate takes of a process's job threads to the broker together: the thread that finds no take in
 * flight sends every take waiting at that moment in one {@link Broker#kvTakeRates} call and hands each thread its
 * answer; the others wait for theirs. Jobs of many keys starting at once then cost one round trip per batch, not
 * one each. The gate holds a key's lock around its take, so one batch never holds two takes of one key of this
 * process.
 */
final class TakeCombiner {
    static final int MAX_BATCH = 64;

    private final Broker broker;
    private final ConcurrentLinkedQueue<Pending> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean sending = new AtomicBoolean();

    private record Pending(RateTake take, CompletableFuture<RateTake.Taken> answer) {}

    TakeCombiner(Broker broker) {
        this.broker = broker;
    }

    RateTake.Taken take(RateTake take) {
        var mine = new Pending(take, new CompletableFuture<>());
        waiting.add(mine);
        // Whoever sends checks the line again after letting go: a take added while it was finishing is never left.
        while (!waiting.isEmpty() && sending.compareAndSet(false, true)) {
            try {
                sendAll();
            } finally {
                sending.set(false);
            }
        }
        try {
            return mine.answer().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.kyu.KyuException.BrokerUnavailable("interrupted while taking a rate start", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        }
    }

    private void sendAll() {
        while (true) {
            var batch = new ArrayList<Pending>(MAX_BATCH);
            for (Pending p; batch.size() < MAX_BATCH && (p = waiting.poll()) != null; ) batch.add(p);
            if (batch.isEmpty()) return;
            try {
                List<RateTake.Taken> answers =
                        broker.kvTakeRates(batch.stream().map(Pending::take).toList());
                for (int i = 0; i < batch.size(); i++) batch.get(i).answer().complete(answers.get(i));
            } catch (RuntimeException e) {
                for (Pending p : batch) p.answer().completeExceptionally(e);
            }
        }
    }
}
