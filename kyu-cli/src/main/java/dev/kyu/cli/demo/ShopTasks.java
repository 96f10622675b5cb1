package dev.kyu.cli.demo;

import dev.kyu.job.Backoff;
import dev.kyu.job.JobOptions;
import dev.kyu.task.JobContext;
import dev.kyu.task.KyuTask;
import dev.kyu.task.NonRetryableException;
import dev.kyu.task.Task;
import dev.kyu.task.TaskOptions;
import dev.kyu.workflow.Workflow;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The demo's online shop: each order is one workflow (docs/workflows.md) — reserve stock, then charge the
 * payment, then arrange shipping and send the confirmation side by side. A declined card fails the
 * workflow, and the reservation's compensation, {@code shop.release-stock}, puts the stock back. The card
 * network also times out now and then, so the demo shows retries too.
 */
public final class ShopTasks {
    public static final String QUEUE = "shop";
    public static final String RESERVE = "shop.reserve-stock";
    public static final String CHARGE = "shop.charge-payment";
    public static final String SHIP = "shop.arrange-shipping";
    public static final String CONFIRM = "shop.send-confirmation";
    public static final String RELEASE = "shop.release-stock";
    /** Meta key naming the order a step works on. */
    public static final String ORDER = "order";

    private final double networkFailureRate;

    public ShopTasks(double networkFailureRate) {
        this.networkFailureRate = networkFailureRate;
    }

    public record Reservation(String orderId, int items, String warehouse) {}

    public record Payment(String orderId, long amountCents, String authorization) {}

    public record Shipment(String orderId, String carrier, String trackingNumber) {}

    public record Email(String to, String subject) {}

    public record Release(String orderId, int items, String warehouse) {}

    /** The bank said no: retrying will not change its mind. */
    public static final class PaymentDeclined extends NonRetryableException {
        public PaymentDeclined(String message) {
            super(message);
        }
    }

    /** The card network did not answer in time: worth a retry. */
    public static final class CardNetworkTimeout extends RuntimeException {
        public CardNetworkTimeout(String message) {
            super(message);
        }
    }

    private KyuTask<Order, Reservation> reserve;
    private KyuTask<Order, Payment> charge;
    private KyuTask<Order, Shipment> ship;
    private KyuTask<Order, Email> confirm;
    private KyuTask<Reservation, Release> release;

    public List<KyuTask<?, ?>> all() {
        // Payment retries after a short fixed pause so that the demo stays short.
        var paymentOptions = TaskOptions.of(JobOptions.builder()
                .maxAttempts(6)
                .backoff(Backoff.fixed(Duration.ofMillis(150)))
                .build());
        reserve = Task.of(RESERVE, Order.class, Reservation.class, (o, ctx) -> {
            work(10, 40);
            return new Reservation(
                    o.orderId(),
                    o.items(),
                    "warehouse-" + (1 + Math.abs(o.orderId().hashCode()) % 3));
        });
        charge = Task.of(CHARGE, Order.class, Payment.class, (Order o, JobContext ctx) -> {
                    work(30, 90);
                    if (o.cardDeclines())
                        throw new PaymentDeclined("card ending " + o.card() + " declined for order " + o.orderId());
                    if (ThreadLocalRandom.current().nextDouble() < networkFailureRate) {
                        throw new CardNetworkTimeout(
                                "card network timed out for order " + o.orderId() + " (simulated); will retry");
                    }
                    return new Payment(
                            o.orderId(), o.totalCents(), "AUTH-" + ctx.jobId().substring(24));
                })
                .withOptions(paymentOptions);
        ship = Task.of(SHIP, Order.class, Shipment.class, (o, ctx) -> {
            work(20, 80);
            return new Shipment(
                    o.orderId(), "Kyu Parcel", "KP" + Math.abs(o.orderId().hashCode()));
        });
        confirm = Task.of(CONFIRM, Order.class, Email.class, (o, ctx) -> {
            work(20, 60);
            return new Email(o.customer(), "Your order " + o.orderId() + " is confirmed");
        });
        release = Task.of(RELEASE, Reservation.class, Release.class, (r, ctx) -> {
            work(10, 30);
            return new Release(r.orderId(), r.items(), r.warehouse());
        });
        return List.of(reserve, charge, ship, confirm, release);
    }

    /** One order's workflow: reserve → charge → (ship ∥ confirm); a failure after the reservation releases it. */
    public Workflow order(Order o) {
        var options = JobOptions.builder().queue(QUEUE).meta(ORDER, o.orderId()).build();
        return Workflow.builder(o.orderId())
                .step("reserve", reserve.with(o))
                .options(options)
                .compensate(release)
                .step("charge", charge.with(o))
                .options(options)
                .after("reserve")
                .step("ship", ship.with(o))
                .options(options)
                .after("charge")
                .step("confirm", confirm.with(o))
                .options(options)
                .after("charge")
                .queue(QUEUE)
                .build();
    }

    /** Stands in for a call to a warehouse, payment or shipping service. */
    private static void work(int minMs, int maxMs) throws InterruptedException {
        Thread.sleep(ThreadLocalRandom.current().nextInt(minMs, maxMs + 1));
    }
}
