package dev.kyu.broker.sqlite;

import dev.kyu.testkit.WorkflowCrashScenario;

/** The workflow crash test on SQLite: two worker JVMs sharing one file, the first killed mid-workflow. */
class SqliteWorkflowCrashTest extends WorkflowCrashScenario {
    @Override
    protected String brokerUrl() {
        return "sqlite:" + dir.resolve("workflow-crash.db");
    }
}
