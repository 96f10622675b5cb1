package dev.kyu.flow;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.kyu.ManualClock;
import dev.kyu.broker.memory.MemoryBroker;
import dev.kyu.job.JobIds;
import dev.kyu.maintenance.Maintenance;
import dev.kyu.maintenance.MaintenanceOptions;
import dev.kyu.spi.Broker;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.NewJob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The maintenance loop takes a queue's aging steps: one per {@code every} however many processes run it, each
 * raising the jobs that waited at least one step by one, up to the ceiling; an engine that cannot age is
 * reported once and never stops the loop.
 */
class AgingSweepTest {
    private static final Duration STEP = Duration.ofMinutes(1);
    private final ManualClock clock = new ManualClock("2026-01-01T00:00:00Z");
    private final MemoryBroker broker = MemoryBroker.open(clock);
    private final Aging aging = new Aging(broker);

    @AfterEach
    void close() {
        broker.close();
    }

    @Test
    void aWaitingJobRisesByOnePerStepUpToTheCeiling() {
        aging.set("q", STEP, 3);
        String old = enqueue("q", 0);
        String high = enqueue("q", 7);
        String otherQueue = enqueue("other", 0);
        var maintenance = maintenance(broker);
        clock.advance(Duration.ofSeconds(1));

        assertThat(maintenance.age()).as("nothing has waited a step yet").isZero();
        String young = null;
        for (int step = 1; step <= 5; step++) {
            clock.advance(STEP);
            maintenance.age();
            assertThat(maintenance.age()).as("a second look in the same step").isZero();
            if (step == 1) young = enqueue("q", 0);
            assertThat(priority(old)).isEqualTo(Math.min(step, 3));
        }
        assertThat(priority(young))
                .as("enqueued at the first step: due for more than a step at the third, fourth and fifth")
                .isEqualTo(3);
        assertThat(priority(high)).as("above the ceiling: left alone").isEqualTo(7);
        assertThat(priority(otherQueue)).as("a queue without a rule").isZero();
    }

    @Test
    void aStepIsTakenOnlyOnceItsEveryHasPassedSinceTheLastOne() {
        aging.set("q", STEP, 10);
        String job = enqueue("q", 0);
        clock.advance(Duration.ofSeconds(1));
        var maintenance = maintenance(broker);
        maintenance.age(); // the first step: the job has not waited yet
        clock.advance(STEP.minusSeconds(1));
        assertThat(maintenance.age()).isZero();
        assertThat(priority(job)).isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(maintenance.age()).isEqualTo(1);
        assertThat(priority(job)).isEqualTo(1);
        assertThat(aging.lastSteps()).containsEntry("q", clock.instant());
    }

    @Test
    void twoMaintenanceLoopsOnOneStoreAgeOncePerStep() throws Exception {
        aging.set("q", STEP, 100);
        String job = enqueue("q", 0);
        clock.advance(Duration.ofSeconds(1));
        var loops = List.of(maintenance(broker), maintenance(broker));
        try (var threads = Executors.newFixedThreadPool(4)) {
            for (int step = 1; step <= 10; step++) {
                clock.advance(STEP);
                var looks = new ArrayList<Callable<Integer>>();
                for (int i = 0; i < 8; i++) looks.add(loops.get(i % 2)::age);
                int raised = 0;
                for (var f : threads.invokeAll(looks)) raised += f.get();
                assertThat(raised).as("step %d", step).isEqualTo(1);
                assertThat(priority(job)).isEqualTo(step);
            }
        }
    }

    @Test
    void aRemovedRuleStopsTheAgingAndKeepsThePrioritiesReached() {
        aging.set("q", STEP, 10);
        String job = enqueue("q", 0);
        clock.advance(Duration.ofSeconds(1));
        var maintenance = maintenance(broker);
        clock.advance(STEP);
        maintenance.age();
        clock.advance(STEP);
        maintenance.age();
        aging.remove("q");
        clock.advance(STEP);
        assertThat(maintenance.age()).isZero();
        assertThat(priority(job)).isEqualTo(2);
    }

    @Test
    void anEngineThatCannotAgeIsReportedOnceAndTheLoopGoesOn() {
        Broker refusing = withoutAging(broker);
        new Aging(refusing).set("q", STEP, 5);
        String job = enqueue("q", 0);
        var logger = (Logger) LoggerFactory.getLogger(AgingSweep.class);
        var appender = new ListAppender<ILoggingEvent>();
        appender.start();
        logger.addAppender(appender);
        try {
            var maintenance = maintenance(refusing);
            for (int i = 0; i < 3; i++) {
                clock.advance(STEP);
                assertThat(maintenance.age()).isZero();
                assertThat(maintenance.promote()).isZero();
            }
            assertThat(appender.list)
                    .extracting(ILoggingEvent::getFormattedMessage)
                    .singleElement()
                    .asString()
                    .contains("cannot age job priorities");
            assertThat(priority(job)).isZero();
        } finally {
            logger.detachAppender(appender);
        }
    }

    @Test
    void anUnreadableRuleIsSkippedAndTheOthersStillAge() {
        aging.set("q", STEP, 5);
        broker.kvPut(Aging.RULES + "broken", "{\"every\": 5}");
        broker.kvPut(Aging.STEPS + "q", "not an instant");
        String job = enqueue("q", 0);
        clock.advance(STEP.plusSeconds(1));
        assertThat(maintenance(broker).age()).isEqualTo(1);
        assertThat(priority(job)).isEqualTo(1);
    }

    @Test
    void aLastStepAtTheEndOfTimeIsAClockThatJumpedAndNeverStopsOtherQueues() {
        aging.set("a", STEP, 5);
        aging.set("q", STEP, 5);
        broker.kvPut(Aging.STEPS + "a", "+1000000000-12-31T23:59:59Z");
        String inA = enqueue("a", 0);
        String inQ = enqueue("q", 0);
        clock.advance(STEP.plusSeconds(1));
        var maintenance = maintenance(broker);
        maintenance.age();
        clock.advance(STEP);
        maintenance.age();
        assertThat(priority(inQ)).isEqualTo(2);
        assertThat(priority(inA))
                .as("its far step is taken as a clock that jumped")
                .isEqualTo(2);
    }

    private static Maintenance maintenance(Broker broker) {
        return new Maintenance(broker, MaintenanceOptions.DEFAULTS);
    }

    /** The same store, through a broker that refuses jobsAge in one line, as an engine that cannot age would. */
    private static Broker withoutAging(Broker engine) {
        return new dev.kyu.spi.ForwardingBroker(engine) {
            @Override
            public int jobsAge(String queue, java.time.Instant dueBefore, int ceiling, int limit) {
                throw new dev.kyu.KyuException.InvalidInput(
                        "broker " + engine.describe() + " cannot age job priorities");
            }
        };
    }

    private String enqueue(String queue, int priority) {
        NewJob job = NewJob.builder(JobIds.next(clock), "t")
                .queue(queue)
                .args("{}")
                .priority(priority)
                .build();
        broker.jobsEnqueue(EnqueueRequest.of(List.of(job)));
        return job.id();
    }

    private int priority(String id) {
        return broker.jobGet(id).orElseThrow().priority();
    }
}
