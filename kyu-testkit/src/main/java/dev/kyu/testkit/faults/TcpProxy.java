package dev.kyu.testkit.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder between clients and a broker that can be made to <em>blackhole</em> it: while dark it
 * accepts connections and reads what clients send but forwards nothing either way and answers nothing,
 * as a network path whose packets are dropped does (a partition, a firewall DROP rule, a dead NAT entry).
 * When light comes back every connection that lived through the dark is cut (the path's state was
 * lost), so a client that waits on such a connection without a timeout hangs until then and no longer;
 * new connections are forwarded again.
 */
public final class TcpProxy implements AutoCloseable {
    private final ServerSocket server;
    private final String targetHost;
    private final int targetPort;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private volatile boolean dark;
    private volatile boolean closed;

    private record Link(Socket client, Socket[] upstream) {
        void close() {
            quietly(client);
            if (upstream[0] != null) quietly(upstream[0]);
        }
    }

    public TcpProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("tcp-proxy-" + port()).start(this::accept);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Stops forwarding: from now on nothing passes either way until {@link #light()}. */
    public void dark() {
        dark = true;
    }

    /** Forwards again, after cutting every connection that was open during the dark. */
    public void light() {
        synchronized (gate) {
            for (Link l : links) l.close();
            links.clear();
            dark = false;
            gate.notifyAll();
        }
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            var link = new Link(client, new Socket[1]);
            links.add(link);
            Thread.ofVirtual().start(() -> open(link));
        }
    }

    private void open(Link link) {
        try {
            awaitLight(link);
            Socket up = new Socket();
            up.connect(new InetSocketAddress(targetHost, targetPort), 5_000);
            link.upstream()[0] = up;
            if (!links.contains(link)) {
                link.close();
                return;
            }
            Thread.ofVirtual().start(() -> pump(link, link.client(), up));
            pump(link, up, link.client());
        } catch (IOException | InterruptedException e) {
            link.close();
            links.remove(link);
        }
    }

    /** Copies one direction; bytes read while dark are dropped, like packets on a dead path. */
    private void pump(Link link, Socket from, Socket to) {
        byte[] buf = new byte[16 * 1024];
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (dark || !links.contains(link)) continue;
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the other side or light() closed the link
        } finally {
            link.close();
            links.remove(link);
        }
    }

    private void awaitLight(Link link) throws InterruptedException {
        synchronized (gate) {
            while (dark && !closed) gate.wait();
        }
        if (closed) throw new InterruptedException("proxy closed");
    }

    @Override
    public void close() {
        closed = true;
        synchronized (gate) {
            gate.notifyAll();
        }
        quietly(server);
        for (Link l : links) l.close();
    }

    private static void quietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing is best effort
        }
    }
}
