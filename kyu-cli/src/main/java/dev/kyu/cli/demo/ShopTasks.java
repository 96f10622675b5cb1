package dev.kyu.cli.demo;

import dev.kyu.Kyu;
import dev.kyu.job.Backoff;
import dev.kyu.job.JobOptions;
import dev.kyu.task.JobContext;
import dev.kyu.task.KyuTask;
import dev.kyu.task.Task;
import dev.kyu.task.TaskOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The demo's online shop: an order goes through {@code shop.reserve-stock} → {@code shop.charge-payment}
 * → {@code shop.arrange-shipping} → {@code shop.send-confirmation}, each step a job that enqueues the next
 * with the order id in its meta. The payment step fails now and then, as a card network does, so the
 * demo shows retries. Each next step is enqueued under a unique key (order, step), so a step that runs
 * twice (at-least-once delivery) still starts the next step once.
 */
public final class ShopTasks {
    public static final String QUEUE = "shop";
    public static final String RESERVE = "shop.reserve-stock";
    public static final String CHARGE = "shop.charge-payment";
    public static final String SHIP = "shop.arrange-shipping";
    public static final String CONFIRM = "shop.send-confirmation";
    /** Meta key naming the demo run a job belongs to. */
    public static final String RUN = "demo-run";
    /** Meta key naming the order a job works on. */
    public static final String ORDER = "order";

    private final Kyu kyu;
    private final double paymentFailureRate;

    public ShopTasks(Kyu kyu, double paymentFailureRate) {
        this.kyu = kyu;
        this.paymentFailureRate = paymentFailureRate;
    }

    public record Reservation(String orderId, int items, String warehouse) {}
    public record Payment(String orderId, long amountCents, String authorization) {}
    public record Shipment(String orderId, String carrier, String trackingNumber) {}
    public record Email(String to, String subject) {}

    /** The card network said "try again": retryable. */
    public static final class PaymentDeclined extends RuntimeException {
        public PaymentDeclined(String message) {
            super(message);
        }
    }

    private KyuTask<Order, Reservation> reserve;
    private KyuTask<Order, Payment> charge;
    private KyuTask<Order, Shipment> ship;
    private KyuTask<Order, Email> confirm;

    public List<KyuTask<?, ?>> all() {
        // Payment retries after a short fixed pause so that the demo stays short.
        var paymentOptions = TaskOptions.of(JobOptions.builder().maxAttempts(6).backoff(Backoff.fixed(Duration.ofMillis(150))).build());
        confirm = Task.of(CONFIRM, Order.class, Email.class, (o, ctx) -> {
            work(20, 60);
            return new Email(o.customer(), "Your order " + o.orderId() + " is on its way");
        });
        ship = Task.of(SHIP, Order.class, Shipment.class, (o, ctx) -> {
            work(20, 80);
            next(confirm, o, ctx);
            return new Shipment(o.orderId(), "Kyu Parcel", "KP" + Math.abs(o.orderId().hashCode()));
        });
        charge = Task.of(CHARGE, Order.class, Payment.class, (Order o, JobContext ctx) -> {
            work(30, 90);
            if (ThreadLocalRandom.current().nextDouble() < paymentFailureRate) {
                throw new PaymentDeclined("card network timed out for order " + o.orderId() + " (simulated); will retry");
            }
            next(ship, o, ctx);
            return new Payment(o.orderId(), o.totalCents(), "AUTH-" + ctx.jobId().substring(24));
        }).withOptions(paymentOptions);
        reserve = Task.of(RESERVE, Order.class, Reservation.class, (o, ctx) -> {
            work(10, 40);
            next(charge, o, ctx);
            return new Reservation(o.orderId(), o.items(), "warehouse-" + (1 + Math.abs(o.orderId().hashCode()) % 3));
        });
        return List.of(reserve, charge, ship, confirm);
    }

    public KyuTask<Order, Reservation> first() {
        return reserve;
    }

    private void next(KyuTask<Order, ?> step, Order o, JobContext ctx) {
        var options = JobOptions.builder()
                .queue(QUEUE)
                .meta(Map.of(RUN, ctx.meta().getOrDefault(RUN, ""), ORDER, o.orderId()))
                .uniqueFor(o.orderId() + ":" + step.name(), Duration.ofHours(1))
                .build();
        kyu.enqueue(step, o, options);
    }

    /** Stands in for a call to a warehouse, payment or shipping service. */
    private static void work(int minMs, int maxMs) throws InterruptedException {
        Thread.sleep(ThreadLocalRandom.current().nextInt(minMs, maxMs + 1));
    }
}
