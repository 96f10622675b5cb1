package dev.kyu.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kyu.ManualClock;
import dev.kyu.job.Job;
import dev.kyu.spi.Broker;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.Brokers;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.NewJob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The gate's decisions on a real (memory) broker with a hand-moved clock. */
class FlowGateTest {
    private final ManualClock clock = new ManualClock();
    private final Broker broker = Brokers.open(new BrokerConfig("memory:", clock, Map.of()));
    private final KvLimits limits = new KvLimits(broker, clock);

    @AfterEach
    void close() {
        broker.close();
    }

    private FlowGate gate(Map<String, KeyFunction> fns) {
        return new FlowGate(broker, clock, fns, Duration.ZERO);
    }

    private List<Job> jobs(String task, String... args) throws InterruptedException {
        var news = new ArrayList<NewJob>();
        for (String a : args)
            news.add(NewJob.builder(java.util.UUID.randomUUID().toString(), task)
                    .args(a)
                    .build());
        broker.jobsEnqueue(new EnqueueRequest(news, null));
        return broker.jobsFetch(
                new FetchRequest("w", List.of("default"), args.length, Duration.ofMinutes(1), Duration.ZERO));
    }

    /** The job as the next fetch leases it after a hand-back: the attempt given back, the fence one higher. */
    private static Job handedBackAndFetched(Job held) {
        return held.toBuilder().fence(held.fence() + 1).build();
    }

    @Test
    void aRateAdmitsItsBurstThenBooksOneSlotPerInterval() throws Exception {
        limits.define(Limit.rate("r", Limit.Target.task("t"), 10, Duration.ofSeconds(1))
                .withBurst(2));
        FlowGate gate = gate(Map.of());
        List<Job> js = jobs("t", "1", "2", "3", "4");
        assertThat(gate.admit(js.get(0))).isInstanceOf(FlowGate.Admit.class);
        assertThat(gate.admit(js.get(1))).isInstanceOf(FlowGate.Admit.class);
        assertThat(gate.admit(js.get(2))).isEqualTo(new FlowGate.Hold(Duration.ofMillis(100)));
        assertThat(gate.admit(js.get(3))).isEqualTo(new FlowGate.Hold(Duration.ofMillis(200)));
        assertThat(limits.status("r").waiting()).isEqualTo(2);
        // back early: held to its own slot again, without a new booking
        clock.advance(Duration.ofMillis(50));
        assertThat(gate.admit(handedBackAndFetched(js.get(2)))).isEqualTo(new FlowGate.Hold(Duration.ofMillis(50)));
        clock.advance(Duration.ofMillis(50));
        assertThat(gate.admit(handedBackAndFetched(js.get(2))))
                .as("at its slot it starts without booking again")
                .isInstanceOf(FlowGate.Admit.class);
        assertThat(limits.status("r").waiting()).isEqualTo(1);
        assertThat(gate.heldBack()).containsEntry("r", 3L);
    }

    @Test
    void aConcurrencySlotIsFreedWhenTheAttemptEnds() throws Exception {
        limits.define(Limit.concurrency("c", Limit.Target.task("t"), 1));
        FlowGate gate = gate(Map.of());
        List<Job> js = jobs("t", "1", "2");
        var first = (FlowGate.Admit) gate.admit(js.get(0));
        assertThat(limits.status("c").running()).isEqualTo(1);
        assertThat(gate.admit(js.get(1))).isInstanceOf(FlowGate.Hold.class);
        first.ticket().release();
        assertThat(limits.status("c").running()).isZero();
        assertThat(gate.admit(js.get(1))).isInstanceOf(FlowGate.Admit.class);
    }

    @Test
    void aRateTokenIsGivenBackWhenAnotherLimitHoldsTheJob() throws Exception {
        limits.define(Limit.rate("r", Limit.Target.task("t"), 1, Duration.ofSeconds(1)));
        limits.define(Limit.rate("s", Limit.Target.queue("default"), 1, Duration.ofSeconds(10)));
        FlowGate gate = gate(Map.of());
        List<Job> js = jobs("t", "1", "2");
        assertThat(gate.admit(js.get(0))).isInstanceOf(FlowGate.Admit.class);
        clock.advance(Duration.ofSeconds(1));
        // r lets job 2 start, s books it 9 s out: r's start is given back
        assertThat(gate.admit(js.get(1))).isEqualTo(new FlowGate.Hold(Duration.ofSeconds(9)));
        List<Job> more = jobs("other", "3");
        assertThat(more).hasSize(1);
        limits.remove("s");
        assertThat(gate.admit(js.get(1))).as("r's start was given back").isInstanceOf(FlowGate.Admit.class);
    }

