package dev.kyu.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A worker in a JVM of its own, on this test's class path, its output in a log file. */
public final class WorkerProcess implements AutoCloseable {
    private final Process process;
    private final Path log;

    private WorkerProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@link WorkerMain} with {@code --broker URL ARGS…} (options as {@code --name value} pairs). */
    public static WorkerProcess start(String brokerUrl, Path log, String... workerArgs) throws IOException {
        var args = new ArrayList<>(List.of("--broker", brokerUrl));
        args.addAll(List.of(workerArgs));
        return startMain(WorkerMain.class.getName(), args, log);
    }

    /** Starts any main class on this test's class path, e.g. the {@code kyu} command line. */
    public static WorkerProcess startMain(String mainClass, List<String> args, Path log) throws IOException {
        var command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                mainClass));
        command.addAll(args);
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return new WorkerProcess(p, log);
    }

    public Process process() {
        return process;
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** SIGKILL: no shutdown hook runs, nothing is handed back. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM, then waits for the graceful stop; returns the exit code. */
    public int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        return process.exitValue();
    }

    /** Stops the worker gracefully; interrupted meanwhile, it kills it and keeps the thread's interrupt flag set. */
    @Override
    public void close() {
        if (!process.isAlive()) return;
        try {
            terminate();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
