package dev.kyu.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kyu.Kyu;
import dev.kyu.client.JobHandle;
import dev.kyu.job.JobState;
import dev.kyu.task.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.Bean;

/** Closing the application stops the worker within the shutdown phase and hands unstarted jobs back. */
class GracefulShutdownTest {
    record Work(int n) {}

    static final CountDownLatch started = new CountDownLatch(1);
    static final CountDownLatch release = new CountDownLatch(1);

    static class SlowTask {
        @Bean
        dev.kyu.task.KyuTask<Work, Integer> slow() {
            return Task.of("test.slow", Work.class, Integer.class, (w, ctx) -> {
                started.countDown();
                if (!release.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("never released");
                return w.n();
            });
        }
    }

    @Test
    void aRunningJobFinishesAndUnstartedJobsGoBackToTheQueue() throws Exception {
        Path db = Files.createTempDirectory("kyu-spring-shutdown").resolve("jobs.db");
        var context = Apps.start(
                List.of(SlowTask.class),
                "spring.datasource.url=jdbc:sqlite:" + db,
                "kyu.data-source.enabled=true",
                "kyu.worker.concurrency=1",
                "kyu.worker.shutdown-grace=20s");
        KyuTemplate template = context.getBean(KyuTemplate.class);
        KyuRuntime runtime = context.getBean(KyuRuntime.class);
        @SuppressWarnings("unchecked")
        var slow = (dev.kyu.task.KyuTask<Work, Integer>) context.getBean("slow");
        var handles = new ArrayList<JobHandle<Integer>>();
        for (int i = 0; i < 4; i++)
            handles.add(template.enqueue(slow, new Work(i)).join());
        assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();

        long t0 = System.nanoTime();
        Thread closer = Thread.ofPlatform().start(context::close);
        await().atMost(Duration.ofSeconds(10)).until(() -> !runtime.isRunning());
        release.countDown();
        closer.join(Duration.ofSeconds(30));
        assertThat(closer.isAlive()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));

        try (Kyu after = Kyu.connect("sqlite:" + db)) {
            var states =
                    handles.stream().map(h -> after.handle(h.id()).status()).toList();
            assertThat(states).containsOnlyOnce(JobState.SUCCEEDED);
            assertThat(states).filteredOn(s -> s == JobState.QUEUED).hasSize(3);
        }
    }
}
