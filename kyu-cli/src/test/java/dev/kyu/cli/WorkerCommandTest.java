package dev.kyu.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@code kyu worker} in this JVM: it runs jobs of its queues and stops gracefully when told to. */
class WorkerCommandTest extends CliTestBase {

    @Test
    void runsJobsUntilStopped() throws Exception {
        String id = kyu.enqueueJson(
                        "kyu.echo",
                        "{\"x\": 1}",
                        JobOptions.builder().queue("mail").build())
                .id();
        var result = new AtomicReference<CliRunner.Result>();
        Thread t = new Thread(() -> result.set(cli.run("worker", "--queues", "mail,default", "--concurrency", "4")));
        t.start();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> kyu.admin().job(id).orElseThrow().state() == JobState.SUCCEEDED);
        assertThat(kyu.admin().workers()).hasSize(1);
        t.interrupt(); // stands in for SIGTERM: the same graceful close
        t.join(Duration.ofSeconds(30).toMillis());
        assertThat(t.isAlive()).isFalse();
        assertThat(result.get().exitCode()).as(result.get().toString()).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> kyu.admin().workers().isEmpty());
    }

    @Test
    void runsTasksNamedWithTasksAndFoundThroughServiceLoader() throws Exception {
        String greet =
                kyu.enqueueJson("test.greet", "{\"name\": \"Ada\"}", null).id();
        String shout = kyu.enqueueJson("test.shout", "{\"text\": \"hi\"}", null).id();
        Thread t = new Thread(() -> cli.run("worker", "--tasks", "dev.kyu.cli.tasks.GreetTask"));
        t.start();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> kyu.admin().job(greet).orElseThrow().state() == JobState.SUCCEEDED
                        && kyu.admin().job(shout).orElseThrow().state() == JobState.SUCCEEDED);
        assertThat(kyu.admin().job(greet).orElseThrow().result()).isEqualTo("\"hello Ada\"");
        assertThat(kyu.admin().job(shout).orElseThrow().result()).isEqualTo("\"HI\"");
        t.interrupt();
        t.join(Duration.ofSeconds(30).toMillis());
        assertThat(t.isAlive()).isFalse();
    }

    @Test
    void runsTasksNamedWithIsolatedInAChildJvm() throws Exception {
        String id = kyu.enqueueJson("iso.divide", "{\"dividend\": 84, \"divisor\": 2}", null)
                .id();
        Thread t = new Thread(() -> cli.run(
                "worker",
                "--tasks",
                "dev.kyu.testkit.IsolatedTestTasks$Divide",
                "--isolated",
                "iso.divide,kyu.noop",
                "--isolated-children",
                "1"));
        t.start();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> kyu.admin().job(id).orElseThrow().state() == JobState.SUCCEEDED);
        String result = kyu.admin().job(id).orElseThrow().result();
        assertThat(result)
                .startsWith("\"42 from pid ")
                .isNotEqualTo("\"42 from pid " + ProcessHandle.current().pid() + "\"");
        t.interrupt();
        t.join(Duration.ofSeconds(30).toMillis());
        assertThat(t.isAlive()).isFalse();
    }

    @Test
    void anIsolatedTaskThatIsNotRegisteredIsAUsageError() {
        var result = cli.run("worker", "--isolated", "test.nowhere");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.err()).contains("isolated task 'test.nowhere' is not registered");
    }

    @Test
    void weightsNameTheQueues() throws Exception {
        String id = kyu.enqueueJson(
                        "kyu.noop", "{}", JobOptions.builder().queue("low").build())
                .id();
        Thread t = new Thread(() -> cli.run("worker", "--weights", "high=3,low=1"));
        t.start();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> kyu.admin().job(id).orElseThrow().state() == JobState.SUCCEEDED);
        t.interrupt();
        t.join(Duration.ofSeconds(30).toMillis());
        assertThat(t.isAlive()).isFalse();
    }
}
