package dev.kyu.broker.redis;

import dev.kyu.KyuException;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import redis.clients.jedis.Protocol.Command;

/**
 * The connections to one Redis deployment (a server, a Sentinel-watched master, or a Cluster): one shared
 * connection that every verb pipelines its commands on, and a pool of connections for blocking pops, so
 * that a worker waiting for work never holds up anyone else's commands. On a single server over plain TCP,
 * the pops and a few synchronous calls use {@link DirectConnection}s, read by the caller's own thread. Lettuce reconnects by itself;
 * on a single server, commands are refused at once while disconnected rather than buffered, so a verb
 * that failed did not run later behind the caller's back.
 *
 * <p>On a single server over plain TCP, Lettuce (Netty's event loops, Reactor: about half a second of a
 * short-lived process's start) is started only when a verb first needs it: the broker opens over a
 * {@link DirectConnection}, and lone commands ({@link #call}) and scripts ({@link #pipelined}) go over
 * direct connections while one is free. A one-shot command (kyu enqueue, kyu inspect) never starts it.
 */
final class RedisLink implements AutoCloseable {
    private final RedisSettings settings;
    /** Lettuce's part, set at open for a Cluster, Sentinel or TLS, else at first use ({@link #lettuce}). */
    private volatile Lettuce lettuce;

    private final boolean cluster;
    private final ConcurrentLinkedQueue<StatefulConnection<String, String>> idleBlockers =
            new ConcurrentLinkedQueue<>();
    private final Set<StatefulConnection<String, String>> blockers = ConcurrentHashMap.newKeySet();
    /** Blocking pops and connects in flight, cancelled at close so no caller waits on a client going away. */
    private final Set<java.util.concurrent.Future<?>> pops = ConcurrentHashMap.newKeySet();
    /** Whether pops with a command behind them, and lone calls, go over {@link DirectConnection}s. */
    private final boolean direct;
    /** Direct connections for pops: one per fetch blocked at a time. */
    private final DirectPool popConnections;
    /**
     * Direct connections for calls ({@link #evalshaDirect}), at most {@link #MAX_DIRECT_CALLERS}: a caller
     * that finds none free uses the shared connection, where many concurrent callers share round trips.
     */
    private final DirectPool callConnections;

    static final int MAX_DIRECT_CALLERS = 4;
    private volatile boolean closed;
    /** Subscribed to the ended channel from the first await on; Lettuce subscribes again after a reconnect. */
    private StatefulRedisPubSubConnection<String, String> subscriber;

