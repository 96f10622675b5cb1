package dev.kyu.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kyu.ManualClock;
import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobIds;
import dev.kyu.spi.Broker;
import dev.kyu.spi.Capability;
import dev.kyu.spi.Completion;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.EnqueueResult;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.NewJob;
import dev.kyu.spi.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What every part of the conformance suite shares: a fresh broker per test, the one way of moving time,
 * and short helpers so each test reads as the promise it checks.
 *
 * <p>Time: an engine with {@link Capability#INJECTABLE_CLOCK} is given a {@link ManualClock} and tests
 * move it by hand. Other engines judge time by their server, so the same tests use short real durations
 * ({@link #shortLease()}, {@link #shortDelay()}) and wait with Awaitility until {@code broker.now()}
 * passes the target ({@link #advancePast}). Durations that must <em>not</em> elapse during a test are
 * {@link #LONG} on every engine.
 */
public abstract class ConformanceSupport {
    /** A span no test outlives: leases and delays that must not lapse while the test runs. */
    protected static final Duration LONG = Duration.ofMinutes(10);

    protected static final String Q = "q";
    protected static final String WORKER = "worker-1";

    protected ManualClock clock;
    protected Broker broker;

    /** A fresh, empty broker for each test; the clock is honoured by engines with INJECTABLE_CLOCK. The suite closes it after each test. */
    protected abstract Broker openBroker(Clock clock) throws Exception;

    /** Writes one undecodable job for {@code queue} straight into the engine's storage (a garbage row / hash), bypassing the SPI; returns its id. */
    protected abstract String insertCorruptJob(Broker broker, String queue) throws Exception;

    /**
     * Writes {@code job} straight into the engine's storage, bypassing the SPI and every check of enqueue;
     * returns its id, or null when the engine's storage cannot hold such a job at all (a typed column, a
     * NOT NULL constraint), so no row of that shape can ever reach it.
     */
    protected abstract String plantRawJob(Broker broker, RawJob job) throws Exception;

    /**
     * A new JDBC connection to the store of the broker under test, auto-commit off, for engines with
     * {@link Capability#TRANSACTIONAL_COMPLETE}; null (the default) for the others, whose tests of it are skipped.
     */
    protected java.sql.Connection openTransaction() throws Exception {
        return null;
    }

    @BeforeEach
    protected final void openFreshBroker() throws Exception {
        clock = new ManualClock();
        broker = openBroker(clock);
        assertThat(broker).as("openBroker returned null").isNotNull();
    }

    @AfterEach
    protected final void closeBroker() {
        if (broker != null) broker.close();
    }

    // ---- time --------------------------------------------------------------------------------------

    protected final boolean manualTime() {
        return broker.capabilities().contains(Capability.INJECTABLE_CLOCK);
    }

    /** A lease that a test lets expire. */
    protected final Duration shortLease() {
        return manualTime() ? Duration.ofSeconds(30) : Duration.ofMillis(400);
    }

    /** A delay that a test lets pass. */
    protected final Duration shortDelay() {
        return manualTime() ? Duration.ofSeconds(30) : Duration.ofMillis(300);
    }

    /** A gap between two events that a test needs to tell apart by age (retention, unique periods). */
    protected final Duration gap() {
        return manualTime() ? Duration.ofHours(2) : Duration.ofMillis(2000);
    }

    /** Returns once the engine's clock is past {@code target}: moves the ManualClock, or waits for the server's. */
    protected final void advancePast(Instant target) {
        if (manualTime()) {
            if (!clock.instant().isAfter(target)) clock.set(target.plusMillis(1));
            return;
        }
        await("engine clock to pass " + target)
                .atMost(Duration.ofSeconds(30))
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(10))
                .until(() -> broker.now().isAfter(target));
    }

    /** Asserts two engine times are the same instant (to the millisecond on engines without a manual clock). */
    protected final void assertSameInstant(Instant actual, Instant expected) {
        assertThat(actual).isNotNull();
        if (manualTime()) assertThat(actual).isEqualTo(expected);
        else assertThat(Duration.between(expected, actual).abs()).isLessThanOrEqualTo(Duration.ofMillis(1));
    }

    /** Asserts an engine stamp was taken between two readings of the engine clock. */
    protected final void assertStampedBetween(Instant actual, Instant before, Instant after) {
        assertThat(actual).isNotNull().isBetween(before.minusMillis(1), after.plusMillis(1));
    }

    // ---- jobs --------------------------------------------------------------------------------------

    protected static NewJob.Builder job(String task) {
        return NewJob.builder(JobIds.next(), task).queue(Q);
    }

    protected static NewJob.Builder job(String task, String queue) {
        return NewJob.builder(JobIds.next(), task).queue(queue);
    }

    protected final EnqueueResult enqueueOne(NewJob j) {
        List<EnqueueResult> r = broker.jobsEnqueue(EnqueueRequest.of(List.of(j)));
        assertThat(r).hasSize(1);
        return r.get(0);
    }

    /** Enqueues and returns the stored job's id. */
    protected final String enqueue(NewJob j) {
        return enqueueOne(j).id();
    }

    protected final String enqueue(NewJob.Builder b) {
        return enqueue(b.build());
    }

    protected final Job get(String id) {
        return broker.jobGet(id).orElseThrow(() -> new AssertionError("job " + id + " not found"));
    }

    protected final List<Job> fetch(String worker, int limit, Duration lease, String... queues) {
        try {
            return broker.jobsFetch(new FetchRequest(worker, List.of(queues), limit, lease, Duration.ZERO));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Fetches up to {@code limit} from Q with a lease that does not lapse during the test. */
    protected final List<Job> fetch(int limit) {
        return fetch(WORKER, limit, LONG, Q);
    }

    /** Fetches exactly one job from Q. */
    protected final Job fetchOne() {
        List<Job> got = fetch(1);
        assertThat(got).as("one job fetched").hasSize(1);
        return got.get(0);
    }

    protected final boolean complete(Job running, Outcome outcome) {
        List<Boolean> r = broker.jobsComplete(List.of(new Completion(running.lease(), outcome)));
        assertThat(r).hasSize(1);
        return r.get(0);
    }

    protected final JobError error(int attempt, String message) {
        return JobError.reason(attempt, "java.lang.IllegalStateException", message, broker.now());
    }

    protected static List<String> ids(List<Job> jobs) {
        return jobs.stream().map(Job::id).toList();
    }

    /** Runs one job of Q to the end with the given outcome; returns it as stored afterwards. */
    protected final Job runTo(String id, Outcome outcome) {
        Job running = fetchOne();
        assertThat(running.id()).isEqualTo(id);
        assertThat(complete(running, outcome)).isTrue();
        return get(id);
    }
}
