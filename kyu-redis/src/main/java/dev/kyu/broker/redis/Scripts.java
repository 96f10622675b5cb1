package dev.kyu.broker.redis;

import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import redis.clients.jedis.Protocol;

/**
 * The engine's Lua scripts: each is the key checks ({@code check.lua}) and the shared helpers ({@code lib.lua})
 * followed by its own body (but the single-job enqueue, which does without the helpers), called
 * by SHA-1 with EVALSHA and sent whole with EVAL only when the server does not know it (first use, or
 * after a restart emptied its script cache). ARGV[1] is always the key prefix.
 */
final class Scripts {
    enum Script {
        ENQUEUE(ScriptOutputType.MULTI),
        ENQUEUE1(ScriptOutputType.MULTI, false),
        FETCH(ScriptOutputType.MULTI),
        COMPLETE(ScriptOutputType.MULTI),
        EXTEND(ScriptOutputType.MULTI),
        PROMOTE(ScriptOutputType.MULTI),
        RESCUE(ScriptOutputType.MULTI),
        PRUNE(ScriptOutputType.MULTI),
        CANCEL(ScriptOutputType.MULTI),
        RETRY(ScriptOutputType.INTEGER),
        DELETE(ScriptOutputType.MULTI),
        PURGE(ScriptOutputType.MULTI),
        GET(ScriptOutputType.MULTI),
        LIST(ScriptOutputType.MULTI),
        COUNTS(ScriptOutputType.MULTI),
        LOCK(ScriptOutputType.INTEGER),
        UNLOCK(ScriptOutputType.INTEGER),
        BURY(ScriptOutputType.INTEGER),
        CLAIM(ScriptOutputType.MULTI),
        PAUSE(ScriptOutputType.INTEGER),
        UNREACHABLE(ScriptOutputType.MULTI),
        RELAY(ScriptOutputType.MULTI),
        CAS(ScriptOutputType.INTEGER, false),
        RATE(ScriptOutputType.MULTI, false),
        AWAIT(ScriptOutputType.INTEGER),
        AGE(ScriptOutputType.INTEGER);

        final ScriptOutputType output;
        private final boolean withLib;
        /** The whole script as sent, built at first use: a command needs only the few it runs. */
        private volatile byte[] bodyBytes;
        /** Its SHA-1 in hex, from the server's answer to SCRIPT LOAD, else computed here at first need. */
        private volatile byte[] shaBytes;

        Script(ScriptOutputType output) {
            this(output, true);
        }

        /** @param withLib whether the script is sent after {@code lib.lua}; a hot, small one may do without it */
        Script(ScriptOutputType output, boolean withLib) {
            this.output = output;
            this.withLib = withLib;
        }

        /**
         * The key checks, then the shared helpers (but for a lean script), then its own body: every script
         * starts with the key checks, so that each can check what it touches before writing.
         */
        byte[] bodyBytes() {
            byte[] b = bodyBytes;
            if (b == null) {
                byte[] own = read(name().toLowerCase(java.util.Locale.ROOT) + ".lua");
                var out = new java.io.ByteArrayOutputStream(Shared.CHECK.length + Shared.LIB.length + own.length + 2);
                out.writeBytes(Shared.CHECK);
                out.write('\n');
                if (withLib) {
                    out.writeBytes(Shared.LIB);
                    out.write('\n');
                }
                out.writeBytes(own);
                bodyBytes = b = out.toByteArray();
            }
            return b;
        }

        /**
         * Its SHA-1, as EVALSHA names it. Mostly learnt from SCRIPT LOAD at open ({@link #preload}):
         * computing it here would first set up the JDK's security providers, a good part of a one-shot
         * command's time.
         */
        byte[] shaBytes() {
            byte[] h = shaBytes;
            if (h == null) shaBytes = h = sha1(bodyBytes()).getBytes(StandardCharsets.US_ASCII);
            return h;
        }

        String sha() {
            return new String(shaBytes(), StandardCharsets.US_ASCII);
        }

        /** The server's SHA-1 of the body, from SCRIPT LOAD (the same as {@link #sha1} of it). */
        void learnSha(String sha) {
            if (sha != null && sha.length() == 40) shaBytes = sha.getBytes(StandardCharsets.US_ASCII);
        }
    }

    /** The parts every script (or every script with the helpers) starts with, read once. */
    private static final class Shared {
        static final byte[] CHECK = read("check.lua");
        static final byte[] LIB = read("lib.lua");
    }

    private final RedisLink link;
    private final byte[] prefix;

