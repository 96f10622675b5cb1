package dev.kyu.examples.shop;

import dev.kyu.job.JobOptions;
import dev.kyu.spring.KyuTask;
import dev.kyu.spring.KyuTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * An order's way through the shop, one Kyu task per step: reserve stock, charge the card, then arrange
 * shipping and send the confirmation side by side; a declined card releases the stock. Each step writes
 * the order and enqueues the next in one transaction, so a step either happened and its successor is
 * queued, or neither. Next steps are enqueued under a unique key (order, step): a step that runs twice
 * (delivery is at least once) still queues its successor once.
 */
@Component
public class OrderFlow {
    public static final String RESERVE = "shop.reserve-stock";
    public static final String CHARGE = "shop.charge-payment";
    public static final String SHIP = "shop.arrange-shipping";
    public static final String CONFIRM = "shop.send-confirmation";
    public static final String RELEASE = "shop.release-stock";

    /** Every step's args: the order it works on. */
    public record OrderRef(String orderId) {}

    private final Orders orders;
    private final Payments payments;
    private final KyuTemplate kyu;

    public OrderFlow(Orders orders, Payments payments, KyuTemplate kyu) {
        this.orders = orders;
        this.payments = payments;
        this.kyu = kyu;
    }

    /** Starts the flow of an order; called inside the transaction that saves it. */
    public void start(String orderId) {
        next(RESERVE, orderId);
    }

    @KyuTask(RESERVE)
    @Transactional
    public String reserve(OrderRef ref) {
        var order = orders.find(ref.orderId()).orElseThrow();
        if (!orders.takeStock(order.item(), order.quantity())) {
            orders.status(order.id(), "OUT_OF_STOCK");
            return "out of stock";
        }
        orders.status(order.id(), "RESERVED");
        next(CHARGE, order.id());
        return "reserved";
    }

    @KyuTask(value = CHARGE, maxAttempts = 5)
    @Transactional
    public String charge(OrderRef ref) {
        var order = orders.find(ref.orderId()).orElseThrow();
        if (payments.declines(order.card())) {
            orders.status(order.id(), "PAYMENT_DECLINED");
            next(RELEASE, order.id());
            return "declined";
        }
        orders.status(order.id(), "PAID");
        next(SHIP, order.id());
        next(CONFIRM, order.id());
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

    @KyuTask(RELEASE)
    @Transactional
    public String release(OrderRef ref) {
        var order = orders.find(ref.orderId()).orElseThrow();
        orders.returnStock(order.item(), order.quantity());
        orders.stockReleased(order.id());
        return "released " + order.quantity() + " " + order.item();
    }

    private void next(String step, String orderId) {
        kyu.enqueue(step, new OrderRef(orderId), JobOptions.builder().unique(orderId + ":" + step).meta("order", orderId).build());
    }
}
