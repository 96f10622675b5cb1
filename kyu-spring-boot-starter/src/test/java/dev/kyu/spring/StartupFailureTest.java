package dev.kyu.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.kyu.task.Task;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.Bean;

/** Wrong configuration stops the application at start with one line saying what is wrong. */
class StartupFailureTest {
    static final String SQLITE = "spring.datasource.url=jdbc:sqlite:target/spring-failure-test.db";

    static class DuplicateTask {
        @Bean
        dev.kyu.task.KyuTask<TestApp.Pair, Integer> anotherAdd() {
            return Task.of("test.add", TestApp.Pair.class, Integer.class, (p, ctx) -> p.a() + p.b());
        }
    }

    static class BadSignature {
        @KyuTask("test.bad")
        public void twoArgs(String a, String b) {}
    }

    static class BadName {
        @KyuTask("no spaces allowed")
        public void run(TestApp.Pair p) {}
    }

    private static String failure(List<Class<?>> sources, String... properties) {
        Throwable t = catchThrowable(() -> Apps.start(sources, properties).close());
        assertThat(t).as("the application should not start").isNotNull();
        String message = Apps.kyuFailure(t).getMessage();
        assertThat(message).doesNotContain("\n");
        return message;
    }

    @Test
    void anUnknownBrokerSchemeIsNamed() {
        assertThat(failure(List.of(), SQLITE, "kyu.broker-url=amqpx://localhost/jobs"))
                .contains("kyu.broker-url")
                .contains("unknown broker URL scheme")
                .contains("amqpx://localhost/jobs");
    }

    @Test
    @org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
    void bootsFailureReportLeadsWithKyusReason(org.springframework.boot.test.system.CapturedOutput output) {
        failure(List.of(), SQLITE, "kyu.broker-url=amqpx://localhost/jobs");
        assertThat(output.getAll())
                .contains("APPLICATION FAILED TO START")
                .contains("Kyu: cannot open Kyu's broker from kyu.broker-url");
    }

    @Test
    void aDashboardPathWithoutAServletServerIsNamed() {
        assertThat(failure(
                        List.of(),
                        SQLITE,
                        "kyu.broker-url=memory:",
                        "kyu.dashboard.enabled=true",
                        "kyu.dashboard.path=/kyu"))
                .contains("kyu.dashboard.path=/kyu")
                .contains("servlet web server");
    }

    @Test
    void aBadCronIsNamedWithItsSchedule() {
        assertThat(failure(
                        List.of(),
                        SQLITE,
                        "kyu.broker-url=memory:",
                        "kyu.schedules.nightly.task=test.add",
                        "kyu.schedules.nightly.cron=61 * * * *"))
                .startsWith("bad schedule in kyu.schedules: ")
                .contains("'nightly'")
                .contains("'cron'");
    }

    @Test
    void twoTasksOfOneNameAreBothNamed() {
        assertThat(failure(List.of(DuplicateTask.class), SQLITE, "kyu.broker-url=memory:"))
                .contains("two tasks are named 'test.add'")
                .contains("Arithmetic.add")
                .contains("anotherAdd");
    }

    @Test
    void anUnusableTaskMethodIsNamed() {
        assertThat(failure(List.of(BadSignature.class), SQLITE, "kyu.broker-url=memory:"))
                .contains("twoArgs")
                .contains("cannot be task 'test.bad'")
                .contains("(Args) or (Args, JobContext)");
    }

    @Test
    void aBadTaskNameIsNamed() {
        assertThat(failure(List.of(BadName.class), SQLITE, "kyu.broker-url=memory:"))
                .contains("no spaces allowed")
                .contains("task name");
    }

    @Test
    void aBrokerUrlAndTheDataSourceTogetherAreRefused() {
        assertThat(failure(List.of(), SQLITE, "kyu.broker-url=memory:", "kyu.data-source.enabled=true"))
                .contains("kyu.broker-url")
                .contains("kyu.data-source.enabled");
    }

    @Test
    void anInMemorySqliteDataSourceCannotBeShared() {
        assertThat(failure(List.of(), "spring.datasource.url=jdbc:sqlite::memory:", "kyu.data-source.enabled=true"))
                .contains("in-memory SQLite");
    }

    @Test
    void aBadWorkerSettingIsNamed() {
        assertThat(failure(List.of(), SQLITE, "kyu.broker-url=memory:", "kyu.worker.concurrency=0"))
                .startsWith("kyu.worker:");
    }
}
