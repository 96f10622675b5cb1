package dev.kyu.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A RabbitMQ node for tests, run from Debian's {@code rabbitmq-server} as a private node of its own: its own
 * node name, AMQP and distribution ports, data, logs, config and cookie under a directory, loopback only, no
 * plugins, so it never meets a system node on 5672/25672 (only epmd is shared). The guest user works, from
 * localhost. Every node still running when the JVM exits is stopped by a shutdown hook.
 */
public final class RabbitNode implements AutoCloseable {
    static final Path DEFAULT_BIN_DIR = Path.of("/usr/lib/rabbitmq/bin");
    static final String NOT_INSTALLED =
            "RabbitMQ tests need Debian's rabbitmq-server: apt-get install rabbitmq-server (or set KYU_TEST_AMQP_URL)";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Set<RabbitNode> RUNNING = ConcurrentHashMap.newKeySet();
    private static final Thread REAPER = new Thread(RabbitNode::stopAllAtExit, "rabbit-node-reaper");

    static {
        Runtime.getRuntime().addShutdownHook(REAPER);
    }

    private final String url;
    private final int port;
    private final Path binDir;
    private final RabbitNodeFiles files;
    private Process server;
    private long beamPid = -1;

    /** A server run elsewhere: never started, stopped or killed here. */
    private RabbitNode(String url) {
        this.url = url;
        int p = URI.create(url).getPort();
        this.port = p == -1 ? 5672 : p;
        this.binDir = null;
        this.files = null;
    }

    /** A private node, not yet started; {@code binDir} holds {@code rabbitmq-server} and {@code rabbitmqctl}. */
    RabbitNode(Path binDir, Path dir) {
        this.binDir = binDir;
        this.port = freePort();
        this.files = new RabbitNodeFiles("kyu-test-" + port + "@localhost", port, freePort(), dir);
        this.url = "amqp://guest:guest@127.0.0.1:" + port + "/%2F";
    }

    /**
     * The node the tests of this JVM share: the server KYU_TEST_AMQP_URL names when set (never started or
     * stopped then), else a private node started on first use and stopped at JVM exit (shutdown hook).
     */
    public static RabbitNode shared() {
        return Shared.get();
    }

    /** A private node of its own (for tests that stop and start it), data under dir. */
    public static RabbitNode startPrivate(Path dir) {
        RabbitNode node = new RabbitNode(DEFAULT_BIN_DIR, dir);
        node.start();
        return node;
    }

    /** {@code amqp://guest:guest@127.0.0.1:PORT/%2F} */
    public String url() {
        return url;
    }

    public int port() {
        return port;
    }

    /** The Erlang node name, e.g. {@code kyu-test-40123@localhost}; only for private nodes. */
    public String nodeName() {
        return requirePrivate("nodeName").nodeName();
    }

    /** Stops the node (data kept), blocking until the port is closed. Only for private nodes. */
    public synchronized void stop() {
        requirePrivate("stop");
        if (server == null) return;
        // SIGTERM to the rabbitmq-server script, whose trap stops the VM the orderly way and waits for it.
        server.destroy();
        if (!waitFor(server, STOP_TIMEOUT)) {
            kill();
            throw new IllegalStateException("RabbitMQ node " + files.nodeName() + " did not stop within "
                    + STOP_TIMEOUT.toSeconds() + " s; killed it");
        }
        reapLeftovers();
    }

    /** Starts it again on the same port and data (after stop()), blocking until it accepts AMQP connections. */
    public synchronized void start() {
        requirePrivate("start");
        if (server != null) throw new IllegalStateException("RabbitMQ node " + files.nodeName() + " is running");
        if (!Files.isExecutable(binDir.resolve("rabbitmq-server"))
                || !Files.isExecutable(binDir.resolve("rabbitmqctl"))) throw new IllegalStateException(NOT_INSTALLED);
        if (isOpen(port))
            throw new IllegalStateException("port " + port + " of RabbitMQ node " + files.nodeName() + " is taken");
        files.write();
        try {
            Files.deleteIfExists(files.pidFile());
            // The Debian wrapper in /usr/sbin switches to the rabbitmq user; the scripts under binDir run as us.
            ProcessBuilder pb = command("rabbitmq-server")
                    .redirectErrorStream(true)
                    .redirectOutput(
                            ProcessBuilder.Redirect.appendTo(files.consoleFile().toFile()));
            server = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start RabbitMQ node " + files.nodeName(), e);
        }
        RUNNING.add(this);
        try {
            awaitStartup(System.nanoTime() + START_TIMEOUT.toNanos());
        } catch (RuntimeException e) {
            kill();
            throw e;
        }
    }

    /** Kills the node's OS processes hard (SIGKILL of the beam process), for crash tests. Only for private nodes. */
    public synchronized void kill() {
        requirePrivate("kill");
        if (server == null) return;
        // The VM's helpers (erl_child_setup, inet_gethost, the disk monitor's shell) are gathered before the
        // VM dies, as they would then belong to init and no longer be found as its descendants.
        List<ProcessHandle> tree = server.toHandle().descendants().toList();
        beam().ifPresent(ProcessHandle::destroyForcibly);
        tree.forEach(ProcessHandle::destroyForcibly);
        server.destroyForcibly();
        waitFor(server, STOP_TIMEOUT);
        reapLeftovers();
    }

