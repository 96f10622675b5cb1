package dev.kyu.bench.compare;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Celery producer: one Python process holding one connection to RabbitMQ, which publishes with
 * {@code apply_async} on the harness's command (see kyu_bench_producer.py). Every enqueue call of the
 * harness is one line to it and one reply back, a pipe round trip (tens of microseconds) that the
 * enqueue figures include.
 */
final class CeleryProducer implements AutoCloseable {
    static final String NEEDS_CELERY =
            "Celery comparison needs Debian's python3-celery: apt-get install python3-celery";

    private final Process process;
    private final BufferedReader in;
    private final OutputStream out;
    private final String celeryVersion;

    CeleryProducer(String python, Path dir, String brokerUrl) {
        try {
            var pb = new ProcessBuilder(List.of(python, CeleryScripts.PRODUCER))
                    .directory(dir.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.environment().put("KYU_BENCH_BROKER", brokerUrl);
            pb.environment().put("PYTHONPATH", dir.toString());
            pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
            process = pb.start();
        } catch (IOException e) {
            throw new IllegalArgumentException(NEEDS_CELERY + " (cannot run " + python + ": " + e.getMessage() + ")");
        }
        in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        out = process.getOutputStream();
        String first = readLine();
        if (first == null || first.startsWith("NOCELERY")) {
            close();
            throw new IllegalArgumentException(NEEDS_CELERY);
        }
        if (first.startsWith("UNREACHABLE")) {
            close();
            throw new IllegalArgumentException(
                    "Celery comparison: RabbitMQ at " + redacted(brokerUrl) + " is unreachable: "
                            + first.substring("UNREACHABLE".length()).trim());
        }
        if (!first.startsWith("READY ")) {
            close();
            throw new IllegalStateException("Celery producer did not start: " + first);
        }
        celeryVersion = first.substring("READY ".length()).trim();
    }

    String celeryVersion() {
        return celeryVersion;
    }

    /** Publishes {@code n} no-op tasks to {@code queue}, each confirmed by RabbitMQ before the next. */
    void enqueue(String queue, int n) {
        call("ENQ " + queue + " " + n);
    }

    /** Has the worker named {@code node} start consuming {@code queue}; returns once it answered. */
    void startConsuming(String queue, String node) {
        call("GO " + queue + " " + node);
    }

    /** Deletes {@code queue}; returns how many messages it still held. */
    long deleteQueue(String queue) {
        return Long.parseLong(call("DELETE " + queue).trim());
    }

    private synchronized String call(String line) {
        try {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("Celery producer is gone: " + e.getMessage(), e);
        }
        String reply = readLine();
        if (reply == null) throw new IllegalStateException("Celery producer ended during: " + line);
        if (!reply.startsWith("OK")) throw new IllegalStateException("Celery producer, " + line + ": " + reply);
        return reply.substring(2);
    }

    private String readLine() {
        try {
            return in.readLine();
        } catch (IOException e) {
            return null;
        }
    }

    static String redacted(String url) {
        return url.replaceAll("//([^:/@]+):[^@/]*@", "//$1:***@");
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException ignored) {
            // the process may already be gone
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
