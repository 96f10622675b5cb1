package dev.kyu.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kyu.Kyu;
import dev.kyu.job.JobState;
import dev.kyu.task.NonRetryableException;
import dev.kyu.task.Task;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The test mode runs a workflow to its end, compensations included, before enqueue returns. */
class WorkflowInlineTest {
    record Order(String id, int items) {}

    record Reservation(String orderId, int items) {}

    private final List<String> ran = new CopyOnWriteArrayList<>();
    private final Kyu kyu = Kyu.inline();
    private final Task<Order, Reservation> reserve =
            Task.of("shop.reserve", Order.class, Reservation.class, (o, ctx) -> {
                ran.add("reserve");
                return new Reservation(o.id(), o.items());
            });
    private final Task<Reservation, Integer> charge =
            Task.of("shop.charge", Reservation.class, Integer.class, (r, ctx) -> {
                ran.add("charge " + r.orderId());
                if (r.items() > 5) throw new NonRetryableException("card declined");
                return r.items() * 100;
            });
    private final Task<Reservation, Object> release = Task.of("shop.release", Reservation.class, (r, ctx) -> {
        ran.add("release " + r.orderId());
        return null;
    });
    private final Task<JsonNode, Integer> confirm = Task.of("shop.confirm", JsonNode.class, Integer.class, (a, ctx) -> {
        ran.add("confirm "
                + ctx.workflow().result("shop.reserve", Reservation.class).orderId());
        return a.get("charge").asInt();
    });

    @AfterEach
    void close() {
        kyu.close();
    }

    @Test
    void aWorkflowHasRunToItsEndWhenEnqueueReturns() throws Exception {
        kyu.register(reserve, charge, release, confirm);
        var builder = Workflow.builder("order")
                .step("shop.reserve", reserve.with(new Order("o-1", 2)))
                .step("charge", charge)
                .after("shop.reserve")
                .step("confirm", confirm)
                .after("charge", "shop.reserve");
        WorkflowHandle h = kyu.enqueue(builder.build());

        assertThat(h.state()).isEqualTo(WorkflowState.SUCCEEDED);
        assertThat(ran).containsExactly("reserve", "charge o-1", "confirm o-1");
        assertThat(h.result("confirm", Integer.class)).isEqualTo(200);
        assertThat(h.await(Duration.ZERO).steps()).allMatch(s -> s.state() == JobState.SUCCEEDED);
    }

    @Test
    void aFailedWorkflowIsCompensatedInlineToo() {
        kyu.register(reserve, charge, release, confirm);
        WorkflowHandle h = kyu.enqueue(Workflow.chain(
                reserve.with(new Order("o-2", 9)).compensate(release),
                charge,
                Call.ofJson("kyu.noop", "null").as("shop.confirm")));

        WorkflowView v = h.status();
        assertThat(v.state()).isEqualTo(WorkflowState.FAILED);
        assertThat(v.failed()).containsExactly("shop.charge");
        assertThat(v.compensations())
                .extracting(WorkflowView.CompensationView::state)
                .containsExactly(JobState.SUCCEEDED);
        assertThat(ran).containsExactly("reserve", "charge o-2", "release o-2");
        assertThat(v.step("shop.confirm").orElseThrow().job().lastError().message())
                .isEqualTo("skipped: step shop.charge failed");

        var json = dev.kyu.codec.JobJson.workflow(v);
        assertThat(json.get("state").asText()).isEqualTo("FAILED");
        assertThat(json.get("failed").get(0).asText()).isEqualTo("shop.charge");
        assertThat(json.get("counts").get("CANCELLED").asInt()).isEqualTo(1);
        assertThat(json.get("steps").get(1).get("after").get(0).asText()).isEqualTo("shop.reserve");
        assertThat(json.get("steps").get(1).get("error").get("message").asText())
                .isEqualTo("card declined");
        assertThat(json.get("steps").get(2).get("error").get("type").asText()).isEqualTo(WorkflowMeta.SKIPPED);
        assertThat(json.get("compensations").get(0).get("state").asText()).isEqualTo("SUCCEEDED");
        var stepJson =
                dev.kyu.codec.JobJson.job(v.step("shop.charge").orElseThrow().job());
        assertThat(stepJson.get("links").get("retainWith").asText()).isEqualTo(h.id());
        assertThat(stepJson.get("meta").get(WorkflowMeta.WORKFLOW).asText()).isEqualTo(h.id());
    }

    record Shop(String id, int items, int cents) {}

    record Payment(String orderId, String receipt) {}

    /** The order of docs/workflows.md, as written there, with a card that is declined above 5,000 cents. */
    @Test
    void theOrderExampleOfTheDocs() throws Exception {
        var reserveStock = Task.of(
                "shop.reserve-stock", Shop.class, Reservation.class, (o, ctx) -> new Reservation(o.id(), o.items()));
        var releaseStock =
                Task.of("shop.release-stock", Reservation.class, (r, ctx) -> ran.add("released " + r.orderId()));
        var chargePayment = Task.of("shop.charge-payment", Reservation.class, Payment.class, (r, ctx) -> {
            if (r.items() > 5) throw new NonRetryableException("card declined");
            return new Payment(r.orderId(), "r-" + r.orderId());
        });
        var arrangeShipping =
                Task.of("shop.arrange-shipping", Payment.class, (p, ctx) -> ran.add("shipped " + p.orderId()));
        var sendConfirmation =
                Task.of("shop.send-confirmation", Payment.class, (p, ctx) -> ran.add("confirmed " + p.receipt()));
        kyu.register(reserveStock, releaseStock, chargePayment, arrangeShipping, sendConfirmation);

        for (int items : new int[] {2, 9}) {
            Workflow order = Workflow.builder("order-" + items)
                    .step("reserve", reserveStock.with(new Shop("o-" + items, items, 4200)))
                    .compensate(releaseStock)
                    .step("charge", chargePayment)
                    .after("reserve")
                    .step("ship", arrangeShipping)
                    .after("charge")
                    .step("confirm", sendConfirmation)
                    .after("charge")
                    .onFailure(FailurePolicy.IGNORE)
                    .build();
            WorkflowHandle h = kyu.enqueue(order);
            WorkflowView done = h.await(Duration.ofMinutes(1));
            if (items == 2) {
                assertThat(done.state()).isEqualTo(WorkflowState.SUCCEEDED);
                assertThat(h.result("charge", Payment.class)).isEqualTo(new Payment("o-2", "r-o-2"));
            } else {
                assertThat(done.state()).isEqualTo(WorkflowState.FAILED);
                assertThat(done.compensations())
                        .extracting(WorkflowView.CompensationView::step)
                        .containsExactly("reserve");
            }
        }
        assertThat(ran).containsExactlyInAnyOrder("shipped o-2", "confirmed r-o-2", "released o-9");
    }
}