    /** Lettuce's resources, client and shared connection. */
    private record Lettuce(
            ClientResources resources, AbstractRedisClient client, StatefulConnection<String, String> main) {
        void close() {
            main.close();
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            resources.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    private RedisLink(RedisSettings settings, Lettuce lettuce, boolean cluster) {
        this.settings = settings;
        this.lettuce = lettuce;
        this.cluster = cluster;
        this.direct = DirectConnection.suits(settings, cluster);
        this.popConnections = new DirectPool(settings, Integer.MAX_VALUE);
        this.callConnections = new DirectPool(settings, MAX_DIRECT_CALLERS);
    }

    /** Connects, finds out whether the server is a Cluster node, and checks the credentials. */
    static RedisLink open(RedisSettings settings) {
        if (DirectConnection.suits(settings, false)) {
            DirectConnection conn;
            boolean isCluster;
            try {
                conn = DirectConnection.open(settings);
            } catch (RuntimeException e) {
                throw openFailure(settings, e);
            }
            try {
                isCluster = String.valueOf(conn.command(settings.timeout(), Command.INFO, "cluster"))
                        .contains("cluster_enabled:1");
            } catch (RuntimeException e) {
                conn.close();
                throw openFailure(settings, e);
            }
            if (!isCluster) {
                var link = new RedisLink(settings, null, false);
                link.callConnections.adopt(conn);
                return link;
            }
            conn.close(); // a Cluster node: Lettuce's cluster client finds the rest below
        }
        ClientResources resources = newResources();
        SocketOptions socket = socketOptions(settings);
        RedisClient plain = null;
        try {
            plain = RedisClient.create(resources);
            plain.setOptions(plainOptions(socket));
            StatefulRedisConnection<String, String> conn =
                    plain.connect(StringCodec.UTF8, settings.nodes().get(0));
            boolean isCluster =
                    !settings.sentinel() && conn.sync().info("cluster").contains("cluster_enabled:1");
            if (!isCluster) return new RedisLink(settings, new Lettuce(resources, plain, conn), false);
            conn.close();
            plain.shutdown();
            plain = null;
            if (settings.nodes().get(0).getDatabase() != 0) {
                throw new KyuException.BrokerConfig(
                        "Redis " + settings.redacted() + " is a Cluster, which has only database 0");
            }
            RedisClusterClient cc = RedisClusterClient.create(resources, settings.nodes());
            // Cluster node connections open lazily, and refusing commands while one is still connecting
            // would fail the first command sent to each node; so a Cluster buffers them until the timeout.
            // Every adaptive topology refresh trigger (MOVED, ASK, reconnects, ...) is on: Lettuce 7's default.
            cc.setOptions(ClusterClientOptions.builder()
                    .socketOptions(socket)
                    .autoReconnect(true)
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                            .enablePeriodicRefresh(Duration.ofSeconds(30))
                            .build())
                    .build());
            try {
                return new RedisLink(settings, new Lettuce(resources, cc, cc.connect(StringCodec.UTF8)), true);
            } catch (RuntimeException e) {
                cc.shutdown();
                throw e;
            }
        } catch (KyuException e) {
            if (plain != null) plain.shutdown();
            resources.shutdown();
            throw e;
        } catch (RuntimeException e) {
            if (plain != null) plain.shutdown();
            resources.shutdown();
            throw openFailure(settings, e);
        }
    }

    private static ClientResources newResources() {
        return ClientResources.builder()
                .reconnectDelay(
                        Delay.exponential(Duration.ofMillis(5), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .build();
    }

    private static SocketOptions socketOptions(RedisSettings settings) {
        return SocketOptions.builder()
                .connectTimeout(settings.timeout())
                .keepAlive(true)
                .build();
    }

    private static ClientOptions plainOptions(SocketOptions socket) {
        return ClientOptions.builder()
                .socketOptions(socket)
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .build();
    }

    /**
     * Lettuce's part, started on first use on a single server opened directly. A failure to connect is
     * thrown as Lettuce throws it, so the verb that needed it judges it as any other failed call.
     */
    private Lettuce lettuce() {
        Lettuce l = lettuce;
        if (l != null) return l;
        synchronized (this) {
            if (lettuce != null) return lettuce;
            if (closed) throw new io.lettuce.core.RedisException("Connection closed");
            ClientResources resources = newResources();
            RedisClient plain = null;
            try {
                plain = RedisClient.create(resources);
                plain.setOptions(plainOptions(socketOptions(settings)));
                lettuce = new Lettuce(
                        resources,
                        plain,
                        plain.connect(StringCodec.UTF8, settings.nodes().get(0)));
                return lettuce;
            } catch (RuntimeException e) {
                if (plain != null) plain.shutdown(Duration.ZERO, Duration.ofSeconds(2));
                resources.shutdown(0, 2, TimeUnit.SECONDS);
                throw e;
            }
        }
    }

    private static KyuException openFailure(RedisSettings settings, Throwable e) {
        String m = settings.scrub(Faults.oneLine(e));
        if (m.contains("WRONGPASS")
                || m.contains("NOAUTH")
                || m.contains("invalid password")
                || m.contains("invalid username-password")) {
            return new KyuException.BrokerConfig("Redis " + settings.redacted() + " refused the credentials: " + m);
        }
        if (m.contains("NOPERM")) return Faults.notAllowed(settings, "open the broker", e);
        for (Throwable c = e; c != null; c = c.getCause()) {
            // The server answered, with an error: it is reachable, and something in the URL is wrong for it.
            if (c instanceof io.lettuce.core.RedisCommandExecutionException) {
                return new KyuException.BrokerConfig("Redis " + settings.redacted()
                        + " refused the connection's set-up: " + settings.scrub(Faults.oneLine(c)));
            }
        }
        // A TLS handshake with a server that speaks plain RESP on that port hangs until the timeout.
        String hint = settings.nodes().get(0).isSsl()
                ? " (the URL asks for TLS: does the server speak TLS on this port?)"
                : "";
        return new KyuException.BrokerUnavailable(
                "cannot reach Redis at " + settings.redacted() + ": " + m + hint, null);
    }

    boolean cluster() {
        return cluster;
    }

    /**
     * Subscribes, once per link, to {@code channel}, handing each message to {@code sink}; true once the
     * server confirmed the subscription (so a message published after this returns is delivered), false
     * when it could not (then callers poll). On a Cluster a PUBLISH reaches every node, so any node will do.
     */
    synchronized boolean subscribe(String channel, java.util.function.Consumer<String> sink) {
        if (subscriber != null) return true;
        if (closed) return false;
        StatefulRedisPubSubConnection<String, String> c = null;
        try {
            AbstractRedisClient client = lettuce().client(); // an await is long-lived: worth starting Lettuce for
            c = client instanceof RedisClusterClient cc
                    ? cc.connectPubSub(StringCodec.UTF8)
                    : ((RedisClient) client)
                            .connectPubSub(StringCodec.UTF8, settings.nodes().get(0));
            c.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String ch, String message) {
                    sink.accept(message);
                }
            });
            c.sync().subscribe(channel);
            subscriber = c;
            return true;
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(RedisLink.class)
                    .debug("cannot subscribe to {} ({}); awaits poll", channel, settings.scrub(Faults.oneLine(e)));
            if (c != null) c.closeAsync();
            return false;
        }
    }

