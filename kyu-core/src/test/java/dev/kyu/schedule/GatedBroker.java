package dev.kyu.schedule;

import dev.kyu.spi.Broker;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.EnqueueResult;
import dev.kyu.spi.ForwardingBroker;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A real broker with a gate in front of enqueue, to stall one scheduler in the middle of its pass (as a
 * long GC pause or a frozen VM would) and resume it later. Everything else passes straight through.
 */
final class GatedBroker extends ForwardingBroker {
    private volatile CountDownLatch gate;
    private volatile CountDownLatch arrived;

    GatedBroker(Broker inner) {
        super(inner);
    }

    /** The next enqueue blocks until {@link #open()}; returns a latch that counts down when it arrives. */
    CountDownLatch closeGate() {
        gate = new CountDownLatch(1);
        arrived = new CountDownLatch(1);
        return arrived;
    }

    void open() {
        gate.countDown();
    }

    @Override
    public List<EnqueueResult> jobsEnqueue(EnqueueRequest request) {
        CountDownLatch g = gate;
        if (g != null) {
            arrived.countDown();
            try {
                if (!g.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("gate never opened");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            gate = null;
        }
        return super.jobsEnqueue(request);
    }
}
