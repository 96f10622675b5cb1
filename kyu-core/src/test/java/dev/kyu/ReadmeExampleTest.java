package dev.kyu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.job.JobOptions;
import dev.kyu.task.Task;
import dev.kyu.worker.Worker;
import dev.kyu.worker.WorkerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's ten lines, as written there but for the broker (memory: here, no SQLite in this module) and
 * the delay (none, so the test does not wait ten seconds): they compile with a mailer that returns a message
 * id, and the job they enqueue runs on the worker they start.
 */
class ReadmeExampleTest {
    record Email(String to, String subject) {}

    /** Stands in for a mail client: sending returns the server's message id. */
    static final class Mailer {
        final List<String> sent = new ArrayList<>();

        String send(String to, String subject) {
            sent.add(to + ": " + subject);
            return "msg-" + sent.size();
        }
    }

    @Test
    @SuppressWarnings("try") // the worker is a scope guard: it runs for the try block and stops at its end
    void theTenLinesRunTheirJob() throws Exception {
        var mailer = new Mailer();

        var send = Task.of(
                "email.send",
                Email.class,
                (email, ctx) -> mailer.send(email.to(), email.subject())); // returns the message id

        try (Kyu kyu = Kyu.connect("memory:").register(send);
                Worker worker = kyu.worker(WorkerOptions.builder()
                                .queues("mail")
                                .concurrency(50)
                                .build())
                        .start()) {
            var job = kyu.enqueue(
                    send,
                    new Email("ada@example.com", "Welcome"),
                    JobOptions.builder()
                            .queue("mail")
                            .maxAttempts(5)
                            .delay(Duration.ZERO)
                            .build());
            String messageId = job.await(Duration.ofMinutes(1));

            assertThat(messageId).isEqualTo("msg-1");
            assertThat(mailer.sent).containsExactly("ada@example.com: Welcome");
        }
    }
}
