package dev.kyu.testkit.faults;

import dev.kyu.task.KyuTask;
import dev.kyu.task.Task;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The fault suite's record of every execution, kept outside the broker under test: the task
 * {@value #TASK} appends a start mark when its body begins and an end mark just before it returns, one
 * line each, forced to disk before it goes on, to a file of its own worker JVM. A SIGKILL can cut at most
 * the line being written, which the reader skips. Since the end mark is on disk before the task returns,
 * an outcome the broker recorded always has its end mark here.
 */
public final class RunHistory {
    /** The task the fault suite enqueues; a worker started with {@code --history FILE} registers it. */
    public static final String TASK = "kyu.test.record";

    /** The task's args: a sequence number (its result) and how long the body takes. */
    public record RecordArgs(int n, long ms) {}

    /**
     * One execution of one attempt: start and end in epoch microseconds of the host clock, end -1 when the
     * body never finished (its JVM was killed, or the run was interrupted).
     */
    public record Run(String jobId, int attempt, String worker, long startMicros, long endMicros) {
        public boolean finished() {
            return endMicros >= 0;
        }
    }

    // A stream, not a FileChannel: an interrupt (a job's timeout, a lost lease) closes an interruptible
    // channel for good, and every later mark of this JVM would fail.
    private final FileOutputStream out;
    private final String worker;

    private RunHistory(Path file, String worker) {
        try {
            this.out = new FileOutputStream(file.toFile(), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.worker = worker;
    }

    /** The recording task, appending to {@code file} under the name {@code worker}. */
    public static KyuTask<RecordArgs, Integer> task(Path file, String worker) {
        var history = new RunHistory(file, worker);
        return Task.of(TASK, RecordArgs.class, (args, ctx) -> {
            history.mark('S', ctx.jobId(), ctx.attempt());
            if (args.ms() > 0) Thread.sleep(args.ms());
            history.mark('E', ctx.jobId(), ctx.attempt());
            return args.n();
        });
    }

    private synchronized void mark(char kind, String jobId, int attempt) throws IOException {
        String line = kind + " " + jobId + " " + attempt + " " + worker + " " + micros(Instant.now()) + "\n";
        out.write(line.getBytes(StandardCharsets.UTF_8));
        out.getFD().sync();
    }

    static long micros(Instant t) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, t);
    }

    /** Every run recorded in the {@code *.history} files of {@code dir}, in file order. */
    public static List<Run> read(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".history"))
                    .sorted()
                    .toList();
        }
        var runs = new ArrayList<Run>();
        for (Path f : files) {
            Map<String, Integer> open = new HashMap<>(); // "id attempt" -> index of its latest start in this file
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                String[] p = line.split(" ");
                if (p.length != 5 || p[0].length() != 1) continue; // a line cut by a SIGKILL
                int attempt;
                long at;
                try {
                    attempt = Integer.parseInt(p[2]);
                    at = Long.parseLong(p[4]);
                } catch (NumberFormatException e) {
                    continue;
                }
                String key = p[1] + " " + attempt;
                if (p[0].equals("S")) {
                    open.put(key, runs.size());
                    runs.add(new Run(p[1], attempt, p[3], at, -1));
                } else if (p[0].equals("E") && open.containsKey(key)) {
                    int i = open.remove(key);
                    Run r = runs.get(i);
                    runs.set(i, new Run(r.jobId(), r.attempt(), r.worker(), r.startMicros(), at));
                }
            }
        }
        return runs;
    }
}
