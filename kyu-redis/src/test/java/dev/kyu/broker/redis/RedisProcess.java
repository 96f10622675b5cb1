package dev.kyu.broker.redis;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import redis.embedded.core.ExecutableProvider;

/**
 * A real redis-server process, started from the binary that the embedded-redis artifact ships, on a free
 * port with its own data directory, so a test can kill and restart it with its data.
 */
final class RedisProcess implements AutoCloseable {
    private static File binary;

    private final int port;
    private final Path dir;
    private final List<String> settings;
    private Path config;
    private Process process;

    /** A Sentinel watching the master on {@code masterPort} under the name {@code master}. */
    static RedisProcess sentinel(String master, int masterPort) throws IOException {
        var p = new RedisProcess(List.of("--sentinel"));
        p.config = p.dir.resolve("sentinel.conf");
        Files.writeString(
                p.config,
                "sentinel monitor " + master + " 127.0.0.1 " + masterPort + " 1\n" + "sentinel down-after-milliseconds "
                        + master + " 5000\n");
        return p;
    }

    RedisProcess(List<String> settings) throws IOException {
        this(freePort(), settings);
    }

    RedisProcess(int port, List<String> settings) throws IOException {
        this.port = port;
        this.dir = Files.createTempDirectory("kyu-redis-" + port);
        this.settings = List.copyOf(settings);
    }

    static synchronized File binary() throws IOException {
        if (binary == null) {
            binary = ExecutableProvider.newJarResourceProvider().get();
            binary.setExecutable(true);
        }
        return binary;
    }

    static int freePort() throws IOException {
        try (var s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    int port() {
        return port;
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    Path dir() {
        return dir;
    }

    RedisProcess start() throws IOException {
        var cmd = new ArrayList<>(List.of(binary().getAbsolutePath()));
        if (config != null) cmd.add(config.toString());
        cmd.addAll(List.of(
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                dir.toString(),
                "--protected-mode",
                "no"));
        if (config == null) cmd.addAll(List.of("--save", ""));
        cmd.addAll(settings);
        process = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile())
                .start();
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(20))
                .ignoreExceptions()
                .until(() -> {
                    if (!process.isAlive())
                        throw new IllegalStateException(
                                "redis-server exited: " + Files.readString(dir.resolve("redis.log")));
                    try (var s = new Socket("127.0.0.1", port)) {
                        s.getOutputStream().write("PING\r\n".getBytes());
                        byte[] buf = new byte[64];
                        int n = s.getInputStream().read(buf);
                        // A server that asks for a password answers an anonymous PING with NOAUTH: it is up all the
                        // same.
                        return n > 0
                                && (new String(buf, 0, n).startsWith("+PONG")
                                        || new String(buf, 0, n).startsWith("-NOAUTH"));
                    }
                });
        return this;
    }

    /** Kills the server and starts it again on the same port with the same data directory. */
    void restart() throws Exception {
        kill();
        start();
    }

    /** Kills the server at once (SIGKILL): what a crash or power cut looks like to clients. */
    void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor();
            process = null;
        }
    }

    /**
     * Kills the server and deletes its data directory (append-only files run to tens of megabytes). Interrupted
     * while waiting for the kill, it keeps the thread's interrupt flag set: the server has had its SIGKILL.
     */
    @Override
    public void close() {
        try {
            kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is not worth failing a test over
        }
    }
}
