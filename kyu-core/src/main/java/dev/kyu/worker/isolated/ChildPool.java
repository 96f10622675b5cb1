package dev.kyu.worker.isolated;

import dev.kyu.job.Progress;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's child JVMs for isolated tasks: at most {@code children} alive, each started on first need
 * with this JVM's {@code java} and class path and running {@link ChildMain}. A job takes an idle child (or
 * waits for one); a child whose job was interrupted or that died is killed and replaced by a fresh one
 * on the next need. The children never talk to the broker: the worker keeps the lease, the heartbeat and
 * the outcome.
 */
public final class ChildPool implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChildPool.class);

    private final List<String> command;
    private final Semaphore free;
    private final ConcurrentLinkedDeque<Child> idle = new ConcurrentLinkedDeque<>();
    private final Set<Child> alive = ConcurrentHashMap.newKeySet();
    private final AtomicLong started = new AtomicLong();
    private final AtomicLong killed = new AtomicLong();
    private volatile boolean closed;

    /**
     * @param options      how many children and their JVM options
     * @param taskClasses  the task and bundle classes each child loads by name (Kyu's built-in tasks it has anyway)
     */
    public ChildPool(IsolatedOptions options, List<String> taskClasses) {
        this.free = new Semaphore(options.children());
        var cmd = new ArrayList<String>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(options.jvmArgs());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ChildMain.class.getName());
        cmd.addAll(taskClasses);
        this.command = List.copyOf(cmd);
    }

    /** Runs one attempt in a child; see {@link Child#run}. */
    String run(Wire.Request request, Consumer<Progress> progress) throws InterruptedException {
        free.acquire();
        Child child = null;
        boolean reusable = false;
        try {
            child = idle.pollFirst();
            if (child != null && !child.isAlive()) {
                drop(child);
                child = null;
            }
            if (child == null) child = start();
            String result = child.run(request, progress);
            reusable = true;
            return result;
        } catch (ChildFailure f) {
            reusable = f.type() != null
                    && !f.type().equals(dev.kyu.job.JobError.WORKER_LOST); // the task threw; the child is fine
            throw f;
        } finally {
            if (child != null) {
                if (reusable && !closed && child.isAlive()) idle.addFirst(child);
                else drop(child);
            }
            free.release();
        }
    }

    /** Runs one attempt of {@code task} in a child. */
    public String run(
            String id,
            String task,
            String argsJson,
            String queue,
            int attempt,
            int maxAttempts,
            java.time.Instant enqueuedAt,
            java.util.Map<String, String> meta,
            String workerId,
            long fence,
            Consumer<Progress> progress)
            throws InterruptedException {
        return run(
                new Wire.Request(
                        id,
                        task,
                        argsJson,
                        queue,
                        attempt,
                        maxAttempts,
                        enqueuedAt == null ? null : enqueuedAt.toString(),
                        meta,
                        workerId,
                        fence),
                progress);
    }

    private Child start() {
        if (closed) throw ChildFailure.lost("the worker is stopping: no isolated child is started");
        try {
            Child c = Child.start(command);
            alive.add(c);
            started.incrementAndGet();
            log.debug("isolated child {} started", c.pid());
            return c;
        } catch (IOException e) {
            throw ChildFailure.lost("cannot start an isolated child JVM (" + command.get(0) + "): " + e.getMessage());
        }
    }

    private void drop(Child c) {
        c.kill();
        if (alive.remove(c) && c.wasKilled()) {
            killed.incrementAndGet();
            log.info(
                    "isolated child {} killed: its job was stopped (timeout, cancel or shutdown) or it broke the protocol",
                    c.pid());
        }
    }

    /** Children started since the pool was made (the first ones and every replacement). */
    public long started() {
        return started.get();
    }

    /** Children killed while alive: an interrupted job's (timeout, cancel, shutdown) or one that broke the protocol. */
    public long killed() {
        return killed.get();
    }

    /** Kills every child; a job running in one then fails as lost (the worker hands such jobs back first). */
    @Override
    public void close() {
        closed = true;
        for (Child c : List.copyOf(alive)) {
            c.kill();
            alive.remove(c);
        }
        idle.clear();
    }
}
