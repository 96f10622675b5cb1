package dev.kyu.broker.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.job.Job;
import dev.kyu.job.JobIds;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.NewJob;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real second JVM on the same file: fetches never overlap, and a blocked fetch here sees the other process's enqueue. */
class SqliteTwoProcessesTest {
    @TempDir
    Path dir;

    @Test
    void twoProcessesShareOneFile() throws Exception {
        Path file = dir.resolve("two.db");
        try (SqliteBroker broker = SqliteTesting.open(file, Clock.systemUTC(), "pollInterval=50ms")) {
            var all = new HashSet<String>();
            var batch = new ArrayList<NewJob>();
            for (int i = 0; i < 400; i++)
                batch.add(NewJob.builder(JobIds.next(), "t").queue("q").build());
            broker.jobsEnqueue(EnqueueRequest.of(batch)).forEach(r -> all.add(r.id()));

            String java = ProcessHandle.current().info().command().orElse("java");
            Process child = new ProcessBuilder(
                            java,
                            "-cp",
                            System.getProperty("java.class.path"),
                            ChildProcessMain.class.getName(),
                            file.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            try {
                var childIds = new ArrayList<String>();
                var late = new AtomicReference<String>();
                var reader = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                assertThat(reader.readLine()).isEqualTo("ready");

                // This process fetches alongside the child, and keeps a fetch blocked on "late".
                var lateFetch = new AtomicReference<List<Job>>();
                Thread blocked = Thread.ofPlatform().start(() -> {
                    try {
                        lateFetch.set(broker.jobsFetch(new FetchRequest(
                                "parent-late", List.of("late"), 1, Duration.ofMinutes(5), Duration.ofMinutes(2))));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                Set<String> mine = ConcurrentHashMap.newKeySet();
                var dupes = new AtomicInteger();
                var threads = new ArrayList<Thread>();
                var go = new java.util.concurrent.CountDownLatch(1);
                for (int t = 0; t < 2; t++) {
                    String worker = "parent-" + t;
                    threads.add(Thread.ofPlatform().start(() -> {
                        try {
                            go.await();
                            while (true) {
                                List<Job> got = broker.jobsFetch(new FetchRequest(
                                        worker, List.of("q"), 2, Duration.ofMinutes(5), Duration.ZERO));
                                if (got.isEmpty()) return;
                                for (Job j : got) if (!mine.add(j.id())) dupes.incrementAndGet();
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }));
                }
                child.getOutputStream().write("go\n".getBytes(StandardCharsets.UTF_8));
                child.getOutputStream().flush();
                go.countDown();
                String line;
                while ((line = reader.readLine()) != null) {
                    if (line.startsWith("fetched ")) childIds.add(line.substring(8));
                    else if (line.startsWith("late ")) late.set(line.substring(5));
                }
                assertThat(child.waitFor(2, TimeUnit.MINUTES)).isTrue();
                assertThat(child.exitValue()).isZero();
                for (Thread t : threads) t.join();
                blocked.join(TimeUnit.MINUTES.toMillis(2));

                assertThat(dupes.get()).isZero();
                assertThat(childIds).doesNotHaveDuplicates();
                var both = new HashSet<>(childIds);
                both.retainAll(mine);
                assertThat(both).as("jobs leased by both processes").isEmpty();
                var union = new HashSet<>(mine);
                union.addAll(childIds);
                assertThat(union).isEqualTo(all);
                assertThat(lateFetch.get()).extracting(Job::id).containsExactly(late.get());
            } finally {
                child.destroyForcibly();
            }
        }
    }
}
