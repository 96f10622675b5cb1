package dev.kyu.bench.proc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts a worker in a JVM of its own, as users deploy them: the same java binary and class path as the
 * harness, a given main class and arguments. The child prints {@code READY} on its standard output once
 * its workers are started and idle; its other output is passed through to the harness's standard error.
 * Closing the handle asks the child to stop (SIGTERM, so its shutdown hook stops the workers gracefully)
 * and waits for it. {@link #startCommand} starts another program that keeps the same protocol (a Celery
 * worker, say).
 */
public final class WorkerJvm implements WorkerHandle {
    private final Process process;

    private WorkerJvm(Process process) {
        this.process = process;
    }

    public static WorkerJvm start(String mainClass, List<String> jvmArgs, List<String> args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        var cmd = new ArrayList<String>();
        cmd.add(java);
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        cmd.add("--enable-native-access=ALL-UNNAMED"); // sqlite-jdbc loads its native library
        cmd.addAll(jvmArgs);
        // Extra flags for profiling a worker (a flight recording, say); they come last, so they win.
        String extra = System.getenv("KYU_BENCH_WORKER_OPTS");
        if (extra != null && !extra.isBlank()) cmd.addAll(List.of(extra.trim().split("\\s+")));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        return startCommand(cmd, Map.of(), null, mainClass);
    }

    /**
     * Starts {@code command} with {@code env} added to the harness's environment, in {@code dir} (null: the
     * harness's own), and waits for its {@code READY}; {@code what} names it in errors.
     */
    public static WorkerJvm startCommand(List<String> command, Map<String, String> env, Path dir, String what) {
        Process p;
        try {
            var pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.environment().putAll(env);
            if (dir != null) pb.directory(dir.toFile());
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start worker " + what + ": " + e.getMessage(), e);
        }
        var ready = new CompletableFuture<Void>();
        Thread.ofPlatform().daemon().name("worker-jvm-out-" + p.pid()).start(() -> {
            try (var in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.equals("READY")) ready.complete(null);
                    else System.err.println("[worker " + p.pid() + "] " + line);
                }
            } catch (IOException ignored) {
                // the child ended
            }
            ready.completeExceptionally(new IllegalStateException("worker " + p.pid() + " ended before it was ready"));
        });
        try {
            ready.get(120, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            p.destroyForcibly();
            throw new IllegalStateException("worker " + what + " was not ready within 120 s");
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IllegalStateException("worker " + what + " failed to start: " + e.getMessage(), e);
        }
        return new WorkerJvm(p);
    }

    /** Sends one line to the child's standard input (e.g. {@code GO} to a worker told to wait). */
    public void send(String line) {
        try {
            var out = process.getOutputStream();
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to worker JVM " + process.pid() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public long pid() {
        return process.pid();
    }

    /** The process and its children (a prefork pool's processes, which are there once it is ready). */
    @Override
    public List<Long> pids() {
        var out = new ArrayList<Long>();
        out.add(process.pid());
        process.children().forEach(c -> out.add(c.pid()));
        return out;
    }

    @Override
    public boolean inProcess() {
        return false;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
