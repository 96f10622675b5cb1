package dev.kyu.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.kyu.Kyu;
import dev.kyu.broker.memory.MemoryBroker;
import dev.kyu.job.Job;
import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import dev.kyu.spi.Broker;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A hand-back is never silent nor endless: a job whose attempt cannot start is handed back with a log line
 * each time and fails after a bounded number in a row; an unknown task says once when it will fail.
 */
class HandBackTest {
    private final MemoryBroker engine = MemoryBroker.open(Clock.systemUTC());
    private final AtomicBoolean clockFails = new AtomicBoolean();
    private final AtomicInteger fetchedTimes = new AtomicInteger();
    private final Broker broker = (Broker) Proxy.newProxyInstance(
            Broker.class.getClassLoader(), new Class<?>[] {Broker.class}, (proxy, method, args) -> {
                // only the job threads (virtual) meet the failing clock: the worker's own set-up and loops do not
                if (method.getName().equals("now")
                        && clockFails.get()
                        && Thread.currentThread().isVirtual()) {
                    throw new IllegalStateException("clock unreachable");
                }
                try {
                    Object out = method.invoke(engine, args);
                    if (method.getName().equals("jobsFetch")) fetchedTimes.addAndGet(((List<?>) out).size());
                    return out;
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
    private final Logger logger = (Logger) LoggerFactory.getLogger(Worker.class);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private Kyu kyu;

    @BeforeEach
    void open() {
        appender.start();
        logger.addAppender(appender);
        kyu = Kyu.builder().broker(broker).build();
    }

    @AfterEach
    void close() {
        logger.detachAppender(appender);
        kyu.close();
        engine.close();
    }

    private List<String> lines(String jobId) {
        synchronized (appender) {
            return appender.list.stream()
                    .map(ILoggingEvent::getFormattedMessage)
                    .filter(m -> m.contains(jobId))
                    .toList();
        }
    }

    @Test
    @SuppressWarnings("try") // the worker is a scope guard: it runs for the try block and stops at its end
    void aJobThatCannotStartIsHandedBackLoggedAndFailsAfterABoundedRun() {
        var h = kyu.enqueueJson(
                "nobody.knows", "{}", JobOptions.builder().queue("q").build());
        clockFails.set(true);
        try (Worker w = kyu.worker(WorkerOptions.builder()
                        .queues("q")
                        .fetchWait(Duration.ofMillis(50))
                        .maintenance(false)
                        .build())
                .start()) {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> engine.jobGet(h.id()).map(Job::state).orElse(null) == JobState.FAILED);
        }
        Job j = engine.jobGet(h.id()).orElseThrow();
        assertThat(j.lastError().type()).isEqualTo(HandBacks.TYPE);
        assertThat(j.lastError().message())
                .contains("could not start " + HandBacks.LIMIT + " times in a row")
                .contains("clock unreachable");
        assertThat(fetchedTimes.get()).isEqualTo(HandBacks.LIMIT);
        await().atMost(Duration.ofSeconds(10)).until(() -> lines(h.id()).size() == HandBacks.LIMIT);
        var lines = lines(h.id());
        assertThat(lines.subList(0, HandBacks.LIMIT - 1))
                .allSatisfy(l -> assertThat(l).contains("could not start").contains("handing it back"));
        assertThat(lines.get(HandBacks.LIMIT - 1)).contains("failed for good").contains(HandBacks.TYPE);
    }

    @Test
    @SuppressWarnings("try") // the worker is a scope guard: it runs for the try block and stops at its end
    void anUnknownTaskIsLoggedOnceWithWhenItFails() {
        var h = kyu.enqueueJson(
                "nobody.knows", "{}", JobOptions.builder().queue("q").build());
        try (Worker w = kyu.worker(WorkerOptions.builder()
                        .queues("q")
                        .fetchWait(Duration.ofMillis(50))
                        .maintenance(false)
                        .unknownTaskGrace(Duration.ofMinutes(5))
                        .unknownTaskDelay(Duration.ofMillis(20))
                        .build())
                .start()) {
            // promotion runs in the fetch, so the put-back job comes round again and again
            await().atMost(Duration.ofSeconds(20)).until(() -> fetchedTimes.get() >= 4);
        }
        assertThat(lines(h.id()))
                .singleElement()
                .satisfies(l -> assertThat(l)
                        .contains("nobody.knows")
                        .contains("does not know")
                        .contains("fails at " + h.job().enqueuedAt().plus(Duration.ofMinutes(5))));
        assertThat(engine.jobGet(h.id()).orElseThrow().state()).isIn(JobState.SCHEDULED, JobState.QUEUED);
    }
}
