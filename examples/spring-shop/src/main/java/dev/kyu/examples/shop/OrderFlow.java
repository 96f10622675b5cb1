package dev.kyu.examples.shop;

import dev.kyu.spring.KyuTask;
import dev.kyu.spring.KyuTemplate;
import dev.kyu.task.NonRetryableException;
import dev.kyu.workflow.Call;
import dev.kyu.workflow.FailurePolicy;
import dev.kyu.workflow.Workflow;
import dev.kyu.workflow.WorkflowHandle;
import java.util.concurrent.CompletableFuture;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * An order's way through the shop as one Kyu workflow (docs/workflows.md): reserve stock, charge the card,
 * then arrange shipping and send the confirmation side by side. Reserving is compensated by releasing the
 * stock: when a later step fails for good (a declined card), the workflow ends FAILED and its end job runs
 * the release with the reservation as args. The whole graph is stored when the order is, in the same
 * transaction, so there is never an order without its workflow nor a workflow without its order.
 *
 * <p>Delivery is at least once, so each step tolerates a rerun: reserve and charge look at the order's
 * status before acting, ship and confirm only set what is already set.
 */
@Component
public class OrderFlow {
    public static final String RESERVE = "shop.reserve-stock";
    public static final String CHARGE = "shop.charge-payment";
    public static final String SHIP = "shop.arrange-shipping";
    public static final String CONFIRM = "shop.send-confirmation";
    public static final String RELEASE = "shop.release-stock";

    /** The args of reserve, charge, ship and confirm: the order they work on. */
    public record OrderRef(String orderId) {}

    /** What reserve took, and so what release gives back. */
    public record Reservation(String orderId, String item, int quantity) {}

    private final Orders orders;
    private final Payments payments;
    private final KyuTemplate kyu;

    public OrderFlow(Orders orders, Payments payments, KyuTemplate kyu) {
        this.orders = orders;
        this.payments = payments;
        this.kyu = kyu;
    }

    /** The workflow of one order. */
    public static Workflow of(String orderId) {
        var ref = new OrderRef(orderId);
        return Workflow.builder("order " + orderId)
                .step("reserve", Call.of(RESERVE, ref))
                .compensate(RELEASE)
                .step("charge", Call.of(CHARGE, ref))
                .after("reserve")
                .step("ship", Call.of(SHIP, ref))
                .after("charge")
                // A confirmation that cannot be sent must not undo an order that ships.
                .step("confirm", Call.of(CONFIRM, ref))
                .after("charge")
                .onFailure(FailurePolicy.IGNORE)
                .build();
    }

    /**
     * Enqueues the order's workflow; called inside the transaction that saves the order, whose connection
     * the workflow's jobs are written on (the broker is the application's DataSource).
     */
    public CompletableFuture<WorkflowHandle> start(String orderId) {
        return kyu.enqueue(of(orderId));
    }

    // A failure that retrying cannot mend ends the step at once; the status written before it is kept.
    @KyuTask(RESERVE)
    @Transactional(noRollbackFor = NonRetryableException.class)
    public Reservation reserve(OrderRef ref) {
        var order = orders.find(ref.orderId()).orElseThrow();
        var reservation = new Reservation(order.id(), order.item(), order.quantity());
        if (!order.status().equals("PLACED")) return reservation; // a rerun: the stock is taken already
        if (!orders.takeStock(order.item(), order.quantity())) {
            orders.status(order.id(), "OUT_OF_STOCK");
            throw new NonRetryableException("out of stock: " + order.quantity() + " " + order.item());
        }
        orders.status(order.id(), "RESERVED");
        return reservation;
    }

    @KyuTask(value = CHARGE, maxAttempts = 5)
    @Transactional(noRollbackFor = NonRetryableException.class)
    public String charge(OrderRef ref) {
        var order = orders.find(ref.orderId()).orElseThrow();
        if (order.status().equals("PAYMENT_DECLINED")) throw new NonRetryableException("card declined");
        if (!order.status().equals("RESERVED")) return "paid"; // a rerun after the charge committed
        if (payments.declines(order.card())) {
            orders.status(order.id(), "PAYMENT_DECLINED");
            throw new NonRetryableException("card declined");
        }
        orders.status(order.id(), "PAID");
        return "paid";
    }

    @KyuTask(SHIP)
    @Transactional
    public String ship(OrderRef ref) {
        String tracking = "KYU-" + ref.orderId().substring(0, 8).toUpperCase();
        orders.shipped(ref.orderId(), tracking);
        return tracking;
    }

    @KyuTask(CONFIRM)
    @Transactional
    public String confirm(OrderRef ref) {
        // A real shop sends the e-mail here; the flag stands for it.
        orders.confirmed(ref.orderId());
        return "confirmation sent for " + ref.orderId();
    }

    /** The compensation of reserve: gets reserve's result, once per failed workflow. */
    @KyuTask(RELEASE)
    @Transactional
    public String release(Reservation reservation) {
        var order = orders.find(reservation.orderId()).orElseThrow();
        if (order.stockReleased()) return "released already";
        orders.returnStock(reservation.item(), reservation.quantity());
        orders.stockReleased(order.id());
        return "released " + reservation.quantity() + " " + reservation.item();
    }
}
