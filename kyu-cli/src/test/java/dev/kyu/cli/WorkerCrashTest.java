package dev.kyu.cli;

/** The crash test on the embedded default engine: two worker JVMs sharing one SQLite file. */
class WorkerCrashTest extends WorkerCrashScenario {
    @Override
    protected String brokerUrl() {
        return "sqlite:" + dir.resolve("crash.db");
    }
}