    @Test
    void keysAreComputedFromArgsMetaOrAFunction() throws Exception {
        limits.define(Limit.rate("per-customer", Limit.Target.task("t"), 1, Duration.ofSeconds(1))
                .perKey(KeySource.args("/customer")));
        limits.define(Limit.rate("per-fn", Limit.Target.task("u"), 1, Duration.ofSeconds(1))
                .perKey(KeySource.function("boom")));
        FlowGate gate = gate(Map.of("boom", j -> {
            throw new IllegalStateException("no tenant");
        }));
        List<Job> js = jobs("t", "{\"customer\":\"a\"}", "{\"customer\":7}", "{\"customer\":\"a\"}", "{}");
        assertThat(gate.admit(js.get(0))).isInstanceOf(FlowGate.Admit.class);
        assertThat(gate.admit(js.get(1))).as("another key").isInstanceOf(FlowGate.Admit.class);
        assertThat(gate.admit(js.get(2))).isInstanceOf(FlowGate.Hold.class);
        assertThat(gate.admit(js.get(3)))
                .isEqualTo(new FlowGate.Fail(
                        "kyu.FlowKeyError", "limit per-customer: args have no value at /customer for its key"));
        assertThat(broker.kvList("kyu.flow.rate/per-customer/").keySet())
                .containsExactly("kyu.flow.rate/per-customer/7", "kyu.flow.rate/per-customer/a");
        Job u = jobs("u", "1").get(0);
        assertThat(gate.admit(u))
                .isEqualTo(new FlowGate.Fail(
                        "kyu.FlowKeyError",
                        "limit per-fn: key function 'boom' threw IllegalStateException: no tenant"));
        assertThat(gate(Map.of()).admit(u))
                .isEqualTo(
                        new FlowGate.Fail(
                                "kyu.FlowKeyError",
                                "limit per-fn: no key function 'boom' is registered in this worker (Kyu.builder().keyFunction)"));
    }

    @Test
    void aPauseHoldsTheKeyUntilItEnds() throws Exception {
        limits.define(Limit.concurrency("c", Limit.Target.task("t"), 5).perKey(KeySource.args("/k")));
        FlowGate gate = gate(Map.of());
        List<Job> js = jobs("t", "{\"k\":\"a\"}", "{\"k\":\"b\"}");
        gate.pauseFor(js.get(0), Duration.ofSeconds(30));
        assertThat(gate.admit(js.get(0))).isEqualTo(new FlowGate.Hold(Duration.ofSeconds(30)));
        assertThat(gate.admit(js.get(1))).as("another key is not paused").isInstanceOf(FlowGate.Admit.class);
        assertThat(limits.status("c").pausedUntil()).containsOnlyKeys("a");
        clock.advance(Duration.ofSeconds(30));
        assertThat(gate.admit(js.get(0))).isInstanceOf(FlowGate.Admit.class);
    }

    @Test
    void anUnreadableDefinitionIsSkippedAndTheOthersHold() throws Exception {
        broker.kvPut("kyu.flow.limit/broken", "{\"name\":\"broken\"");
        limits.define(Limit.concurrency("c", Limit.Target.task("t"), 1));
        FlowGate gate = gate(Map.of());
        List<Job> js = jobs("t", "1", "2");
        assertThat(gate.admit(js.get(0))).isInstanceOf(FlowGate.Admit.class);
        assertThat(gate.admit(js.get(1))).isInstanceOf(FlowGate.Hold.class);
        assertThat(limits.list()).extracting(Limit::name).containsExactly("c");
    }

    @Test
    void unknownLimitNamesAreRefused() {
        assertThatThrownBy(() -> limits.pause("nope", null, Duration.ofSeconds(1)))
                .hasMessage("no limit named 'nope'");
        assertThatThrownBy(() -> limits.status("nope")).hasMessage("no limit named 'nope'");
    }

    @Test
    void bookingsOfJobsGoneAreSwept() throws Exception {
        limits.define(Limit.rate("r", Limit.Target.task("t"), 1, Duration.ofSeconds(1)));
        FlowGate gate = gate(Map.of());
        List<Job> js = jobs("t", "1", "2");
        gate.admit(js.get(0));
        assertThat(gate.admit(js.get(1))).isInstanceOf(FlowGate.Hold.class);
        assertThat(gate.sweep()).isZero();
        broker.jobsComplete(List.of(new dev.kyu.spi.Completion(
                js.get(1).lease(), new dev.kyu.spi.Outcome.Released(Duration.ofSeconds(1)))));
        assertThat(gate.sweep()).as("it still waits").isZero();
        broker.jobsCancel(List.of(js.get(1).id()));
        assertThat(gate.sweep()).isEqualTo(1);
        assertThat(limits.status("r").waiting()).isZero();
    }
}
