package dev.kyu.spring;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import redis.embedded.core.ExecutableProvider;

/** A real redis-server for tests, from the binary the embedded-redis artifact ships, on a free port. */
final class RedisServer implements AutoCloseable {
    private final int port;
    private final Path dir;
    private final Process process;

    private RedisServer(int port, Path dir, Process process) {
        this.port = port;
        this.dir = dir;
        this.process = process;
    }

    static RedisServer start() throws IOException {
        File binary = ExecutableProvider.newJarResourceProvider().get();
        binary.setExecutable(true);
        int port;
        try (var s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path dir = Files.createTempDirectory("kyu-spring-redis");
        Process p = new ProcessBuilder(List.of(
                        binary.getAbsolutePath(),
                        "--port",
                        Integer.toString(port),
                        "--bind",
                        "127.0.0.1",
                        "--dir",
                        dir.toString(),
                        "--save",
                        "",
                        "--appendonly",
                        "yes",
                        "--appendfsync",
                        "everysec"))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile())
                .start();
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(20))
                .ignoreExceptions()
                .until(() -> {
                    try (var s = new Socket("127.0.0.1", port)) {
                        s.getOutputStream().write("PING\r\n".getBytes());
                        byte[] buf = new byte[16];
                        int n = s.getInputStream().read(buf);
                        return n > 0 && new String(buf, 0, n).startsWith("+PONG");
                    }
                });
        return new RedisServer(port, dir, p);
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Kills the server and deletes its data; interrupted while waiting, it keeps the thread's interrupt flag set. */
    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }
}
