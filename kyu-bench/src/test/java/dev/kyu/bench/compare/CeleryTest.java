package dev.kyu.bench.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kyu.bench.subject.Subject.JobTimes;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Celery comparison's own logic; none of it needs Python or RabbitMQ. */
class CeleryTest {
    @Test
    void celeryUsesTheGivenRabbitMqElseKyusWhenThatIsRabbitMqElseTheLocalOne() {
        assertThat(Comparisons.amqpUrl("amqp://u:p@h:5672/v", "amqp://other//")).isEqualTo("amqp://u:p@h:5672/v");
        assertThat(Comparisons.amqpUrl(null, "amqp://guest:guest@rabbit:5672//"))
                .isEqualTo("amqp://guest:guest@rabbit:5672//");
        assertThat(Comparisons.amqpUrl(null, "amqp://guest:guest@rabbit:5672/%2F?store=redis%3A%2F%2Fr&prefix=b"))
                .as("Kyu's store and options are Kyu's")
                .isEqualTo("amqp://guest:guest@rabbit:5672/%2F");
        assertThat(Comparisons.amqpUrl(" ", "postgresql://postgres@127.0.0.1/test"))
                .isEqualTo(Comparisons.DEFAULT_AMQP_URL);
    }

    @Test
    void celeryOnAnythingButRabbitMqIsRefusedBeforePythonStarts() {
        var settings = new Comparisons.Settings("jdbc:postgresql://x/y", "redis://u:secret@h:6379", 8, 0, 2);
        assertThatThrownBy(() -> Comparisons.open("celery", settings))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Celery comparison needs a RabbitMQ URL (amqp://…), not redis://u:***@h:6379");
    }

    @Test
    void unknownSystemsNameTheKnownOnes() {
        assertThatThrownBy(() -> Comparisons.open("sidekiq", new Comparisons.Settings("", "", 1, 0, 1)))
                .hasMessage("unknown system to compare 'sidekiq': expected jobrunr, db-scheduler or celery");
    }

    @Test
    void workerIsAPreforkPoolOnTheQueueWithoutClusterChatter() {
        var cmd = new CeleryWorkerCommand(
                "/usr/bin/python3",
                Path.of("/tmp/k"),
                "amqp://guest:guest@127.0.0.1:5672//",
                "bench-drain-x-1",
                "kyubench1@localhost",
                2,
                Path.of("/tmp/k/bench-drain-x-1.done"),
                false);
        assertThat(String.join(" ", cmd.command()))
                .isEqualTo("/usr/bin/python3 -m celery --quiet -A kyu_bench_celery worker --pool=prefork"
                        + " --concurrency=2 -Q bench-drain-x-1 -n kyubench1@localhost --without-gossip"
                        + " --without-mingle --without-heartbeat --loglevel=WARNING");
        assertThat(cmd.environment())
                .containsEntry("KYU_BENCH_DONE", "/tmp/k/bench-drain-x-1.done")
                .containsEntry("KYU_BENCH_TIMED", "0")
                .containsEntry("PYTHONPATH", "/tmp/k");
    }

    @Test
    void doneFileCountsOneByteRecordsOnDrainsAndReadsTimesWhenTimed(@TempDir Path dir) throws Exception {
        Path drain = dir.resolve("d.done");
        Files.writeString(drain, "xxxxx");
        assertThat(new CeleryDoneFile(drain, false).count()).isEqualTo(5);
        assertThat(new CeleryDoneFile(dir.resolve("none.done"), false).count()).isZero();

        Path timed = dir.resolve("t.done");
        Files.writeString(
                timed, String.format("%020d %020d\n%020d %020d\n", 1_000_000L, 1_002_500L, 1_000_100L, 1_000_600L));
        var file = new CeleryDoneFile(timed, true);
        assertThat(file.count()).isEqualTo(2);
        assertThat(file.times())
                .containsExactly(JobTimes.unleased(1_000_000L, 1_002_500L), JobTimes.unleased(1_000_100L, 1_000_600L));
        assertThat(file.times().get(0).latencyMs()).isEqualTo(2.5);
    }

    @Test
    void scriptsAreWrittenToATemporaryDirectoryAndRemovedWithIt() {
        Path dir;
        try (var scripts = new CeleryScripts()) {
            dir = scripts.dir();
            assertThat(dir.resolve("kyu_bench_celery.py")).content().contains("task_acks_late=True");
            assertThat(dir.resolve("kyu_bench_producer.py")).exists();
        }
        assertThat(dir).doesNotExist();
    }

    @Test
    void passwordsAreRedactedInMessages() {
        assertThat(CeleryProducer.redacted("amqp://guest:guest@127.0.0.1:5672//"))
                .isEqualTo("amqp://guest:***@127.0.0.1:5672//");
    }
}
