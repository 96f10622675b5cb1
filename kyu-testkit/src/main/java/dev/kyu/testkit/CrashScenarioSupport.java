package dev.kyu.testkit;

import dev.kyu.Kyu;
import dev.kyu.job.JobState;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every crash scenario shares: worker JVMs on the broker under test, each with its log in a temporary
 * folder, all stopped after the test. Each engine's test subclasses a scenario with its broker URL.
 */
public abstract class CrashScenarioSupport {
    @TempDir
    protected Path dir;

    private final List<WorkerProcess> workers = new ArrayList<>();

    /** The broker the worker JVMs and the test share; every test starts from an empty broker. */
    protected abstract String brokerUrl();

    @AfterEach
    void stopWorkers() {
        for (WorkerProcess w : workers) w.close();
    }

    /** Starts one worker JVM; the command line's tests override this to run {@code kyu worker} itself. */
    protected WorkerProcess launch(Path log, List<String> workerArgs) throws IOException {
        return WorkerProcess.start(brokerUrl(), log, workerArgs.toArray(String[]::new));
    }

    /** A worker JVM on one queue with a short lease, so that a second worker rescues a killed one's jobs soon. */
    protected final WorkerProcess startWorker(String name, String queue, int concurrency) throws IOException {
        var w = launch(
                dir.resolve(name + ".log"),
                List.of(
                        "--queues",
                        queue,
                        "--concurrency",
                        Integer.toString(concurrency),
                        "--lease",
                        "2s",
                        "--grace",
                        "1s"));
        workers.add(w);
        return w;
    }

    protected static long count(Kyu kyu, String queue, JobState state) {
        return kyu.broker().queueCounts(queue).get(state);
    }
}
