package dev.kyu.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.kyu.Kyu;
import dev.kyu.ManualClock;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class QueueGaugesTest {
    @Test
    @SuppressWarnings("try") // closes a resource early on purpose; the try still closes it if an assertion fails first
    void whileTheBrokerIsDownAScrapeWaitsForOneFailedReadNotOnePerGauge() {
        var registry = new SimpleMeterRegistry();
        var clock = new ManualClock("2026-01-01T00:00:00Z");
        var appender = new ListAppender<ILoggingEvent>();
        appender.start();
        var logger = (Logger) LoggerFactory.getLogger(QueueGauges.class);
        logger.addAppender(appender);
        try (Kyu kyu = Kyu.builder().broker("memory:").build()) {
            kyu.enqueueJson(
                    "kyu.noop",
                    "{}",
                    dev.kyu.job.JobOptions.builder().queue("a").build());
            kyu.enqueueJson(
                    "kyu.noop",
                    "{}",
                    dev.kyu.job.JobOptions.builder().queue("b").build());
            var admin = kyu.admin();
            new QueueGauges(registry, admin, Duration.ofSeconds(2), clock);
            assertThat(registry.get(QueueGauges.QUEUE_JOBS)
                            .tags("queue", "a", "state", "QUEUED")
                            .gauge()
                            .value())
                    .isEqualTo(1);
            assertThat(registry.get(QueueGauges.BROKER_UP).gauge().value()).isEqualTo(1);

            kyu.close(); // the broker goes away
            clock.advance(Duration.ofSeconds(3));
            // A scrape reads every gauge: 3 + 8 per queue of them here.
            registry.getMeters().forEach(m -> ((Gauge) m).value());
            // One warning line per failed read (its stack trace goes to a DEBUG line of its own).
            var warnings = appender.list.stream()
                    .filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                    .toList();
            assertThat(warnings).hasSize(1);
            assertThat(warnings.get(0).getFormattedMessage())
                    .startsWith("could not read queue metrics from the broker");
            assertThat(registry.get(QueueGauges.BROKER_UP).gauge().value()).isZero();
            // The last numbers read stay.
            assertThat(registry.get(QueueGauges.QUEUE_JOBS)
                            .tags("queue", "b", "state", "QUEUED")
                            .gauge()
                            .value())
                    .isEqualTo(1);

            // The next scrape after the snapshot's age tries once more.
            clock.advance(Duration.ofSeconds(3));
            registry.getMeters().forEach(m -> ((Gauge) m).value());
            assertThat(appender.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN))
                    .hasSize(2);
        } finally {
            logger.detachAppender(appender);
        }
    }
}
