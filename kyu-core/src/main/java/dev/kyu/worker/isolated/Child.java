package dev.kyu.worker.isolated;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.kyu.job.Progress;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One child JVM, running one job at a time. Its stdout is read by a thread of its own into a queue, so
 * that the job thread waits on the queue, which an interrupt (timeout, cancel, shutdown) can break,
 * rather than on a pipe read, which it cannot; the child is then killed, since its task may not stop.
 */
final class Child {
    /** Put on the queue when the child's stdout ends: it exited or was killed. */
    private static final Wire.Reply EXITED = new Wire.Reply("exited", null, null, null, null, null, null);

    private final Process process;
    private final OutputStream stdin;
    private final BlockingQueue<Object> replies = new LinkedBlockingQueue<>();
    private volatile boolean killedAlive;

    private Child(Process process) {
        this.process = process;
        this.stdin = process.getOutputStream();
        Thread.ofPlatform().daemon().name("kyu-isolated-" + process.pid()).start(this::readReplies);
    }

    static Child start(List<String> command) throws IOException {
        var pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        return new Child(pb.start());
    }

    /** True once {@link #kill} found it still alive. */
    boolean wasKilled() {
        return killedAlive;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    private void readReplies() {
        try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                try {
                    replies.add(Wire.read(line, Wire.Reply.class));
                } catch (JsonProcessingException e) {
                    replies.add("isolated child " + pid() + " broke the protocol with the line "
                            + dev.kyu.codec.Printable.quoted(
                                    line.length() > 200 ? line.substring(0, 200) + "..." : line));
                    return;
                }
            }
        } catch (IOException e) {
            // the pipe broke: the child is gone, as below
        } finally {
            replies.add(EXITED);
        }
    }

    /**
     * Runs one attempt in the child and returns its result's JSON text. Throws {@link ChildFailure} when
     * the task failed there or the child died, and {@link InterruptedException} (after killing the child)
     * when the job thread is interrupted.
     */
    String run(Wire.Request request, Consumer<Progress> progress) throws InterruptedException {
        try {
            stdin.write((Wire.write(request) + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            throw ChildFailure.lost(exitedText("before it could take the job"));
        }
        while (true) {
            Object next;
            try {
                next = replies.take();
            } catch (InterruptedException e) {
                kill();
                throw e;
            }
            if (next instanceof String broken) {
                kill();
                throw ChildFailure.lost(broken);
            }
            var reply = (Wire.Reply) next;
            switch (reply.kind()) {
                case Wire.OK -> {
                    return reply.result();
                }
                case Wire.ERROR ->
                    throw new ChildFailure(
                            reply.type(), reply.message(), reply.stack(), Boolean.TRUE.equals(reply.retryable()));
                case Wire.PROGRESS -> {
                    try {
                        progress.accept(new Progress(
                                reply.fraction() == null ? Double.NaN : reply.fraction(), reply.message()));
                    } catch (IllegalArgumentException ignored) {
                        // the child checked it already; a bad value from elsewhere is not worth the job
                    }
                }
                default -> { // EXITED
                    replies.add(EXITED); // every later wait on this child sees it too
                    throw ChildFailure.lost(exitedText("while running job " + request.id()));
                }
            }
        }
    }

    private String exitedText(String when) {
        Integer code = null;
        try {
            if (process.waitFor(5, TimeUnit.SECONDS)) code = process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "isolated child " + pid() + " exited " + (code == null ? "" : "with code " + code + " ") + when;
    }

    /** Kills the child at once (its task may be deaf to everything else) and waits until it is gone. */
    void kill() {
        if (process.isAlive()) killedAlive = true;
        process.destroyForcibly();
        boolean interrupted = false;
        while (true) {
            try {
                process.waitFor();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the child must be gone before its slot is reused
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
