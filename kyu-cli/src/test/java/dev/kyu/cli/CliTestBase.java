package dev.kyu.cli;

import dev.kyu.Kyu;
import dev.kyu.worker.Worker;
import dev.kyu.worker.WorkerOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each test gets a fresh broker (a SQLite file in a temp folder), a {@link Kyu} on it for set-up and
 * checks, and a {@link CliRunner} whose commands open the same broker, as separate invocations would.
 */
abstract class CliTestBase {
    @TempDir
    Path dir;

    protected Kyu kyu;
    protected CliRunner cli;
    /** This test's broker URL, fixed for the test. */
    protected String url;

    private Worker worker;

    protected String brokerUrl() {
        return "sqlite:" + dir.resolve("kyu.db");
    }

    @BeforeEach
    void openBroker() {
        url = brokerUrl();
        kyu = Kyu.connect(url);
        cli = new CliRunner(url);
    }

    @AfterEach
    void closeBroker() {
        if (worker != null) worker.close();
        kyu.close();
    }

    /** Starts a worker in this JVM on the given queues; it stops after the test. */
    protected Worker startWorker(String... queues) {
        worker = kyu.worker(
                        WorkerOptions.builder().queues(queues).concurrency(8).build())
                .start();
        return worker;
    }
}