    /** Stop, and nothing of the node left running. An external server is left alone. */
    @Override
    public void close() {
        if (files == null) return;
        try {
            stop();
        } finally {
            kill();
        }
    }

    private void awaitStartup(long deadline) {
        // The AMQP listener opens in the last boot steps; await_startup then confirms the boot has finished
        // (the Erlang CLI takes about half a second, so it runs once, not in the poll).
        while (!isOpen(port)) {
            if (!server.isAlive())
                throw notStarted("exited with status " + server.exitValue() + " before opening port " + port);
            if (System.nanoTime() > deadline) throw notStarted("did not open port " + port);
            sleep(50);
        }
        long left = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime()));
        String out = runCtl(Duration.ofSeconds(left + 10), "await_startup", "--timeout", Long.toString(left));
        if (out != null) throw notStarted("did not finish booting: " + out);
        beamPid = readPid();
    }

    /** Runs rabbitmqctl against this node; null when it succeeds, else its output. */
    private String runCtl(Duration timeout, String... args) {
        var cmd = new java.util.ArrayList<>(List.of("-n", files.nodeName()));
        cmd.addAll(List.of(args));
        try {
            Process ctl = command("rabbitmqctl", cmd.toArray(String[]::new))
                    .redirectErrorStream(true)
                    .start();
            ctl.getOutputStream().close();
            byte[] output = ctl.getInputStream().readAllBytes();
            if (!waitFor(ctl, timeout)) {
                ctl.destroyForcibly();
                return "rabbitmqctl " + String.join(" ", args) + " timed out";
            }
            return ctl.exitValue() == 0
                    ? null
                    : new String(output, StandardCharsets.UTF_8).strip().replace('\n', ' ');
        } catch (IOException e) {
            return "rabbitmqctl failed: " + e.getMessage();
        }
    }

    private ProcessBuilder command(String script, String... args) {
        var cmd = new java.util.ArrayList<String>();
        cmd.add(binDir.resolve(script).toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(files.dir().toFile());
        Map<String, String> env = pb.environment();
        // Settings meant for another node (the system's, a developer's) must not leak into this one.
        env.keySet().removeIf(k -> k.startsWith("RABBITMQ_") || k.equals("ERL_FLAGS") || k.startsWith("ERL_ZFLAGS"));
        env.putAll(files.environment());
        return pb;
    }

    private long readPid() {
        try {
            return Long.parseLong(Files.readString(files.pidFile()).strip());
        } catch (IOException | NumberFormatException e) {
            return -1; // kill() then finds the VM among the script's descendants
        }
    }

    private java.util.Optional<ProcessHandle> beam() {
        return beamPid > 0 ? ProcessHandle.of(beamPid) : java.util.Optional.empty();
    }

    /** After the script has exited: the VM gone, the port closed, the node forgotten by the reaper. */
    private void reapLeftovers() {
        beam().ifPresent(h -> {
            h.destroyForcibly();
            h.onExit().orTimeout(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
        });
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        while (isOpen(port)) {
            if (System.nanoTime() > deadline)
                throw new IllegalStateException(
                        "port " + port + " of RabbitMQ node " + files.nodeName() + " still open after it stopped");
            sleep(50);
        }
        server = null;
        beamPid = -1;
        RUNNING.remove(this);
    }

    private IllegalStateException notStarted(String what) {
        return new IllegalStateException("RabbitMQ node " + files.nodeName() + " " + what + " within "
                + START_TIMEOUT.toSeconds() + " s; " + files.logFile() + " ends: " + logTail());
    }

    private String logTail() {
        for (Path log : List.of(files.logFile(), files.consoleFile())) {
            try {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                if (lines.isEmpty()) continue;
                return String.join(" | ", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
            } catch (IOException e) {
                // try the console output
            }
        }
        return "(no log)";
    }

    private RabbitNodeFiles requirePrivate(String what) {
        if (files == null)
            throw new IllegalStateException(
                    what + "() is only for private RabbitMQ nodes, not for the server KYU_TEST_AMQP_URL names");
        return files;
    }

    private static void stopAllAtExit() {
        for (RabbitNode node : RUNNING) {
            try {
                node.close();
            } catch (RuntimeException e) {
                System.err.println("could not stop RabbitMQ node at exit: " + e.getMessage());
            }
        }
    }

    private static boolean isOpen(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free local port", e);
        }
    }

    private static boolean waitFor(Process p, Duration timeout) {
        try {
            return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a RabbitMQ node", e);
        }
    }

    /** Started on first use, once per JVM; a failure to start is remembered, so every test reports it alike. */
    private static final class Shared {
        private static RabbitNode node;
        private static RuntimeException failure;

        static synchronized RabbitNode get() {
            if (failure != null) throw failure;
            if (node == null) {
                try {
                    node = create();
                } catch (RuntimeException e) {
                    failure = e;
                    throw e;
                }
            }
            return node;
        }

        private static RabbitNode create() {
            String env = System.getenv("KYU_TEST_AMQP_URL");
            if (env != null && !env.isBlank()) return new RabbitNode(env.strip());
            return startPrivate(Path.of(
                    "target", "rabbitmq", "shared-" + ProcessHandle.current().pid()));
        }
    }
}
