package dev.kyu.bench.compare;

import dev.kyu.bench.subject.Subject.JobTimes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The file Celery's task bodies append to, one record per finished job (see kyu_bench_celery.py): one byte
 * on drains, or the job's enqueue and start time in microseconds ({@code "%020d %020d\n"}) when timed.
 */
record CeleryDoneFile(Path path, boolean timed) {
    static final int TIMED_RECORD_BYTES = 42;

    long count() {
        try {
            return Files.exists(path) ? Files.size(path) / (timed ? TIMED_RECORD_BYTES : 1) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    List<JobTimes> times() {
        if (!timed || !Files.exists(path)) return List.of();
        try {
            return parse(Files.readString(path));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    static List<JobTimes> parse(String records) {
        var out = new ArrayList<JobTimes>();
        for (String line : records.split("\n")) {
            if (line.isBlank()) continue;
            String[] f = line.trim().split(" +");
            if (f.length != 2) throw new IllegalStateException("not a Celery job record: '" + line + "'");
            out.add(JobTimes.unleased(Long.parseLong(f[0]), Long.parseLong(f[1])));
        }
        return out;
    }
}
