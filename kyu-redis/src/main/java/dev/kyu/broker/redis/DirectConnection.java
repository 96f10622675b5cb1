package dev.kyu.broker.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A connection whose replies are read by the calling thread itself, for a worker's blocking pop with the
 * fetch script queued behind it and for a lone job's enqueue. Through Lettuce a reply reaches a waiting caller by way of Netty's event
 * loop and then a future: two thread wake-ups, which cost about 0.2 ms of a job's latency on a small
 * virtual machine (docs/benchmarks.md). Here the kernel wakes the caller, blocked in its read, directly.
 * Used on a single server reached over plain TCP; a Cluster, a Sentinel set-up and TLS keep Lettuce's
 * connections. Failures are reported with Lettuce's exception types, so {@link Faults} judges them as it
 * judges every other call.
 *
 * <p>The socket is a {@link SocketChannel}'s: interrupting a caller blocked in a read closes the
 * connection and ends the read, as interrupting a wait on a Lettuce future does, so a stopping worker is
 * not held up by its pop. Closing the connection from another thread ends the read too.
 */
final class DirectConnection implements AutoCloseable {
    private Connection conn;
    /** The socket's channel, kept to look at the connection between calls (see {@link #stillOpen}). */
    private volatile SocketChannel channel;

    private final ByteBuffer probe = ByteBuffer.allocate(1);

    private DirectConnection() {}

    /** A single server over plain TCP: where a direct connection can stand in for Lettuce's. */
    static boolean suits(RedisSettings settings, boolean cluster) {
        return !cluster
                && !settings.sentinel()
                && settings.nodes().size() == 1
                && !settings.nodes().get(0).isSsl();
    }

