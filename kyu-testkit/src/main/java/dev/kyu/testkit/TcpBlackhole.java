package dev.kyu.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local TCP address that accepts connections and then never answers: what a broker behind a dead
 * firewall rule, a paused VM or a hung server looks like to a client. Given a target, it first relays
 * every byte both ways (a working broker) until {@link #freeze()}, after which it keeps every connection
 * open, old and new, and passes nothing on, so calls on connections that were fine a moment ago hang too.
 */
public final class TcpBlackhole implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean frozen;
    private volatile boolean closed;

    private TcpBlackhole(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.frozen = target == null;
        Thread.ofPlatform().daemon().name("blackhole-accept").start(this::accept);
    }

    /** Accepts and never answers, from the start. */
    public static TcpBlackhole silent() throws IOException {
        return new TcpBlackhole(null);
    }

    /** Relays to {@code host:port} until {@link #freeze()}. */
    public static TcpBlackhole relayTo(String host, int port) throws IOException {
        return new TcpBlackhole(new InetSocketAddress(host, port));
    }

    public int port() {
        return server.getLocalPort();
    }

    /** {@code 127.0.0.1:PORT}, for a broker URL. */
    public String hostPort() {
        return "127.0.0.1:" + port();
    }

    /** From now on nothing more is passed on, in either direction, on any connection. */
    public void freeze() {
        frozen = true;
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                if (frozen) continue; // accepted, held open, never read
                Socket upstream = new Socket();
                upstream.connect(target, 5000);
                sockets.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                if (closed) return;
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread.ofPlatform().daemon().name("blackhole-relay").start(() -> {
            byte[] buf = new byte[8192];
            try (InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    if (frozen) continue; // swallowed: the sender waits for a reply that never comes
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // one side closed: the relay ends
            }
        });
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
