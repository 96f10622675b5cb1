package dev.kyu.broker.sqlite;

import dev.kyu.testkit.FlowCrashScenario;

/** The flow crash test on SQLite: two worker JVMs sharing one file, the first killed while it holds a limit's slots. */
class SqliteFlowCrashTest extends FlowCrashScenario {
    @Override
    protected String brokerUrl() {
        return "sqlite:" + dir.resolve("flow-crash.db");
    }
}