    Scripts(RedisLink link, String prefix) {
        this.link = link;
        // 'g': a single server, where scripts also keep the global unique keys and id index; 'q': a Cluster.
        this.prefix = (prefix + (link.cluster() ? "|q" : "|g")).getBytes(StandardCharsets.UTF_8);
    }

    /** Loads every script ahead of use (on every node of a Cluster); EVALSHA still falls back to EVAL. */
    void preload() {
        // On a single server, all in one round trip over a direct connection (no Lettuce for a one-shot command).
        // Each answer is the script's SHA-1, kept for EVALSHA.
        Script[] all = Script.values();
        var commands = new ArrayList<Protocol.Command>();
        var args = new ArrayList<byte[][]>();
        for (Script s : all) {
            commands.add(Protocol.Command.SCRIPT);
            args.add(new byte[][] {LOAD, s.bodyBytes()});
        }
        List<Object> replies = link.pipelined(commands, args);
        if (replies == null) {
            for (Script s : all) s.learnSha(link.sync().scriptLoad(new String(s.bodyBytes(), StandardCharsets.UTF_8)));
            return;
        }
        for (Object r : replies) if (r instanceof RuntimeException e) throw e;
        for (int i = 0; i < all.length; i++) all[i].learnSha((String) replies.get(i));
    }

    private static final byte[] LOAD = "LOAD".getBytes(StandardCharsets.US_ASCII);

    /** Runs a script; {@code routeKey} picks the Cluster node (any key of the queue's slot). */
    <T> T run(Script s, String routeKey, List<String> args) {
        return run(s, routeKey, argv(args));
    }

    @SuppressWarnings("unchecked")
    private <T> T run(Script s, String routeKey, byte[][] argv) {
        if (link.direct()) {
            // Over a free direct connection: the caller reads the reply itself, and a one-shot command
            // never starts Lettuce. The reply is shaped as Lettuce's nested output gives it.
            List<Object> one = link.pipelined(
                    List.of(Protocol.Command.EVALSHA),
                    List.<byte[][]>of(DirectConnection.evalshaArgs(s.shaBytes(), routeKey, argv)));
            if (one != null) {
                Object r = one.get(0);
                if (r instanceof RedisNoScriptException) {
                    one = link.pipelined(
                            List.of(Protocol.Command.EVAL),
                            List.<byte[][]>of(DirectConnection.evalshaArgs(s.bodyBytes(), routeKey, argv)));
                    if (one != null) r = one.get(0);
                    else return runShared(s, routeKey, argv);
                }
                if (r instanceof RuntimeException e) throw e;
                return (T) r;
            }
        }
        return runShared(s, routeKey, argv);
    }

    private <T> T runShared(Script s, String routeKey, byte[][] argv) {
        RedisClusterCommands<String, String> sync = link.sync();
        try {
            return sync.dispatch(CommandType.EVALSHA, Scripts.<T>output(s), command(s.shaBytes(), routeKey, argv));
        } catch (RedisNoScriptException e) {
            return sync.dispatch(CommandType.EVAL, Scripts.<T>output(s), command(s.bodyBytes(), routeKey, argv));
        }
    }

    /**
     * Runs a script with its reply read by the caller's own thread when a direct connection is free (see
     * {@link RedisLink#evalshaDirect}), else as {@link #run}: for a synchronous call on the hot path, of a
     * script that never answers nil (nil means no direct connection was free).
     */
    @SuppressWarnings("unchecked")
    <T> T runDirect(Script s, String routeKey, List<String> args) {
        byte[][] argv = argv(args);
        try {
            Object reply = link.evalshaDirect(s.shaBytes(), routeKey, argv);
            if (reply != null) return (T) reply;
        } catch (RedisNoScriptException e) {
            return link.sync().dispatch(CommandType.EVAL, Scripts.<T>output(s), command(s.bodyBytes(), routeKey, argv));
        }
        return run(s, routeKey, argv);
    }

    /**
     * Runs a script queued on the server behind a blocking pop of {@code wakeKeys} (at most {@code wait}) on
     * one connection, so that the script runs as soon as a wake-up token arrives, or the wait ends, without
     * a round trip to this process in between (see {@link RedisLink#popThen}). A single server only.
     */
    @SuppressWarnings("unchecked")
    <T> T runBehindPop(Script s, String routeKey, List<String> args, List<String> wakeKeys, Duration wait) {
        byte[][] argv = argv(args);
        try {
            if (link.direct()) return (T) link.popThenEvalsha(wakeKeys, wait, s.shaBytes(), routeKey, argv);
            return link.popThen(
                    wakeKeys,
                    wait,
                    async -> async.dispatch(
                            CommandType.EVALSHA, Scripts.<T>output(s), command(s.shaBytes(), routeKey, argv)));
        } catch (RedisNoScriptException e) {
            // The server lost its scripts (a restart): the pop has returned; send the script whole.
            return link.sync().dispatch(CommandType.EVAL, Scripts.<T>output(s), command(s.bodyBytes(), routeKey, argv));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedisCommandInterruptedException(e);
        }
    }

