package dev.kyu.cli;

import dev.kyu.testkit.WorkerCrashScenario;
import dev.kyu.testkit.WorkerProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The crash test on the embedded default engine: two {@code kyu worker} JVMs sharing one SQLite file. */
class WorkerCrashTest extends WorkerCrashScenario {
    @Override
    protected String brokerUrl() {
        return "sqlite:" + dir.resolve("crash.db");
    }

    @Override
    protected WorkerProcess launch(Path log, List<String> workerArgs) throws IOException {
        var args = new ArrayList<>(List.of("--broker", brokerUrl(), "worker"));
        args.addAll(workerArgs);
        return WorkerProcess.startMain(KyuCli.class.getName(), args, log);
    }
}
