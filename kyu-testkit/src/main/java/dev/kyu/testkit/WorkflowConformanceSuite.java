package dev.kyu.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kyu.Kyu;
import dev.kyu.KyuException;
import dev.kyu.job.Backoff;
import dev.kyu.job.Job;
import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import dev.kyu.maintenance.MaintenanceOptions;
import dev.kyu.spi.Broker;
import dev.kyu.spi.Capability;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.JobQuery;
import dev.kyu.spi.Outcome;
import dev.kyu.spi.PruneRequest;
import dev.kyu.spi.RetryRequest;
import dev.kyu.task.NonRetryableException;
import dev.kyu.task.Task;
import dev.kyu.task.TaskOptions;
import dev.kyu.worker.StopReason;
import dev.kyu.worker.Worker;
import dev.kyu.worker.WorkerOptions;
import dev.kyu.workflow.Call;
import dev.kyu.workflow.FailurePolicy;
import dev.kyu.workflow.Step;
import dev.kyu.workflow.Workflow;
import dev.kyu.workflow.WorkflowHandle;
import dev.kyu.workflow.WorkflowMeta;
import dev.kyu.workflow.WorkflowOutcome;
import dev.kyu.workflow.WorkflowState;
import dev.kyu.workflow.WorkflowView;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Workflows end to end on an engine (docs/workflows.md): the real client, real workers and the engine's job
 * links. An engine runs it by subclassing with {@link #openBroker(Clock)}; the engine must declare
 * {@link Capability#JOB_LINKS}. Time is real, waited for with Awaitility and {@code handle.await}.
 */
public abstract class WorkflowConformanceSuite {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** A fresh, empty broker for each test; the suite closes it after each test. */
    protected abstract Broker openBroker(Clock clock) throws Exception;

    /**
     * A JDBC connection to the engine's own store, auto-commit off, for engines with
     * {@link Capability#TRANSACTIONAL_ENQUEUE}; null (the default) for the others, whose test of it is skipped.
     */
    protected java.sql.Connection openTransaction() throws Exception {
        return null;
    }

    protected Broker broker;
    protected Kyu kyu;
    private final List<Worker> workers = new ArrayList<>();

    public record Order(String id, int items, int cents) {}

    public record Reservation(String orderId, int items) {}

    public record Payment(String orderId, int cents) {}

    public record Shipment(String orderId, String carrier) {}

    /** The args of a step whose parents are the steps a, b and c: bound by step name. */
    public record Abc(int a, int b, int c) {}

    public record Num(int n) {}

    /** What tasks saw, keyed by name so that tasks stay plain lambdas. */
    private final List<String> ran = new CopyOnWriteArrayList<>();

    private final Map<String, AtomicInteger> counters = new ConcurrentHashMap<>();
    private final Map<String, Object> seen = new ConcurrentHashMap<>();
    private final CountDownLatch hold = new CountDownLatch(1);

    private final Task<Order, Reservation> reserve =
            Task.of("shop.reserve", Order.class, Reservation.class, (o, ctx) -> {
                ran.add("reserve");
                return new Reservation(o.id(), o.items());
            });
    private final Task<Reservation, Payment> charge =
            Task.of("shop.charge", Reservation.class, Payment.class, (r, ctx) -> {
                ran.add("charge");
                return new Payment(r.orderId(), r.items() * 250);
            });
    private final Task<Payment, Shipment> ship = Task.of("shop.ship", Payment.class, Shipment.class, (p, ctx) -> {
        ran.add("ship");
        return new Shipment(p.orderId(), "post");
    });
    private final Task<JsonNode, Object> decline = Task.of("shop.decline", JsonNode.class, (a, ctx) -> {
        ran.add("decline");
        throw new NonRetryableException("card declined");
    });
    private final Task<Reservation, Object> release = Task.of("shop.release", Reservation.class, (r, ctx) -> {
        ran.add("release:" + r.orderId());
        counter("release").incrementAndGet();
        return null;
    });
    private final Task<Payment, Object> refund = Task.of("shop.refund", Payment.class, (p, ctx) -> {
        ran.add("refund:" + p.cents());
        counter("refund").incrementAndGet();
        return null;
    });
    private final Task<Num, Integer> square = Task.of("math.square", Num.class, Integer.class, (n, ctx) -> {
        ran.add("square " + n.n());
        return n.n() * n.n();
    });
    private final Task<Abc, Integer> sumAbc =
            Task.of("math.sum-abc", Abc.class, Integer.class, (a, ctx) -> a.a() + a.b() + a.c());
    private final Task<JsonNode, Integer> sumAll =
            Task.of("math.sum-all", JsonNode.class, Integer.class, (all, ctx) -> {
                int s = 0;
                for (JsonNode v : all) s += v.asInt();
                return s;
            });
    /** Records what the step saw of its workflow, then returns its args unchanged. */
    private final Task<JsonNode, JsonNode> look = Task.of("wf.look", JsonNode.class, JsonNode.class, (a, ctx) -> {
        String step = ctx.workflow().step();
        ran.add(step);
        seen.put(step + ".args", String.valueOf(a));
        seen.put(step + ".failed", ctx.workflow().failed());
        seen.put(step + ".parents", List.copyOf(ctx.workflow().parents().keySet()));
        return a;
    });

    private final Task<JsonNode, Object> block = Task.of("wf.block", JsonNode.class, (a, ctx) -> {
        ran.add("block");
        hold.await();
        return null;
    });
    /** Fails its first two attempts. */
    private final Task<JsonNode, String> flaky = Task.of("wf.flaky", JsonNode.class, String.class, (a, ctx) -> {
        ran.add("flaky " + ctx.attempt());
        if (ctx.attempt() < 3) throw new IllegalStateException("not yet (attempt " + ctx.attempt() + ")");
        return "ok on " + ctx.attempt();
    });

    /** Fails the first time it runs, succeeds after. */
    private final Task<JsonNode, String> brokenOnce =
            Task.of("wf.broken-once", JsonNode.class, String.class, (a, ctx) -> {
                if (counter("broken-once").incrementAndGet() == 1)
                    throw new NonRetryableException("broken the first time");
                return "mended";
            });

    @BeforeEach
    void openKyu() throws Exception {
        broker = openBroker(Clock.systemUTC());
        assertThat(broker.capabilities()).as("workflows need job links").contains(Capability.JOB_LINKS);
        kyu = Kyu.builder()
                .broker(broker)
                .maintenance(MaintenanceOptions.DEFAULTS
                        .withPromoteInterval(Duration.ofMillis(50))
                        .withRescueInterval(Duration.ofMillis(200)))
                .build();
        kyu.register(
                reserve,
                charge,
                ship,
                decline,
                release,
                refund,
                square,
                sumAbc,
                sumAll,
                look,
                block,
                flaky,
                brokenOnce);
    }

    @AfterEach
    void closeAll() {
        hold.countDown();
        workers.forEach(w -> w.stop(Duration.ofSeconds(2)));
        kyu.close();
        broker.close();
    }

    protected Worker startWorker() {
        return startWorker(WorkerOptions.builder());
    }

    protected Worker startWorker(WorkerOptions.Builder b) {
        Worker w = kyu.worker(b.concurrency(4)
                        .leaseDuration(Duration.ofSeconds(3))
                        .heartbeatInterval(Duration.ofMillis(100))
                        .fetchWait(Duration.ofMillis(200))
                        .shutdownGrace(Duration.ofSeconds(2))
                        .build())
                .start();
        workers.add(w);
        return w;
    }

    private AtomicInteger counter(String name) {
        return counters.computeIfAbsent(name, n -> new AtomicInteger());
    }

    private static JobOptions once() {
        return JobOptions.builder().maxAttempts(1).build();
    }

    private WorkflowView awaitEnd(WorkflowHandle h) throws InterruptedException {
        WorkflowView v = h.await(WAIT);
        assertThat(v.state()).as("workflow %s ended", h.id()).isNotEqualTo(WorkflowState.RUNNING);
        return v;
    }

    private Map<String, JobState> states(WorkflowView v) {
        var m = new java.util.LinkedHashMap<String, JobState>();
        v.steps().forEach(s -> m.put(s.name(), s.state()));
        return m;
    }

    // ---- shapes --------------------------------------------------------------------------------------

    @Test
    void chainRunsInOrderAndPassesEachResultToTheNext() throws Exception {
        WorkflowHandle h = kyu.enqueue(Workflow.chain(reserve.with(new Order("o-1", 3, 0)), charge, ship)
                .named("order o-1"));
        assertThat(h.state()).isEqualTo(WorkflowState.RUNNING);
        startWorker();

        WorkflowView v = awaitEnd(h);
        assertThat(v.state()).isEqualTo(WorkflowState.SUCCEEDED);
        assertThat(v.name()).isEqualTo("order o-1");
        assertThat(ran).containsExactly("reserve", "charge", "ship");
        assertThat(h.result("shop.charge", Payment.class)).isEqualTo(new Payment("o-1", 750));
        assertThat(h.result("shop.ship", Shipment.class)).isEqualTo(new Shipment("o-1", "post"));
        assertThat(v.steps())
                .extracting(WorkflowView.StepView::name)
                .containsExactly("shop.reserve", "shop.charge", "shop.ship");
        assertThat(v.steps()).allMatch(s -> s.state() == JobState.SUCCEEDED);
        Job chargeJob = v.step("shop.charge").orElseThrow().job();
        Job reserveJob = v.step("shop.reserve").orElseThrow().job();
        assertThat(chargeJob.startedAt()).isAfterOrEqualTo(reserveJob.finishedAt());
        assertThat(chargeJob.meta())
                .containsEntry(WorkflowMeta.WORKFLOW, h.id())
                .containsEntry(WorkflowMeta.STEP, "shop.charge")
                .containsEntry(WorkflowMeta.ARGS_FROM, WorkflowMeta.FROM_PARENTS);
        assertThat(v.endJob().state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(v.finishedAt()).isNotNull();
        assertThat(broker.jobsList(JobQuery.all(10).withTask(WorkflowMeta.END_TASK)))
                .extracting(Job::id)
                .containsExactly(h.id());
    }

    @Test
    void chordFansOutAndFansInWithResultsByStepName() throws Exception {
        var header = Workflow.group(
                square.with(new Num(1)).as("a"),
                square.with(new Num(2)).as("b"),
                square.with(new Num(3)).as("c"));
        WorkflowHandle h = kyu.enqueue(Workflow.chord(header, Call.of(sumAbc).as("total")));
        startWorker();

        WorkflowView v = awaitEnd(h);
        assertThat(v.state()).isEqualTo(WorkflowState.SUCCEEDED);
        assertThat(h.result("total", Integer.class)).isEqualTo(1 + 4 + 9);
        assertThat(v.step("total").orElseThrow().after()).containsExactlyInAnyOrder("a", "b", "c");
        Job total = v.step("total").orElseThrow().job();
        for (String s : List.of("a", "b", "c"))
            assertThat(total.startedAt())
                    .isAfterOrEqualTo(v.step(s).orElseThrow().job().finishedAt());
    }

    @Test
    void groupOfOneTaskNamesItsStepsApartAndAMapTakesThemAll() throws Exception {
        var parts = new ArrayList<Call<Num, Integer>>();
        for (int i = 1; i <= 20; i++) parts.add(square.with(new Num(i)));
        WorkflowHandle h = kyu.enqueue(Workflow.chord(Workflow.group(parts), sumAll));
        startWorker();

        WorkflowView v = awaitEnd(h);
        assertThat(v.state()).isEqualTo(WorkflowState.SUCCEEDED);
        assertThat(v.steps()).hasSize(21);
        assertThat(v.steps().stream()
                        .map(WorkflowView.StepView::name)
                        .distinct()
                        .count())
                .isEqualTo(21);
        assertThat(h.result("math.sum-all", Integer.class)).isEqualTo(2870); // 1² + ... + 20²
    }

    @Test
    void dagRunsEachStepAfterAllItsParentsAndGivesThemToIt() throws Exception {
        var wf = Workflow.builder("diamond")
                .step("a", Call.ofJson("wf.look", "{\"x\": 1}"))
                .step("b", look)
                .after("a")
                .step("c", look)
                .after("a")
                .step("d", look)
                .after("b", "c")
                .build();
        WorkflowHandle h = kyu.enqueue(wf);
        startWorker();

        WorkflowView v = awaitEnd(h);
        assertThat(v.state()).isEqualTo(WorkflowState.SUCCEEDED);
        assertThat(ran.indexOf("a")).isLessThan(ran.indexOf("b")).isLessThan(ran.indexOf("d"));
        assertThat(ran.indexOf("c")).isLessThan(ran.indexOf("d"));
        assertThat(seen.get("b.args")).isEqualTo("{\"x\":1}");
        assertThat(kyu.codec().parse((String) seen.get("d.args")))
                .isEqualTo(kyu.codec().parse("{\"b\":{\"x\":1},\"c\":{\"x\":1}}"));
        assertThat(seen.get("d.parents")).isEqualTo(List.of("b", "c"));
        Job d = v.step("d").orElseThrow().job();
        assertThat(d.meta().get(WorkflowMeta.PARENTS))
                .contains(v.step("b").orElseThrow().id())
                .contains(v.step("c").orElseThrow().id());
    }

    @Test
    void emptyGroupCompletesAtOnce() throws Exception {
        WorkflowHandle h = kyu.enqueue(Workflow.group());
        assertThat(broker.jobGet(h.id()).orElseThrow().state()).isEqualTo(JobState.QUEUED);
        startWorker();

        WorkflowView v = awaitEnd(h);
        assertThat(v.state()).isEqualTo(WorkflowState.SUCCEEDED);
        assertThat(v.steps()).isEmpty();
    }

    @Test
    void aStepIsRetriedByItsPolicyBeforeItsChildrenStart() throws Exception {
        var wf = Workflow.chain(
                Call.of(flaky, null)
                        .options(JobOptions.builder()
                                .maxAttempts(3)
                                .backoff(Backoff.fixed(Duration.ofMillis(50)))
                                .build()),
                Call.of(look).as("after"));
        WorkflowHandle h = kyu.enqueue(wf);
        startWorker();

        WorkflowView v = awaitEnd(h);
        assertThat(v.state()).isEqualTo(WorkflowState.SUCCEEDED);
        assertThat(ran).containsExactly("flaky 1", "flaky 2", "flaky 3", "after");
        Job flakyJob = v.step("wf.flaky").orElseThrow().job();
        assertThat(flakyJob.attempt()).isEqualTo(3);
        assertThat(seen.get("after.args")).isEqualTo("\"ok on 3\"");
        assertThat(v.step("after").orElseThrow().job().attempt()).isEqualTo(1);
    }

    // ---- failure policies ----------------------------------------------------------------------------

    @Test
    void failPolicySkipsTheStepsAfterAndFailsTheWorkflow() throws Exception {
        var wf = Workflow.chain(
                Call.ofJson("wf.look", "1").as("first"),
                Call.of(decline, null).as("bad").options(once()),
                Call.of(look).as("then"),
                Call.of(look).as("last"));
        WorkflowHandle h = kyu.enqueue(wf);
        startWorker();

        WorkflowView v = awaitEnd(h);
        assertThat(v.state()).isEqualTo(WorkflowState.FAILED);
        assertThat(v.failed()).containsExactly("bad");
        assertThat(states(v))
                .containsExactly(
                        Map.entry("first", JobState.SUCCEEDED),
                        Map.entry("bad", JobState.FAILED),
                        Map.entry("then", JobState.CANCELLED),
                        Map.entry("last", JobState.CANCELLED));
        assertThat(ran).containsExactly("first", "decline");
        Job then = v.step("then").orElseThrow().job();
        assertThat(then.lastError().type()).isEqualTo(WorkflowMeta.SKIPPED);
        assertThat(then.lastError().message()).isEqualTo("skipped: step bad failed");
        assertThat(v.step("last").orElseThrow().job().lastError().message())
                .isEqualTo("skipped: step then was skipped");
        assertThat(then.attempt()).as("a skip is no failed attempt to retry").isLessThanOrEqualTo(1);
    }

    @Test
    void continuePolicyLetsTheStepsAfterRunAndSeeTheFailure() throws Exception {
        var wf = Workflow.builder("continue")
                .step("bad", Call.of(decline, null).options(once()))
                .onFailure(FailurePolicy.CONTINUE)
                .step("ok", Call.ofJson("wf.look", "7"))
                .step("after", look)
                .after("bad", "ok")
                .build();
        WorkflowHandle h = kyu.enqueue(wf);
        startWorker();

        WorkflowView v = awaitEnd(h);
        assertThat(v.state()).isEqualTo(WorkflowState.FAILED);
        assertThat(v.failed()).containsExactly("bad");
        assertThat(v.step("after").orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(seen.get("after.failed")).isEqualTo(List.of("bad"));
        assertThat(kyu.codec().parse((String) seen.get("after.args")))
                .isEqualTo(kyu.codec().parse("{\"bad\":null,\"ok\":7}"));
    }

    @Test
    void ignorePolicyTreatsAFailureAsSuccessWithANullResult() throws Exception {
        var wf = Workflow.chain(
                Call.of(decline, null)
                        .as("optional")
                        .onFailure(FailurePolicy.IGNORE)
                        .options(once()),
                Call.of(look).as("after"));
        WorkflowHandle h = kyu.enqueue(wf);
        startWorker();

        WorkflowView v = awaitEnd(h);
        assertThat(v.state()).isEqualTo(WorkflowState.SUCCEEDED);
        assertThat(v.failed()).isEmpty();
        assertThat(states(v)).containsEntry("optional", JobState.FAILED).containsEntry("after", JobState.SUCCEEDED);
        assertThat(seen.get("after.args")).isEqualTo("null");
    }

    @Test
    void skippedStepsKeepTheWorkflowFromSucceedingEvenWhenTheFailureIsRetriedAwayByHand() throws Exception {
        var wf = Workflow.builder("mended")
                .step("broken", Call.ofJson("wf.broken-once", "null").options(once()))
                .step("child", look)
                .after("broken")
                .step("slow", Call.ofJson("wf.block", "null"))
                .build();
        WorkflowHandle h = kyu.enqueue(wf);
        startWorker();
        await().atMost(WAIT)
                .until(() ->
                        h.status().step("child").orElseThrow().state() == JobState.CANCELLED && ran.contains("block"));

        String brokenId = h.status().step("broken").orElseThrow().id();
        assertThat(broker.jobsRetry(RetryRequest.ids(List.of(brokenId)))).isEqualTo(1);
        await().atMost(WAIT).until(() -> broker.jobGet(brokenId).orElseThrow().state() == JobState.SUCCEEDED);
        hold.countDown();

        WorkflowView v = awaitEnd(h);
        assertThat(v.state()).isEqualTo(WorkflowState.FAILED);
        assertThat(v.failed()).containsExactly("child");
        assertThat(ran).doesNotContain("child");
    }

    // ---- compensation --------------------------------------------------------------------------------

    @Test
    void compensationsOfTheSucceededStepsRunInReverseOrder() throws Exception {
        var wf = Workflow.chain(
                reserve.with(new Order("o-9", 2, 0)).compensate(release),
                Call.of(charge).compensate(refund),
                Call.of(decline).options(once()).as("ship"));
        WorkflowHandle h = kyu.enqueue(wf);
        startWorker();

        WorkflowView v = awaitEnd(h);
        assertThat(v.state()).isEqualTo(WorkflowState.FAILED);
        assertThat(v.failed()).containsExactly("ship");
        assertThat(v.compensations())
                .extracting(WorkflowView.CompensationView::step)
                .containsExactly("shop.charge", "shop.reserve");
        await().atMost(WAIT)
                .until(() -> h.status().compensations().stream().allMatch(c -> c.state() == JobState.SUCCEEDED));
        assertThat(ran).containsExactly("reserve", "charge", "decline", "refund:500", "release:o-9");
        var comps = h.status().compensations();
        assertThat(comps.get(1).job().startedAt())
                .isAfterOrEqualTo(comps.get(0).job().finishedAt());
        assertThat(comps.get(0).job().meta())
                .containsEntry(WorkflowMeta.WORKFLOW, h.id())
                .containsEntry(WorkflowMeta.STEP, "compensate:shop.charge");
        assertThat(comps.get(0).job().links().retainWith()).isEqualTo(h.id());
    }

    @Test
    void compensationsRunOnceEvenWhenTheEndJobRunsTwice() throws Exception {
        var wf = Workflow.chain(
                        reserve.with(new Order("o-7", 1, 0)).compensate(release),
                        Call.of(decline).options(once()))
                .withQueue("wf-end");
        WorkflowHandle h = kyu.enqueue(wf);
        startWorker(WorkerOptions.builder().queues("default"));
        await().atMost(WAIT).until(() -> broker.jobGet(h.id()).orElseThrow().state() == JobState.QUEUED);

        // A first run of the end job whose worker then dies: it enqueues the compensations, its outcome is never
        // recorded.
        Job end = broker.jobsFetch(
                        new FetchRequest("doomed", List.of("wf-end"), 1, Duration.ofSeconds(1), Duration.ZERO))
                .get(0);
        Outcome first = kyu.executor().execute(end, () -> StopReason.NONE, broker::now, Duration.ZERO, Duration.ZERO);
        assertThat(first).isInstanceOf(Outcome.Succeeded.class);
        await().atMost(WAIT).until(() -> counter("release").get() == 1);
        WorkflowOutcome decided = kyu.codec().decode(((Outcome.Succeeded) first).result(), WorkflowOutcome.class);

        // Its lease runs out; the job is rescued and run again by a live worker.
        startWorker(WorkerOptions.builder().queues("wf-end"));
        WorkflowView v = awaitEnd(h);
        assertThat(v.endJob().attempt()).isEqualTo(2);
        assertThat(v.state()).isEqualTo(WorkflowState.FAILED);
        assertThat(v.compensations())
                .extracting(WorkflowView.CompensationView::id)
                .containsExactlyElementsOf(decided.compensations().stream()
                        .map(WorkflowOutcome.Compensation::id)
                        .toList());
        assertThat(broker.jobsList(JobQuery.all(100).withTask("shop.release"))).hasSize(1);
        assertThat(counter("release").get()).isEqualTo(1);
    }

    // ---- cancel and retention ------------------------------------------------------------------------

    @Test
    void cancelStopsEveryStepNotYetFinished() throws Exception {
        var wf = Workflow.chain(
                reserve.with(new Order("o-3", 1, 0)).compensate(release),
                Call.ofJson("wf.block", "null").as("slow"),
                Call.of(look).as("never"));
        WorkflowHandle h = kyu.enqueue(wf);
        startWorker();
        await().atMost(WAIT).until(() -> ran.contains("block"));

        assertThat(h.cancel()).isEqualTo(2); // the running step and the waiting one
        WorkflowView v = awaitEnd(h);
        assertThat(v.state()).isEqualTo(WorkflowState.CANCELLED);
        assertThat(states(v))
                .containsExactly(
                        Map.entry("shop.reserve", JobState.SUCCEEDED),
                        Map.entry("slow", JobState.CANCELLED),
                        Map.entry("never", JobState.CANCELLED));
        assertThat(ran).doesNotContain("never");
        await().atMost(WAIT).until(() -> counter("release").get() == 1);
    }

    @Test
    void cancellingTheWorkflowsIdAsAJobCancelsTheWorkflow() throws Exception {
        var wf = Workflow.chain(
                reserve.with(new Order("o-4", 1, 0)).compensate(release),
                Call.ofJson("wf.block", "null").as("slow"),
                Call.of(look).as("never"));
        WorkflowHandle h = kyu.enqueue(wf);
        startWorker();
        await().atMost(WAIT).until(() -> ran.contains("block"));

        // kyu cancel ID, the dashboard's job page: the operator's cancel of the workflow's id
        assertThat(kyu.admin().cancel(List.of(h.id()))).containsExactly(dev.kyu.spi.CancelResult.CANCEL_REQUESTED);
        WorkflowView v = awaitEnd(h);
        assertThat(v.state()).isEqualTo(WorkflowState.CANCELLED);
        assertThat(states(v)).containsEntry("slow", JobState.CANCELLED).containsEntry("never", JobState.CANCELLED);
        assertThat(ran).doesNotContain("never");
        await().atMost(WAIT).until(() -> counter("release").get() == 1);
        assertThat(kyu.admin().cancel(List.of(h.id()))).containsExactly(dev.kyu.spi.CancelResult.ALREADY_FINISHED);
    }

    @Test
    void stepsAreKeptWhileTheWorkflowExistsAndPrunedWithIt() throws Exception {
        var wf = Workflow.chain(
                Call.ofJson("wf.look", "1").as("done"),
                Call.ofJson("wf.block", "null").as("slow"));
        WorkflowHandle h = kyu.enqueue(wf);
        startWorker();
        await().atMost(WAIT).until(() -> ran.contains("block"));
        String doneId = h.status().step("done").orElseThrow().id();

        var pruneAll = new PruneRequest(Duration.ZERO, Duration.ZERO, Duration.ofHours(1), Duration.ofHours(1), 1000);
        broker.jobsPrune(pruneAll);
        assertThat(broker.jobGet(doneId))
                .as("a finished step of a running workflow is kept")
                .isPresent();

        hold.countDown();
        awaitEnd(h);
        var ids = new ArrayList<String>();
        h.status().steps().forEach(s -> ids.add(s.id()));
        ids.add(h.id());
        for (int pass = 0; pass < 3 && !broker.jobsGet(ids).isEmpty(); pass++) broker.jobsPrune(pruneAll);
        assertThat(broker.jobsGet(ids))
                .as("the workflow and its steps go together")
                .isEmpty();
        assertThat(WorkflowView.load(broker, h.id())).isEmpty();
    }

    // ---- transactions -------------------------------------------------------------------------------

    @Test
    void aWorkflowEnqueuedInATransactionAppearsWholeAtCommitAndNotAtAllAfterARollback() throws Exception {
        java.sql.Connection tx = openTransaction();
        org.junit.jupiter.api.Assumptions.assumeTrue(tx != null, "the engine has no transactional enqueue");
        WorkflowHandle kept, dropped;
        try (tx) {
            kept = kyu.enqueue(tx, Workflow.chain(reserve.with(new Order("o-tx", 1, 0)), charge));
            assertThat(broker.jobGet(kept.id()))
                    .as("invisible before the commit")
                    .isEmpty();
            tx.commit();
            dropped = kyu.enqueue(tx, Workflow.chain(reserve.with(new Order("o-rolled-back", 1, 0)), charge));
            tx.rollback();
        }
        assertThat(WorkflowView.load(broker, dropped.id())).isEmpty();
        assertThat(broker.jobsList(JobQuery.all(100))).hasSize(3); // two steps and the end job, all of the kept one
        startWorker();
        assertThat(awaitEnd(kept).state()).isEqualTo(WorkflowState.SUCCEEDED);
        assertThat(kept.result("shop.charge", Payment.class)).isEqualTo(new Payment("o-tx", 250));
    }

    // ---- refusals ------------------------------------------------------------------------------------

    @Test
    void badWorkflowsAreRefusedInOneLineWithNothingStored() {
        var cycle = Workflow.builder("cycle")
                .step("a", look)
                .after("c")
                .step("b", look)
                .after("a")
                .step("c", look)
                .after("b")
                .build();
        var unknownParent = Workflow.builder("orphan")
                .step("a", Call.ofJson("wf.look", "1"))
                .step("b", look)
                .after("nope")
                .build();
        var duplicate = Workflow.builder("twice")
                .step("a", Call.ofJson("wf.look", "1"))
                .step("a", Call.ofJson("wf.look", "2"))
                .build();
        var unknownTask = Workflow.chain(Call.of("wf.no-such-task", Map.of()));
        var unknownCompensation = Workflow.chain(Call.ofJson("wf.look", "1").compensate("wf.no-such-undo"));
        var badJson = Workflow.chain(Call.ofJson("wf.look", "{not json"));
        var steps = new ArrayList<Step>();
        for (int i = 0; i <= Workflow.MAX_STEPS; i++)
            steps.add(new Step("s" + i, Call.ofJson("kyu.noop", "null"), List.of()));
        var tooBig = new Workflow("big", steps, null);

        assertRefused(cycle, "cycle: ");
        assertRefused(unknownParent, "runs after 'nope', which is not a step");
        assertRefused(duplicate, "two steps named 'a'");
        assertRefused(unknownTask, "'wf.no-such-task', which is not registered");
        assertRefused(unknownCompensation, "'wf.no-such-undo', which is not registered");
        assertRefused(badJson, "args of step");
        assertRefused(tooBig, "over the limit of 10000");
        assertThat(broker.jobsList(JobQuery.all(10))).isEmpty();
    }

    @Test
    void anEngineWithoutJobLinksRefusesWorkflows() {
        Broker noLinks = (Broker) java.lang.reflect.Proxy.newProxyInstance(
                Broker.class.getClassLoader(), new Class<?>[] {Broker.class}, (proxy, method, args) -> {
                    if (method.getName().equals("capabilities")) {
                        var caps = EnumSet.noneOf(Capability.class);
                        caps.addAll(broker.capabilities());
                        caps.remove(Capability.JOB_LINKS);
                        return Set.copyOf(caps);
                    }
                    try {
                        return method.invoke(broker, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        try (Kyu other = Kyu.builder().broker(noLinks).build()) {
            assertThatThrownBy(() -> other.enqueue(Workflow.chain(Call.ofJson("kyu.noop", "null"))))
                    .isInstanceOf(KyuException.InvalidInput.class)
                    .hasMessageContaining("JOB_LINKS")
                    .hasMessageNotContaining("\n");
        }
        assertThat(broker.jobsList(JobQuery.all(10))).isEmpty();
    }

    private void assertRefused(Workflow wf, String why) {
        assertThatThrownBy(() -> kyu.enqueue(wf))
                .isInstanceOf(KyuException.InvalidInput.class)
                .hasMessageContaining(why)
                .hasMessageNotContaining("\n");
    }

    // ---- the stored formats --------------------------------------------------------------------------

    @Test
    void theEndJobHoldsTheDefinitionAndTheOutcome() throws Exception {
        var wf = Workflow.builder("order-42")
                .step("reserve", reserve.with(new Order("o-42", 1, 0)))
                .compensate(release)
                .step("charge", decline)
                .after("reserve")
                .options(once())
                .build();
        WorkflowHandle h = kyu.enqueue(wf);
        JsonNode def = kyu.codec().parse(broker.jobGet(h.id()).orElseThrow().args());
        assertThat(def.get("name").asText()).isEqualTo("order-42");
        JsonNode first = def.get("steps").get(0);
        assertThat(first.get("name").asText()).isEqualTo("reserve");
        assertThat(first.get("task").asText()).isEqualTo("shop.reserve");
        assertThat(first.get("queue").asText()).isEqualTo("default");
        assertThat(first.get("after").size()).isZero();
        assertThat(first.get("onFailure").asText()).isEqualTo("FAIL");
        assertThat(first.get("compensate").asText()).isEqualTo("shop.release");
        assertThat(def.get("steps").get(1).get("after").get(0).asText()).isEqualTo("reserve");
        assertThat(def.get("steps").get(1).get("compensate").isNull()).isTrue();
        startWorker();

        awaitEnd(h);
        WorkflowOutcome outcome =
                kyu.codec().decode(broker.jobGet(h.id()).orElseThrow().result(), WorkflowOutcome.class);
        assertThat(outcome.state()).isEqualTo(WorkflowState.FAILED);
        assertThat(outcome.failed()).containsExactly("charge");
        assertThat(outcome.steps())
                .containsEntry("reserve", JobState.SUCCEEDED)
                .containsEntry("charge", JobState.FAILED);
        assertThat(outcome.compensations())
                .extracting(WorkflowOutcome.Compensation::step, WorkflowOutcome.Compensation::task)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("reserve", "shop.release"));
    }

    @Test
    void stepOptionsSetTheStepJobAndTheTaskDefaultsStillApply() throws Exception {
        var slow = Task.of("wf.queued", JsonNode.class, (a, ctx) -> ctx.queue())
                .withOptions(TaskOptions.of(
                        JobOptions.builder().queue("wf-q").maxAttempts(5).build()));
        kyu.register(slow);
        var wf = Workflow.chain(
                slow.with(null).as("task-defaults"),
                Call.of(slow)
                        .as("own")
                        .options(JobOptions.builder()
                                .maxAttempts(2)
                                .timeout(Duration.ofSeconds(30))
                                .build()));
        WorkflowHandle h = kyu.enqueue(wf);
        WorkflowView v = h.status();
        assertThat(v.step("task-defaults").orElseThrow().job().queue()).isEqualTo("wf-q");
        assertThat(v.step("task-defaults").orElseThrow().job().maxAttempts()).isEqualTo(5);
        assertThat(v.step("own").orElseThrow().job().maxAttempts()).isEqualTo(2);
        assertThat(v.step("own").orElseThrow().job().timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(v.step("own").orElseThrow().job().state()).isEqualTo(JobState.BLOCKED);
        assertThat(broker.jobGet(h.id()).orElseThrow().queue())
                .as("the end job goes where the last step went")
                .isEqualTo("wf-q");
    }

    // ---- hostile input and garbage in the store -----------------------------------------------------

    @Test
    void namesWithControlCharactersOrHugeSizesAreRefusedInOneLine() {
        String huge = "p".repeat(100_000);
        var oddParent = Workflow.builder("odd")
                .step("a", Call.ofJson("wf.look", "1"))
                .step("b", look)
                .after("x\ny")
                .build();
        var hugeParent = Workflow.builder("huge")
                .step("a", Call.ofJson("wf.look", "1"))
                .step("b", look)
                .after(huge)
                .build();
        var oddName = Workflow.builder("line one\nline two")
                .step("a", look)
                .after("b")
                .step("b", look)
                .after("a")
                .build();
        var oddStep = new Workflow("raw", List.of(new Step("s\r\nt", Call.ofJson("wf.look", "1"), List.of())), null);
        var hugeStep = new Workflow("raw", List.of(new Step(huge, Call.ofJson("wf.look", "1"), List.of())), null);

        assertRefused(oddParent, "runs after 'x\\ny'");
        assertRefused(hugeParent, "characters)");
        assertRefused(oddName, "has a cycle");
        assertRefused(oddStep, "bad step name");
        assertRefused(hugeStep, "bad step name");
        for (var wf : List.of(hugeParent, hugeStep)) {
            assertThatThrownBy(() -> kyu.enqueue(wf))
                    .matches(e -> e.getMessage().length() < 1_000, "a short message");
        }
        assertThat(broker.jobsList(JobQuery.all(10))).isEmpty();
    }

    /** Runs the job at the head of the queue once, as a worker would, and returns what it decided. */
    private Outcome runHead(String queue) throws InterruptedException {
        Job j = broker.jobsFetch(new FetchRequest("auditor", List.of(queue), 1, Duration.ofSeconds(30), Duration.ZERO))
                .get(0);
        return kyu.executor().execute(j, () -> StopReason.NONE, broker::now, Duration.ZERO, Duration.ZERO);
    }

    @Test
    void aStepWithGarbageParentsInItsMetaIsSkippedInOneLine() throws Exception {
        String gone = dev.kyu.job.JobIds.next();
        for (String parents : List.of(
                "{\"a\\nb\":\"" + gone + "\"}",
                "null",
                "{\"a\":null}",
                "{\"a\":\"not-a-job-id\"}",
                "{\"a\":5}",
                "[1]",
                "7")) {
            var meta = Map.of(
                    WorkflowMeta.WORKFLOW,
                    dev.kyu.job.JobIds.next(),
                    WorkflowMeta.STEP,
                    "s",
                    WorkflowMeta.PARENTS,
                    parents);
            broker.jobsEnqueue(dev.kyu.spi.EnqueueRequest.of(
                    List.of(dev.kyu.spi.NewJob.builder(dev.kyu.job.JobIds.next(), "wf.look")
                            .queue("garbage")
                            .args("1")
                            .meta(meta)
                            .build())));
            Outcome o = runHead("garbage");
            assertThat(o).as("parents %s", parents).isInstanceOf(Outcome.Cancelled.class);
            assertThat(((Outcome.Cancelled) o).reason().type()).isEqualTo(WorkflowMeta.SKIPPED);
            assertThat(((Outcome.Cancelled) o).reason().message())
                    .startsWith("skipped: ")
                    .doesNotContain("\n");
        }
        assertThat(ran).isEmpty();
    }

    @Test
    void anEndJobWithAGarbageDefinitionEndsAtOnceAndOthersRun() throws Exception {
        String missing = dev.kyu.job.JobIds.next();
        var done = kyu.enqueueJson(
                "kyu.noop", "1", JobOptions.builder().queue("garbage").build());
        startWorker(WorkerOptions.builder().queues("garbage"));
        done.await(WAIT);
        workers.forEach(w -> w.stop(Duration.ofSeconds(2)));
        for (String def : List.of(
                "{\"name\":\"no meta\",\"steps\":[]}",
                "\"garbage\"",
                "{\"steps\":[null]}",
                "{\"name\":\"x\",\"steps\":[{\"name\":\"a\",\"id\":null}]}",
                "{\"name\":\"x\",\"steps\":[{\"name\":\"a\",\"id\":\"not-a-job-id\"}]}",
                "{\"name\":\"x\",\"steps\":[{\"name\":null,\"id\":\"" + missing + "\"}]}",
                "{\"name\":\"x\",\"steps\":[{\"name\":\"a\",\"id\":\"" + done.id()
                        + "\",\"compensate\":\"no such task!\","
                        + "\"compensation\":{\"queue\":\"bad queue\",\"maxAttempts\":0}}]}")) {
            String id = dev.kyu.job.JobIds.next();
            var meta = def.contains("no meta") ? Map.<String, String>of() : Map.of(WorkflowMeta.WORKFLOW, id);
            broker.jobsEnqueue(
                    dev.kyu.spi.EnqueueRequest.of(List.of(dev.kyu.spi.NewJob.builder(id, WorkflowMeta.END_TASK)
                            .queue("garbage")
                            .args(def)
                            .maxAttempts(10)
                            .meta(meta)
                            .build())));
            Outcome o = runHead("garbage");
            assertThat(o).as("definition %s", def).isInstanceOfAny(Outcome.Dead.class, Outcome.Succeeded.class);
            if (o instanceof Outcome.Dead d) assertThat(d.error().message()).doesNotContain("\n");
        }
    }

    @Test
    void purgingAQueueThatHoldsHalfAWorkflowEndsItCancelledWithNothingStuck() throws Exception {
        var q1 = JobOptions.builder().queue("wf-q1").build();
        var q2 = JobOptions.builder().queue("wf-q2").build();
        var wf = Workflow.chain(
                        Call.ofJson("wf.look", "1").as("a").options(q1),
                        Call.ofJson("wf.look", "2").as("b").options(q2),
                        Call.ofJson("wf.look", "3").as("c").options(q1))
                .withQueue("wf-end");
        WorkflowHandle h = kyu.enqueue(wf);
        assertThat(broker.queuePurge("wf-q2")).isEqualTo(1);
        startWorker(WorkerOptions.builder().queues("wf-q1", "wf-end"));
        WorkflowView v = awaitEnd(h);
        assertThat(v.state()).as("a step deleted by hand counts as cancelled").isEqualTo(WorkflowState.CANCELLED);
        assertThat(v.failed()).contains("b");
        var expected = new java.util.LinkedHashMap<String, JobState>();
        expected.put("a", JobState.SUCCEEDED);
        expected.put("b", null);
        expected.put("c", JobState.CANCELLED);
        assertThat(states(v)).isEqualTo(expected);
        assertThat(ran).containsExactly("a");
    }

    @Test
    void aStepOrCompensationNoWorkerKnowsFailsAfterTheGraceAndTheRestStillRuns() throws Exception {
        kyu.register(
                Task.of("wf.new", JsonNode.class, (a, ctx) -> a),
                Task.of("wf.undo-new", JsonNode.class, (a, ctx) -> a));
        var wf = Workflow.chain(
                reserve.with(new Order("o-9", 1, 0)).compensate(release),
                Call.ofJson("wf.look", "1").as("mid").compensate("wf.undo-new"),
                Call.ofJson("wf.new", "2").as("new").options(once()),
                Call.ofJson("wf.look", "3").as("after"));
        WorkflowHandle h = kyu.enqueue(wf);
        // An older deploy's workers: they know every task but the two new ones.
        try (Kyu old = Kyu.builder()
                .broker(broker)
                .maintenance(MaintenanceOptions.DEFAULTS
                        .withPromoteInterval(Duration.ofMillis(50))
                        .withRescueInterval(Duration.ofMillis(200)))
                .build()) {
            old.register(reserve, release, look);
            Worker w = old.worker(WorkerOptions.builder()
                            .concurrency(2)
                            .leaseDuration(Duration.ofSeconds(3))
                            .heartbeatInterval(Duration.ofMillis(100))
                            .fetchWait(Duration.ofMillis(200))
                            .shutdownGrace(Duration.ofSeconds(2))
                            .unknownTaskGrace(Duration.ofMillis(500))
                            .unknownTaskDelay(Duration.ofMillis(50))
                            .build())
                    .start();
            try {
                WorkflowView v = awaitEnd(h);
                assertThat(v.state()).isEqualTo(WorkflowState.FAILED);
                assertThat(states(v))
                        .containsExactly(
                                Map.entry("shop.reserve", JobState.SUCCEEDED),
                                Map.entry("mid", JobState.SUCCEEDED),
                                Map.entry("new", JobState.FAILED),
                                Map.entry("after", JobState.CANCELLED));
                assertThat(v.compensations())
                        .extracting(WorkflowView.CompensationView::step)
                        .containsExactly("mid", "shop.reserve");
                await().atMost(WAIT).until(() -> counter("release").get() == 1);
                var comps = h.status().compensations();
                await().atMost(WAIT)
                        .until(() -> h.status().compensations().stream()
                                .allMatch(c -> c.state() != null && c.state().isTerminal()));
                assertThat(h.status().compensations())
                        .extracting(WorkflowView.CompensationView::state)
                        .containsExactly(JobState.FAILED, JobState.SUCCEEDED);
            } finally {
                w.stop(Duration.ofSeconds(2));
            }
        }
    }

    @Test
    void cancelRacingTheStepsEndsTheWorkflowWithEveryStepEnded() throws Exception {
        var calls = new ArrayList<Call<?, ?>>();
        for (int i = 0; i < 40; i++)
            calls.add(Call.ofJson("wf.look", String.valueOf(i)).as("s" + i).compensate(look));
        WorkflowHandle h = kyu.enqueue(Workflow.chord(
                Workflow.group(calls), Call.ofJson("wf.look", "null").as("sum")));
        startWorker();
        startWorker();
        await().atMost(WAIT).until(() -> ran.size() >= 3);
        h.cancel();
        h.cancel();
        WorkflowView v = awaitEnd(h);
        assertThat(v.state()).isIn(WorkflowState.CANCELLED, WorkflowState.SUCCEEDED);
        assertThat(v.steps()).allMatch(s -> s.state() != null && s.state().isTerminal(), "every step ended");
        long succeeded = v.steps().stream()
                .filter(s -> s.state() == JobState.SUCCEEDED && !s.name().equals("sum"))
                .count();
        if (v.state() == WorkflowState.CANCELLED) assertThat(v.compensations()).hasSize((int) succeeded);
    }

    @Test
    void aStepRetriedByHandAfterTheWorkflowEndedChangesNothingOfIt() throws Exception {
        var wf = Workflow.chain(
                reserve.with(new Order("o-8", 1, 0)).compensate(release),
                Call.of(decline).options(once()),
                Call.of(look).as("later"));
        WorkflowHandle h = kyu.enqueue(wf);
        startWorker();
        WorkflowView before = awaitEnd(h);
        await().atMost(WAIT).until(() -> counter("release").get() == 1);
        String declined = before.step("shop.decline").orElseThrow().id();
        String later = before.step("later").orElseThrow().id();
        assertThat(broker.jobsRetry(dev.kyu.spi.RetryRequest.ids(List.of(declined, later))))
                .isEqualTo(2);
        await().atMost(WAIT)
                .until(() -> broker.jobsGet(List.of(declined, later)).stream()
                        .allMatch(j -> j.state().isTerminal()));
        WorkflowView after = h.status();
        assertThat(after.state()).isEqualTo(WorkflowState.FAILED);
        assertThat(after.endJob().attempt()).isEqualTo(before.endJob().attempt());
        assertThat(after.compensations()).hasSize(1);
        assertThat(ran).doesNotContain("later");
        assertThat(counter("release").get()).isEqualTo(1);
    }

    @Test
    void aHandleOnAJobThatIsNoWorkflowFindsNoWorkflow() throws Exception {
        var plain = kyu.enqueueJson(
                "kyu.noop", "null", JobOptions.builder().queue("plain").build());
        WorkflowHandle h = kyu.workflow(plain.id());
        assertThatThrownBy(h::state).isInstanceOf(KyuException.JobNotFound.class);
        assertThatThrownBy(h::status).isInstanceOf(KyuException.JobNotFound.class);
        assertThatThrownBy(h::cancel).isInstanceOf(KyuException.JobNotFound.class);
        assertThat(broker.jobGet(plain.id()).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    }

    @Test
    void anEndJobRunTwiceAtOnceEnqueuesEachCompensationOnce() throws Exception {
        var wf = Workflow.chain(
                        Workflow.group(
                                reserve.with(new Order("o-11", 1, 0)).compensate(release),
                                Call.ofJson("wf.look", "5").as("five").compensate(look),
                                Call.ofJson("wf.look", "6").as("six").compensate(look)),
                        Call.of(decline).options(once()))
                .withQueue("wf-end");
        WorkflowHandle h = kyu.enqueue(wf);
        startWorker(WorkerOptions.builder().queues("default"));
        await().atMost(WAIT).until(() -> broker.jobGet(h.id()).orElseThrow().state() == JobState.QUEUED);
        Job end = broker.jobsFetch(
                        new FetchRequest("zombie", List.of("wf-end"), 1, Duration.ofSeconds(30), Duration.ZERO))
                .get(0);
        // Two workers running the same end job at once: a lost lease and a redelivery overlapping.
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        var runs = new ArrayList<java.util.concurrent.Callable<Outcome>>();
        for (int i = 0; i < 4; i++)
            runs.add(() ->
                    kyu.executor().execute(end, () -> StopReason.NONE, broker::now, Duration.ZERO, Duration.ZERO));
        var decided = new java.util.HashSet<List<String>>();
        try {
            for (var f : pool.invokeAll(runs)) {
                Outcome o = f.get();
                if (o instanceof Outcome.Succeeded ok) {
                    decided.add(kyu.codec().decode(ok.result(), WorkflowOutcome.class).compensations().stream()
                            .map(WorkflowOutcome.Compensation::id)
                            .toList());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(decided)
                .as("every run that succeeded names the same compensation jobs")
                .hasSizeLessThanOrEqualTo(1);
        await().atMost(WAIT)
                .until(() -> counter("release").get() == 1
                        && ran.contains("compensate:five")
                        && ran.contains("compensate:six"));
        assertThat(broker.jobsList(JobQuery.all(100).withTask("shop.release"))).hasSize(1);
        assertThat(ran.stream().filter(r -> r.startsWith("compensate:")).toList())
                .hasSize(2);
        var compensations = broker.jobsList(JobQuery.all(100).withTask("wf.look")).stream()
                .filter(j -> j.meta().getOrDefault(WorkflowMeta.STEP, "").startsWith(WorkflowMeta.COMPENSATE_PREFIX))
                .toList();
        assertThat(compensations)
                .hasSize(2)
                .allMatch(j -> j.state() == JobState.SUCCEEDED, "every compensation ran, none left waiting");
    }

    /** Runs the job at the head of the queue once and records its outcome, as a worker would; returns the outcome. */
    private Outcome runAndComplete(String queue) throws InterruptedException {
        Job j = broker.jobsFetch(new FetchRequest("auditor", List.of(queue), 1, Duration.ofSeconds(30), Duration.ZERO))
                .get(0);
        Outcome o = kyu.executor().execute(j, () -> StopReason.NONE, broker::now, Duration.ZERO, Duration.ZERO);
        assertThat(broker.jobsComplete(List.of(new dev.kyu.spi.Completion(j.lease(), o))))
                .containsExactly(true);
        return o;
    }

    @Test
    void aStepSkippedWithoutAFailedStepToExplainItDoesNotLetTheWorkflowSucceed() throws Exception {
        var calls = new AtomicInteger();
        kyu.register(Task.of("wf.fails-once", JsonNode.class, (a, ctx) -> {
            if (calls.incrementAndGet() == 1) throw new IllegalStateException("first call fails");
            return a;
        }));
        var wf = Workflow.chain(
                        Call.ofJson("wf.fails-once", "1")
                                .as("a")
                                .options(JobOptions.builder()
                                        .queue("wf-a")
                                        .maxAttempts(1)
                                        .build()),
                        Call.ofJson("wf.look", "2")
                                .as("b")
                                .options(JobOptions.builder().queue("wf-b").build()))
                .withQueue("wf-end");
        WorkflowHandle h = kyu.enqueue(wf);
        assertThat(runAndComplete("wf-a")).isInstanceOf(Outcome.Dead.class);
        // An operator retries a by hand just after it released b: b sees it QUEUED and is skipped, then a succeeds.
        assertThat(broker.jobsRetry(dev.kyu.spi.RetryRequest.ids(
                        List.of(h.status().step("a").orElseThrow().id()))))
                .isEqualTo(1);
        assertThat(runAndComplete("wf-b")).isInstanceOf(Outcome.Cancelled.class);
        assertThat(runAndComplete("wf-a")).isInstanceOf(Outcome.Succeeded.class);
        runAndComplete("wf-end");
        WorkflowView v = h.status();
        assertThat(ran).as("b never ran").doesNotContain("b");
        assertThat(v.state())
                .as("a workflow whose step b never ran did not succeed")
                .isEqualTo(WorkflowState.FAILED);
        assertThat(v.failed()).containsExactly("b");
    }

    @Test
    void aDelayOrRunAtOnAStepThatWaitsIsRefusedRatherThanDropped() {
        var delayed = Workflow.chain(
                Call.ofJson("wf.look", "1").as("a"),
                Call.ofJson("wf.look", "2")
                        .as("b")
                        .options(JobOptions.builder().delay(Duration.ofHours(1)).build()));
        var timed = Workflow.chain(
                Call.ofJson("wf.look", "1").as("a"),
                Call.ofJson("wf.look", "2")
                        .as("b")
                        .options(JobOptions.builder()
                                .runAt(java.time.Instant.now().plusSeconds(3600))
                                .build()));
        assertRefused(delayed, "step 'b' runs after other steps, so it cannot have its own delay");
        assertRefused(timed, "step 'b' runs after other steps, so it cannot have its own run-at");
        assertThat(broker.jobsList(JobQuery.all(10))).isEmpty();
    }
}