    /** Connects, authenticates and selects the database as the URL says. */
    static DirectConnection open(RedisSettings settings) {
        RedisURI uri = settings.nodes().get(0);
        Duration timeout = settings.timeout();
        int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        var config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(ms)
                .socketTimeoutMillis(ms)
                .database(uri.getDatabase())
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED);
        if (settings.password() != null) config.password(settings.password());
        if (settings.user() != null) config.user(settings.user());
        if (uri.getClientName() != null) config.clientName(uri.getClientName());
        var address = new InetSocketAddress(uri.getHost(), uri.getPort());
        var direct = new DirectConnection();
        try {
            direct.conn = new Connection(() -> direct.socket(address, ms), config.build());
            return direct;
        } catch (JedisConnectionException e) {
            direct.abandon();
            throw new RedisConnectionException(Faults.oneLine(e), e);
        } catch (JedisDataException e) {
            // The set-up was refused (credentials, database): the server's own words.
            direct.abandon();
            throw new RedisCommandExecutionException(e.getMessage());
        }
    }

    /** Closes the socket of a connection whose set-up failed, whether or not the client closed it already. */
    private void abandon() {
        SocketChannel ch = channel;
        if (ch == null) return;
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing more to release
        }
    }

    private Socket socket(InetSocketAddress address, int timeoutMs) {
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open();
            Socket s = ch.socket();
            s.setTcpNoDelay(true);
            s.setKeepAlive(true);
            s.connect(address, timeoutMs);
            s.setSoTimeout(timeoutMs);
            channel = ch;
            return s;
        } catch (IOException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    /* the connect failed already */
                }
            }
            String where = "Unable to connect to " + address.getHostString() + ":" + address.getPort() + ": ";
            // A name that does not resolve comes as an UnknownHostException saying only host:port: said plainly.
            if (e instanceof java.net.UnknownHostException)
                throw new JedisConnectionException(where + "unknown host " + address.getHostString());
            throw new JedisConnectionException(where + e.getMessage(), e);
        }
    }

    /**
     * Sends {@code BLPOP keys wait} and, behind it, {@code EVALSHA sha 1 routeKey argv…}, and reads both
     * replies; returns the script's, shaped as Lettuce's nested output gives it (text as strings, integers
     * as longs, arrays as lists). The pop's own reply does not matter: a pop that failed at once (a wake
     * key of another type) only makes the script come back early, which the caller notices.
     *
     * @throws InterruptedException the caller was interrupted while it waited (the connection is then closed)
     */
    Object popThenEvalsha(
            List<String> keys, Duration wait, byte[] sha, String routeKey, byte[][] argv, Duration timeout)
            throws InterruptedException {
        byte[][] pop = new byte[keys.size() + 1][];
        for (int i = 0; i < keys.size(); i++) pop[i] = keys.get(i).getBytes(StandardCharsets.UTF_8);
        pop[keys.size()] = seconds(wait);
        byte[][] eval = evalshaArgs(sha, routeKey, argv);
        List<Object> replies;
        try {
            conn.setSoTimeout(
                    (int) Math.min(Integer.MAX_VALUE, wait.plus(timeout).toMillis()));
            conn.sendCommand(Protocol.Command.BLPOP, pop);
            conn.sendCommand(Protocol.Command.EVALSHA, eval);
            replies = conn.getMany(2);
        } catch (JedisConnectionException e) {
            throw connectionFailure(e);
        }
        return shaped(replies.get(1));
    }

    /**
     * {@code EVALSHA sha 1 routeKey argv…}, its reply shaped as by {@link #popThenEvalsha}. An interrupt
     * while waiting closes the connection and is reported as Lettuce reports it (the script may have run).
     */
    Object evalsha(byte[] sha, String routeKey, byte[][] argv, Duration timeout) {
        byte[][] eval = evalshaArgs(sha, routeKey, argv);
        try {
            conn.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            conn.sendCommand(Protocol.Command.EVALSHA, eval);
            return shaped(conn.getMany(1).get(0));
        } catch (JedisConnectionException e) {
            try {
                throw connectionFailure(e);
            } catch (InterruptedException interrupted) {
                throw new RedisCommandInterruptedException(interrupted);
            }
        }
    }

    /**
     * Any command, its reply shaped as a script's (text as strings, integers as longs, arrays as lists, nil
     * as null); an error reply is thrown as Lettuce throws it. An interrupt while waiting closes the
     * connection and is reported as Lettuce reports it.
     */
    private Object commandBytes(Duration timeout, Protocol.Command command, byte[][] args) {
        try {
            conn.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            conn.sendCommand(command, args);
            return shaped(conn.getMany(1).get(0));
        } catch (JedisConnectionException e) {
            throw uninterrupted(e);
        }
    }

    /** {@link #command} with text arguments. */
    Object command(Duration timeout, Protocol.Command command, String... args) {
        byte[][] raw = new byte[args.length][];
        for (int i = 0; i < args.length; i++) raw[i] = args[i].getBytes(StandardCharsets.UTF_8);
        return commandBytes(timeout, command, raw);
    }

    /**
     * Several commands sent before any reply is read (one round trip): each reply shaped as by
     * {@link #command}, or, for an error reply, the exception {@link #command} would have thrown, in its
     * place rather than thrown, so that one refused command does not hide the others' replies.
     */
    List<Object> pipelined(Duration timeout, List<Protocol.Command> commands, List<byte[][]> args) {
        try {
            conn.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            for (int i = 0; i < commands.size(); i++) conn.sendCommand(commands.get(i), args.get(i));
            List<Object> replies = conn.getMany(commands.size());
            var out = new ArrayList<Object>(replies.size());
            for (Object r : replies) {
                try {
                    out.add(shaped(r));
                } catch (RedisCommandExecutionException e) {
                    out.add(e);
                }
            }
            return out;
        } catch (JedisConnectionException e) {
            throw uninterrupted(e);
        }
    }

    private static RuntimeException uninterrupted(JedisConnectionException e) {
        try {
            return connectionFailure(e);
        } catch (InterruptedException interrupted) {
            return new RedisCommandInterruptedException(interrupted);
        }
    }

    /** EVALSHA's arguments: the script, one key (the route), then ARGV. */
    static byte[][] evalshaArgs(byte[] sha, String routeKey, byte[][] argv) {
        byte[][] eval = new byte[argv.length + 3][];
        eval[0] = sha;
        eval[1] = ONE;
        eval[2] = routeKey.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(argv, 0, eval, 3, argv.length);
        return eval;
    }

    /** The script's reply as Lettuce's nested output would give it; a server error is thrown. */
    private static Object shaped(Object reply) {
        if (reply instanceof byte[] b) return new String(b, StandardCharsets.UTF_8);
        if (reply instanceof List<?> list) {
            var out = new ArrayList<Object>(list.size());
            for (Object o : list) out.add(shaped(o));
            return out;
        }
        if (reply instanceof JedisDataException e) {
            String m = e.getMessage() == null ? "error reply" : e.getMessage();
            if (m.startsWith("NOSCRIPT")) throw new RedisNoScriptException(m);
            throw new RedisCommandExecutionException(m);
        }
        return reply;
    }

    private static RuntimeException connectionFailure(JedisConnectionException e) throws InterruptedException {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ClosedByInterruptException) {
                Thread.currentThread().interrupt();
                throw new InterruptedException("interrupted while waiting for Redis");
            }
            if (c instanceof SocketTimeoutException) {
                return new RedisCommandTimeoutException("no reply in time");
            }
        }
        return new RedisConnectionException(Faults.oneLine(e), e);
    }

    /** Whether the connection can serve the next call: false once a failure left its state unknown. */
    boolean sound() {
        return !conn.isBroken();
    }

    /**
     * Whether an idle connection is still usable: false when the server closed it meanwhile (a restart, its
     * idle {@code timeout}) or sent something unasked. A non-blocking read of one byte, so that a call is
     * not sent on a connection that can only fail it.
     */
    boolean stillOpen() {
        SocketChannel ch = channel;
        if (ch == null || !sound()) return false;
        try {
            ch.configureBlocking(false);
            try {
                probe.clear();
                return ch.read(probe) == 0;
            } finally {
                ch.configureBlocking(true);
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        try {
            conn.close();
        } catch (RuntimeException ignored) {
            // closing a broken or interrupted connection: nothing left to release
        }
    }

    private static final byte[] ONE = {'1'};

    /** BLPOP's timeout in seconds, as text, at least a millisecond (0 would block forever). */
    private static byte[] seconds(Duration wait) {
        double s = Math.max(0.001, wait.toMillis() / 1000.0);
        return String.format(java.util.Locale.ROOT, "%.3f", s).getBytes(StandardCharsets.US_ASCII);
    }
}