    /**
     * Sends a script once per entry of {@code routeKeys} (with that entry's arguments) before any reply is
     * awaited, so all share one round trip: over a free direct connection on a single server (the futures
     * are then complete when this returns), else as {@link #runAsync} each.
     */
    @SuppressWarnings("unchecked")
    <T> List<CompletableFuture<T>> runMany(Script s, List<String> routeKeys, List<List<String>> args) {
        var out = new ArrayList<CompletableFuture<T>>(routeKeys.size());
        if (link.direct() && !routeKeys.isEmpty()) {
            var commands = new ArrayList<Protocol.Command>(routeKeys.size());
            var argvs = new ArrayList<byte[][]>(routeKeys.size());
            for (int i = 0; i < routeKeys.size(); i++) {
                commands.add(Protocol.Command.EVALSHA);
                argvs.add(DirectConnection.evalshaArgs(s.shaBytes(), routeKeys.get(i), argv(args.get(i))));
            }
            List<Object> replies = link.pipelined(commands, argvs);
            if (replies != null) {
                for (int i = 0; i < replies.size(); i++) {
                    Object r = replies.get(i);
                    if (r instanceof RedisNoScriptException) {
                        try {
                            out.add(CompletableFuture.completedFuture(
                                    run(s, routeKeys.get(i), args.get(i)))); // sent whole
                        } catch (RuntimeException e) {
                            out.add(CompletableFuture.failedFuture(e));
                        }
                    } else if (r instanceof RuntimeException e) {
                        out.add(CompletableFuture.failedFuture(e));
                    } else {
                        out.add(CompletableFuture.completedFuture((T) r));
                    }
                }
                return out;
            }
        }
        for (int i = 0; i < routeKeys.size(); i++)
            out.add(this.<T>runAsync(s, routeKeys.get(i), args.get(i)).toCompletableFuture());
        return out;
    }

    /** Sends a script without waiting, so several can share one round trip. */
    <T> CompletionStage<T> runAsync(Script s, String routeKey, List<String> args) {
        byte[][] argv = argv(args);
        RedisClusterAsyncCommands<String, String> async = link.async();
        CompletionStage<T> first =
                async.dispatch(CommandType.EVALSHA, Scripts.<T>output(s), command(s.shaBytes(), routeKey, argv));
        return first.handle((v, e) -> {
                    if (e == null) return CompletableFuture.completedFuture(v);
                    if (Faults.unwrap(e) instanceof RedisNoScriptException) {
                        return async.dispatch(
                                        CommandType.EVAL, Scripts.<T>output(s), command(s.bodyBytes(), routeKey, argv))
                                .toCompletableFuture();
                    }
                    return CompletableFuture.<T>failedFuture(Faults.unwrap(e));
                })
                .thenCompose(f -> f);
    }

    /**
     * EVALSHA/EVAL with one key and the arguments as ready UTF-8 bytes: Lettuce writes a byte[] argument
     * straight into the request, where a String value would first be encoded into a pooled buffer of its
     * own and copied (a cost per argument that showed in profiles: a batch carries thousands).
     */
    private static CommandArgs<String, String> command(byte[] shaOrBody, String routeKey, byte[][] argv) {
        var c = new CommandArgs<>(StringCodec.UTF8).add(shaOrBody).add(1).addKey(routeKey);
        for (byte[] a : argv) c.add(a);
        return c;
    }

    @SuppressWarnings("unchecked")
    private static <T> CommandOutput<String, String, T> output(Script s) {
        return (CommandOutput<String, String, T>)
                switch (s.output) {
                    case INTEGER -> new IntegerOutput<>(StringCodec.UTF8);
                    case MULTI -> new NestedMultiOutput<>(StringCodec.UTF8);
                    default -> throw new IllegalStateException("no output for " + s.output);
                };
    }

    private byte[][] argv(List<String> args) {
        byte[][] argv = new byte[args.size() + 1][];
        argv[0] = prefix;
        for (int i = 0; i < args.size(); i++) argv[i + 1] = args.get(i).getBytes(StandardCharsets.UTF_8);
        return argv;
    }

    private static byte[] read(String name) {
        try (InputStream in = Scripts.class.getResourceAsStream("lua/" + name)) {
            if (in == null) throw new IllegalStateException("missing script resource lua/" + name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