    /**
     * Opens the connection to every Cluster node now rather than at the first command that needs it, so the
     * first fetch or lock on a node is as fast as the rest.
     */
    @SuppressWarnings("unchecked")
    void warmUp() {
        if (cluster && lettuce().main() instanceof StatefulRedisClusterConnection<?, ?> c) {
            var conn = (StatefulRedisClusterConnection<String, String>) c;
            for (var node : conn.getPartitions())
                conn.getConnection(node.getNodeId()).sync().ping();
        }
    }

    @SuppressWarnings("unchecked")
    RedisClusterCommands<String, String> sync() {
        StatefulConnection<String, String> main = lettuce().main();
        if (main instanceof StatefulRedisClusterConnection<?, ?> c)
            return ((StatefulRedisClusterConnection<String, String>) c).sync();
        return ((StatefulRedisConnection<String, String>) main).sync();
    }

    RedisClusterAsyncCommands<String, String> async() {
        return async(lettuce().main());
    }

    @SuppressWarnings("unchecked")
    private static RedisClusterAsyncCommands<String, String> async(StatefulConnection<String, String> conn) {
        if (conn instanceof StatefulRedisClusterConnection<?, ?> c)
            return ((StatefulRedisClusterConnection<String, String>) c).async();
        return ((StatefulRedisConnection<String, String>) conn).async();
    }

