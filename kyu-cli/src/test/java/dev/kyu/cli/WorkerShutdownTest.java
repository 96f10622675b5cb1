package dev.kyu.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kyu.testkit.WorkerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kyu worker} as its own process: a start line in the log, and a graceful stop on SIGTERM. */
class WorkerShutdownTest {
    @TempDir
    Path dir;

    @Test
    void sigtermStopsTheWorkerGracefully() throws Exception {
        try (var worker = WorkerProcess.startMain(
                KyuCli.class.getName(),
                List.of("--broker", "memory:", "worker", "--queues", "a,b", "--concurrency", "3"),
                dir.resolve("worker.log"))) {
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> worker.log().contains(" started on ")
                            || !worker.process().isAlive());
            assertThat(worker.log())
                    .contains("queues [a, b], concurrency 3")
                    .contains("tasks: [kyu.echo, kyu.fail, kyu.noop, kyu.sleep");
            int exit = worker.terminate();
            assertThat(worker.log()).as(worker.log()).contains(" stopping: ").contains(" stopped: ");
            assertThat(exit).isEqualTo(128 + 15); // the JVM's exit status after SIGTERM
        }
    }
}
