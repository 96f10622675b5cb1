package dev.kyu.ops;

import dev.kyu.spi.Broker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Whether the broker answers now, for a readiness probe. An engine may ride out an outage inside a call
 * for a long time (Redis retries for its {@code outage} budget), so the answer is awaited for a short
 * deadline only: a call still running then means "down". One call at a time, reused for a second, so
 * probes never pile calls onto a broker that is struggling.
 */
final class BrokerPing {
    private final Broker broker;
    private final Duration deadline;
    private final Duration reuse;
    private CompletableFuture<Boolean> last;
    private long lastDoneNanos;

    BrokerPing(Broker broker, Duration deadline, Duration reuse) {
        this.broker = broker;
        this.deadline = deadline;
        this.reuse = reuse;
    }

    synchronized boolean up() {
        long now = System.nanoTime();
        if (last == null || (last.isDone() && now - lastDoneNanos >= reuse.toNanos())) {
            last = new CompletableFuture<>();
            CompletableFuture<Boolean> f = last;
            Thread.ofVirtual().name("kyu-broker-ping").start(() -> {
                boolean ok;
                try {
                    broker.now();
                    ok = true;
                } catch (RuntimeException e) {
                    ok = false;
                }
                synchronized (this) {
                    lastDoneNanos = System.nanoTime();
                }
                f.complete(ok);
            });
        }
        try {
            return last.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return false;
        }
    }
}
