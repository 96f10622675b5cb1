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
    private volatile long lastDoneNanos;

    BrokerPing(Broker broker, Duration deadline, Duration reuse) {
        this.broker = broker;
        this.deadline = deadline;
        this.reuse = reuse;
    }

    boolean up() {
        CompletableFuture<Boolean> f = current();
        // waited for outside the lock: the probes of one moment share the call and each gives up on its own
        try {
            return f.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return false;
        }
    }

    /** The call in flight, the last one while it is fresh, or a new one. */
    private synchronized CompletableFuture<Boolean> current() {
        if (last == null || (last.isDone() && System.nanoTime() - lastDoneNanos >= reuse.toNanos())) {
            var f = new CompletableFuture<Boolean>();
            last = f;
            Thread.ofVirtual().name("kyu-broker-ping").start(() -> {
                boolean ok;
                try {
                    broker.now();
                    ok = true;
                } catch (RuntimeException e) {
                    ok = false;
                }
                lastDoneNanos = System.nanoTime();
                f.complete(ok);
            });
        }
        return last;
    }
}