    /**
     * Blocks on the server until one of the lists has an element or {@code wait} passes; true when it
     * popped one. Interrupting the caller or closing the link ends the wait.
     */
    boolean blockingPop(List<String> keys, Duration wait) throws InterruptedException {
        StatefulConnection<String, String> conn = borrowBlocker();
        if (conn == null) return false;
        boolean reusable = false;
        try {
            double seconds = Math.max(0.001, wait.toMillis() / 1000.0);
            RedisFuture<KeyValue<String, String>> f = async(conn).blpop(seconds, keys.toArray(String[]::new));
            pops.add(f);
            if (closed) f.cancel(true);
            try {
                KeyValue<String, String> kv =
                        f.get(wait.toMillis() + settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
                reusable = true;
                return kv != null && kv.hasValue();
            } finally {
                pops.remove(f);
            }
        } catch (java.util.concurrent.CancellationException e) {
            return false;
        } catch (ExecutionException e) {
            throw new io.lettuce.core.RedisException(Faults.oneLine(Faults.unwrap(e)), Faults.unwrap(e));
        } catch (TimeoutException e) {
            throw new io.lettuce.core.RedisCommandTimeoutException("blocking pop did not return in time");
        } finally {
            giveBack(conn, reusable);
        }
    }

    /**
     * A blocking pop with a command queued behind it on the same connection (a single server only): the
     * server runs {@code next} the moment the pop returns, because an element arrived or {@code wait}
     * passed, with no round trip to this process in between. Returns {@code next}'s reply, which is never
     * dropped once it arrived, whatever the pop answered (a pop that fails, say on a wake key of another
     * type, returns at once: the caller sees the command come back early and waits with a plain pop, which
     * reports the error). Interrupting the caller or closing the link drops
     * the connection, and with it {@code next} unless the server already ran it.
     */
    <T> T popThen(
            List<String> keys, Duration wait, Function<RedisClusterAsyncCommands<String, String>, RedisFuture<T>> next)
            throws InterruptedException {
        if (cluster) throw new IllegalStateException("a Cluster node may not hold both the wake keys and the command");
        StatefulConnection<String, String> conn = borrowBlocker();
        if (conn == null) throw new io.lettuce.core.RedisException("Connection closed");
        boolean reusable = false;
        try {
            double seconds = Math.max(0.001, wait.toMillis() / 1000.0);
            RedisClusterAsyncCommands<String, String> async = async(conn);
            RedisFuture<KeyValue<String, String>> pop = async.blpop(seconds, keys.toArray(String[]::new));
            RedisFuture<T> f = next.apply(async);
            pops.add(pop);
            pops.add(f);
            if (closed) {
                pop.cancel(true);
                f.cancel(true);
            }
            try {
                T v = f.get(wait.toMillis() + settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
                reusable = pop.isDone();
                return v;
            } catch (ExecutionException e) {
                // The command failed on the server (say, a script it does not know): the connection is sound.
                reusable = pop.isDone();
                Throwable c = Faults.unwrap(e);
                if (c instanceof RuntimeException r) throw r;
                throw new io.lettuce.core.RedisException(Faults.oneLine(c), c);
            } finally {
                pops.remove(pop);
                pops.remove(f);
            }
        } catch (java.util.concurrent.CancellationException e) {
            throw new io.lettuce.core.RedisException("Connection closed");
        } catch (TimeoutException e) {
            throw new io.lettuce.core.RedisCommandTimeoutException(
                    "blocking pop and the command behind it did not return in time");
        } finally {
            giveBack(conn, reusable);
        }
    }

    /** Whether {@link #popThenEvalsha} serves this deployment (a single server over plain TCP). */
    boolean direct() {
        return direct;
    }

    /**
     * {@link #popThen} for a script, over a {@link DirectConnection}: the caller's own thread reads the reply.
     * Interrupting the caller or closing the link ends the wait and drops the connection, and with it the
     * script unless the server already ran it.
     */
    Object popThenEvalsha(List<String> keys, Duration wait, byte[] sha, String routeKey, byte[][] argv)
            throws InterruptedException {
        Object reply = popConnections.withConnection(
                c -> c.popThenEvalsha(keys, wait, sha, routeKey, argv, settings.timeout()));
        if (reply == null)
            throw new io.lettuce.core.RedisException("Connection closed"); // the pool has no bound: closed
        return reply;
    }

    /**
     * Runs a script over a direct connection, the caller's thread reading the reply (one thread wake-up
     * instead of three for a synchronous call); null when none is free, and the caller then uses the
     * shared connection.
     */
    Object evalshaDirect(byte[] sha, String routeKey, byte[][] argv) {
        if (!direct) return null;
        return callConnections.withConnection(c -> c.evalsha(sha, routeKey, argv, settings.timeout()));
    }

    /**
     * A lone command: over a free direct connection on a single server ({@code direct}, its reply shaped
     * as {@link DirectConnection#command} shapes it), else over the shared connection ({@code shared}).
     */
    <T> T call(
            java.util.function.Function<DirectConnection, T> direct,
            Function<RedisClusterCommands<String, String>, T> shared) {
        if (this.direct) {
            DirectPool.Lent<T> lent = callConnections.tryWith(direct::apply);
            if (lent != null) return lent.reply();
        }
        return shared.apply(sync());
    }

    /**
     * Commands sent together over a free direct connection and their replies read by the caller (see
     * {@link DirectConnection#pipelined}); null when this is no single server or none is free.
     */
    List<Object> pipelined(List<Command> commands, List<byte[][]> args) {
        if (!direct) return null;
        DirectPool.Lent<List<Object>> lent =
                callConnections.tryWith(c -> c.pipelined(settings.timeout(), commands, args));
        return lent == null ? null : lent.reply();
    }

    // Lone commands of the one-shot verbs, over a direct connection when one is free (see call()).

    void ping() {
        call(c -> c.command(settings.timeout(), Command.PING), s -> s.ping());
    }

    /** The server's clock: seconds and microseconds, as TIME answers. */
    @SuppressWarnings("unchecked")
    List<String> time() {
        return call(c -> (List<String>) c.command(settings.timeout(), Command.TIME), s -> s.time());
    }

    String type(String key) {
        return call(c -> (String) c.command(settings.timeout(), Command.TYPE, key), s -> s.type(key));
    }

    @SuppressWarnings("unchecked")
    java.util.Collection<String> smembers(String key) {
        return call(c -> (List<String>) c.command(settings.timeout(), Command.SMEMBERS, key), s -> s.smembers(key));
    }

    String hget(String key, String field) {
        return call(c -> (String) c.command(settings.timeout(), Command.HGET, key, field), s -> s.hget(key, field));
    }

    /** Each field's value in field order, null for a field the hash lacks. */
    @SuppressWarnings("unchecked")
    List<String> hmget(String key, String... fields) {
        String[] args = new String[fields.length + 1];
        args[0] = key;
        System.arraycopy(fields, 0, args, 1, fields.length);
        return call(
                c -> (List<String>) c.command(settings.timeout(), Command.HMGET, args),
                s -> s.hmget(key, fields).stream()
                        .map(kv -> kv.hasValue() ? kv.getValue() : null)
                        .toList());
    }

    long hdel(String key, String... fields) {
        String[] args = new String[fields.length + 1];
        args[0] = key;
        System.arraycopy(fields, 0, args, 1, fields.length);
        return call(c -> (Long) c.command(settings.timeout(), Command.HDEL, args), s -> s.hdel(key, fields));
    }

    Map<String, String> hgetall(String key) {
        return call(
                c -> {
                    List<?> flat = (List<?>) c.command(settings.timeout(), Command.HGETALL, key);
                    var out = new java.util.LinkedHashMap<String, String>();
                    for (int i = 0; i + 1 < flat.size(); i += 2)
                        out.put((String) flat.get(i), (String) flat.get(i + 1));
                    return out;
                },
                s -> s.hgetall(key));
    }

    String info(String section) {
        return call(c -> (String) c.command(settings.timeout(), Command.INFO, section), s -> s.info(section));
    }

    /** One configuration parameter's value, or null when the server has none of that name. */
    String configGet(String name) {
        return call(
                c -> {
                    List<?> pair = (List<?>) c.command(settings.timeout(), Command.CONFIG, "GET", name);
                    return pair.size() < 2 ? null : (String) pair.get(1);
                },
                s -> s.configGet(name).get(name));
    }

    /** The timeout of a single call. */
    Duration timeout() {
        return settings.timeout();
    }

    /** An idle connection for blocking pops, else a new one; null when the link is closed. */
    private StatefulConnection<String, String> borrowBlocker() throws InterruptedException {
        if (closed) return null;
        StatefulConnection<String, String> conn = idleBlockers.poll();
        return conn != null ? conn : newBlocker();
    }

    /** Keeps a blocking connection for the next pop, or closes it when its state is unknown or the link closed. */
    private void giveBack(StatefulConnection<String, String> conn, boolean reusable) {
        if (reusable && !closed) {
            idleBlockers.add(conn);
        } else {
            blockers.remove(conn);
            conn.closeAsync();
        }
    }

    /** A new connection for blocking pops, or null when the link closed meanwhile. */
    private StatefulConnection<String, String> newBlocker() throws InterruptedException {
        AbstractRedisClient client = lettuce().client();
        java.util.concurrent.CompletableFuture<? extends StatefulConnection<String, String>> f = cluster
                ? ((RedisClusterClient) client).connectAsync(StringCodec.UTF8)
                : ((RedisClient) client)
                        .connectAsync(StringCodec.UTF8, settings.nodes().get(0))
                        .toCompletableFuture();
        pops.add(f);
        if (closed) f.cancel(true);
        StatefulConnection<String, String> conn;
        try {
            conn = f.get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.CancellationException e) {
            return null;
        } catch (ExecutionException e) {
            throw new io.lettuce.core.RedisConnectionException(Faults.oneLine(Faults.unwrap(e)), Faults.unwrap(e));
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new io.lettuce.core.RedisConnectionException(
                    "no connection for a blocking pop within " + settings.timeout());
        } finally {
            pops.remove(f);
        }
        blockers.add(conn);
        if (closed) {
            conn.closeAsync();
            return null;
        }
        return conn;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        synchronized (this) {
            if (subscriber != null) subscriber.closeAsync();
        }
        for (var f : pops) f.cancel(true);
        for (var c : blockers) c.closeAsync();
        popConnections.close();
        callConnections.close();
        Lettuce l;
        synchronized (this) {
            l = lettuce;
        }
        if (l != null) l.close();
    }
}
