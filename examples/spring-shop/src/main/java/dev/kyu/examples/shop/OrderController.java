package dev.kyu.examples.shop;

import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** {@code POST /orders} places an order and answers at once; {@code GET /orders/ID} shows how far it got. */
@RestController
@RequestMapping("/orders")
public class OrderController {
    public record PlaceOrder(String item, int quantity, String card) {}
    /** @param workflow the id of the order's workflow ({@code kyu workflow ID}, the dashboard) */
    public record Placed(String id, String status, String workflow) {}

    private final Orders orders;
    private final OrderFlow flow;

    public OrderController(Orders orders, OrderFlow flow) {
        this.orders = orders;
        this.flow = flow;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Transactional
    public Placed place(@RequestBody PlaceOrder request) {
        if (request.item() == null || !orders.knows(request.item())) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "unknown item '" + request.item() + "'");
        }
        if (request.quantity() < 1)
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "quantity must be at least 1");
        if (request.card() == null || request.card().isBlank())
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "card is missing");
        String id = UUID.randomUUID().toString();
        // The order row and its workflow commit together: no order without its flow, no flow without its order.
        orders.insert(id, request.item(), request.quantity(), request.card());
        // Complete at once here (the workflow joined this transaction); a broker of its own would send it after commit.
        var workflow = flow.start(id).thenApply(h -> {
            orders.workflow(id, h.id());
            return h.id();
        });
        return new Placed(id, "PLACED", workflow.getNow(null));
    }

    @GetMapping("/{id}")
    public Orders.Order get(@PathVariable String id) {
        return orders.find(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no order " + id));
    }
}
