package dev.kyu.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RabbitNodeTest {

    @Test
    void startsStopsStartsAgainOnTheSamePortAndDiesWhenKilled() throws Exception {
        assumeTrue(Files.isExecutable(RabbitNode.DEFAULT_BIN_DIR.resolve("rabbitmq-server")), RabbitNode.NOT_INSTALLED);
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "rabbit-node");

        long t0 = System.nanoTime();
        try (RabbitNode node = RabbitNode.startPrivate(dir)) {
            long started = System.nanoTime();
            int port = node.port();
            assertThat(node.url()).isEqualTo("amqp://guest:guest@127.0.0.1:" + port + "/%2F");
            assertThat(port).isNotEqualTo(5672);
            assertThat(answersAmqp(port)).isTrue();
            assertThat(processesOf(node.nodeName())).isPositive();

            node.stop();
            long stopped = System.nanoTime();
            assertThat(answersAmqp(port)).isFalse();
            assertThat(processesOf(node.nodeName())).isZero();

            node.start();
            long restarted = System.nanoTime();
            assertThat(node.port()).isEqualTo(port);
            assertThat(answersAmqp(port)).isTrue();

            node.kill();
            long killed = System.nanoTime();
            assertThat(answersAmqp(port)).isFalse();
            assertThat(processesOf(node.nodeName())).isZero();

            System.out.printf(
                    "RabbitMQ node: first start %d ms, stop %d ms, restart %d ms, kill %d ms%n",
                    (started - t0) / 1_000_000,
                    (stopped - started) / 1_000_000,
                    (restarted - stopped) / 1_000_000,
                    (killed - restarted) / 1_000_000);
        }
    }

    @Test
    void saysHowToInstallRabbitMqWhenItIsMissing() throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "rabbit-node");
        var node = new RabbitNode(Path.of("/nonexistent/rabbitmq/bin"), dir);

        assertThatThrownBy(node::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(
                        "RabbitMQ tests need Debian's rabbitmq-server: apt-get install rabbitmq-server (or set KYU_TEST_AMQP_URL)");
    }

    /** Sends the AMQP 0-9-1 protocol header and reads the reply: a Connection.Start method frame from a broker. */
    private static boolean answersAmqp(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            out.write("AMQP".getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[] {0, 0, 9, 1});
            out.flush();
            var in = new DataInputStream(s.getInputStream());
            int frameType = in.readUnsignedByte();
            int channel = in.readUnsignedShort();
            in.readInt(); // payload size
            int classId = in.readUnsignedShort();
            int methodId = in.readUnsignedShort();
            return frameType == 1 && channel == 0 && classId == 10 && methodId == 10;
        } catch (IOException e) {
            return false;
        }
    }

    /** The processes whose environment names the node: the VM and every helper it started (Linux /proc). */
    private static long processesOf(String nodeName) {
        byte[] marker = ("RABBITMQ_NODENAME=" + nodeName + "\0").getBytes(StandardCharsets.UTF_8);
        return ProcessHandle.allProcesses()
                .filter(p -> {
                    try {
                        byte[] env = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "environ"));
                        return indexOf(env, marker) >= 0;
                    } catch (IOException e) {
                        return false; // gone, or not ours to read
                    }
                })
                .count();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
