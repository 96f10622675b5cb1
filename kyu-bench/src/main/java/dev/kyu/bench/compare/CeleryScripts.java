package dev.kyu.bench.compare;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The Python side of the Celery comparison, kept as resources next to this class and written to a temporary
 * directory for the run (Celery imports its app by module name, so it must be a file on PYTHONPATH). The
 * directory also holds each run's file of finished jobs.
 */
final class CeleryScripts implements AutoCloseable {
    static final String APP_MODULE = "kyu_bench_celery";
    static final String PRODUCER = "kyu_bench_producer.py";

    private final Path dir;

    CeleryScripts() {
        try {
            dir = Files.createTempDirectory("kyu-bench-celery");
            copy(APP_MODULE + ".py");
            copy(PRODUCER);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Celery scripts: " + e.getMessage(), e);
        }
    }

    private void copy(String name) throws IOException {
        try (InputStream in = CeleryScripts.class.getResourceAsStream("celery/" + name)) {
            if (in == null) throw new IllegalStateException("resource celery/" + name + " is missing");
            Files.copy(in, dir.resolve(name));
        }
    }

    Path dir() {
        return dir;
    }

    @Override
    public void close() {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory: the system cleans it eventually
        }
    }
}
