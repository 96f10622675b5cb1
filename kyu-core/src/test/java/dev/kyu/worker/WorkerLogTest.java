package dev.kyu.worker;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.kyu.Kyu;
import dev.kyu.job.Backoff;
import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A worker's log says when an attempt fails, in one line each: retried, then failed for good. */
class WorkerLogTest {
    @Test
    @SuppressWarnings("try") // the worker is a scope guard: it runs for the try block and stops at its end
    void failedAttemptsAreLoggedOneLineEach() throws Exception {
        var logger = (Logger) LoggerFactory.getLogger(Worker.class);
        var appender = new ListAppender<ILoggingEvent>();
        appender.start();
        logger.addAppender(appender);
        try (Kyu kyu = Kyu.connect("memory:");
                Worker worker = kyu.worker(WorkerOptions.builder()
                                .queues("q")
                                .fetchWait(Duration.ofMillis(50))
                                .build())
                        .start()) {
            var h = kyu.enqueueJson(
                    "kyu.fail",
                    "{\"message\": \"card declined\\nby the bank\"}",
                    JobOptions.builder()
                            .queue("q")
                            .maxAttempts(2)
                            .backoff(Backoff.fixed(Duration.ofMillis(10)))
                            .build());
            assertThat(h.awaitJob(Duration.ofSeconds(20)).state()).isEqualTo(JobState.FAILED);
            // The line for the last attempt may come just after its outcome is stored, on the completer's thread.
            java.util.function.Supplier<List<ILoggingEvent>> lines = () -> {
                synchronized (appender) {
                    return appender.list.stream()
                            .filter(e -> e.getFormattedMessage().startsWith("job " + h.id()))
                            .toList();
                }
            };
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> lines.get().size() >= 2);
            var failures = lines.get();
            assertThat(failures).hasSize(2);
            assertThat(failures.get(0).getLevel()).isEqualTo(Level.INFO);
            assertThat(failures.get(0).getFormattedMessage())
                    .contains("(kyu.fail) attempt 1 failed, retrying in 10ms")
                    .contains("card declined\\nby the bank")
                    .doesNotContain("\n"); // the newline shown escaped, on one line
            assertThat(failures.get(1).getLevel()).isEqualTo(Level.WARN);
            assertThat(failures.get(1).getFormattedMessage()).contains("failed for good at attempt 2");
        } finally {
            logger.detachAppender(appender);
        }
    }
}
