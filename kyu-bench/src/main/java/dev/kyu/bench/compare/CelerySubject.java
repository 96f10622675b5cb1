package dev.kyu.bench.compare;

import dev.kyu.bench.proc.ProcStats;
import dev.kyu.bench.proc.WorkerHandle;
import dev.kyu.bench.proc.WorkerJvm;
import dev.kyu.bench.subject.Subject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Celery 5 on RabbitMQ, the Python stack Kyu on RabbitMQ is compared with. A "queue" is a RabbitMQ queue
 * of Celery's (durable, persistent messages: Celery's defaults). Enqueue: {@code apply_async} with
 * publisher confirms from one Python process ({@link CeleryProducer}); a batch is that many calls, Celery
 * having no batch publish. Workers: {@code celery worker --pool=prefork} with {@code task_acks_late}, so a
 * job is acknowledged after its outcome as in Kyu, and Celery's default prefetch. Hold: the worker starts
 * consuming an idle queue; release is Celery's {@code add_consumer} remote control for the run's queue.
 * Finished = records the task bodies appended to a file (there is no result backend; see
 * {@link CeleryDoneFile}).
 */
final class CelerySubject implements Subject {
    /** Debian's interpreter, which sees python3-celery (a pyenv python3 first on PATH would not). */
    static final String PYTHON = "/usr/bin/python3";

    static final String IDLE_QUEUE = "kyu-bench-celery-idle";

    private final String brokerUrl;
    private final int processes;
    private final CeleryScripts scripts;
    private final CeleryProducer producer;
    private final Map<String, Boolean> held = new ConcurrentHashMap<>();
    private final Map<String, CeleryDoneFile> done = new ConcurrentHashMap<>();
    private final Map<String, String> nodes = new ConcurrentHashMap<>();
    private final AtomicLong seq = new AtomicLong();

    CelerySubject(String brokerUrl, int processes) {
        if (!brokerUrl.startsWith("amqp://") && !brokerUrl.startsWith("amqps://"))
            throw new IllegalArgumentException(
                    "Celery comparison needs a RabbitMQ URL (amqp://…), not " + CeleryProducer.redacted(brokerUrl));
        this.brokerUrl = brokerUrl;
        this.processes = processes;
        this.scripts = new CeleryScripts();
        try {
            this.producer = new CeleryProducer(PYTHON, scripts.dir(), brokerUrl);
        } catch (RuntimeException e) {
            scripts.close();
            throw e;
        }
    }

    @Override
    public String label() {
        return "celery " + producer.celeryVersion() + " rabbitmq";
    }

    @Override
    public String note() {
        return "prefork, " + processes + " processes at most; prefetch 4 each; acks late; publisher confirms";
    }

    @Override
    public void enqueueOne(String queue) {
        producer.enqueue(queue, 1);
    }

    @Override
    public void enqueueBatch(String queue, int n) {
        producer.enqueue(queue, n);
    }

    @Override
    public void hold(String queue) {
        held.put(queue, true);
    }

    @Override
    public void release(String queue) {
        held.put(queue, false);
        String node = nodes.get(queue);
        if (node != null) producer.startConsuming(queue, node);
    }

    @Override
    public WorkerHandle startWorkers(String queue, int concurrency, boolean timed) {
        var file = new CeleryDoneFile(scripts.dir().resolve(queue + ".done"), timed);
        deleteFile(file.path());
        done.put(queue, file);
        String node = "kyubench" + seq.incrementAndGet() + "@localhost";
        nodes.put(queue, node);
        var cmd = new CeleryWorkerCommand(
                PYTHON,
                scripts.dir(),
                brokerUrl,
                held.getOrDefault(queue, false) ? IDLE_QUEUE : queue,
                node,
                Math.min(concurrency, processes),
                file.path(),
                timed);
        return WorkerJvm.startCommand(cmd.command(), cmd.environment(), scripts.dir(), "celery " + node);
    }

    @Override
    public Progress progress(String queue) {
        CeleryDoneFile file = done.get(queue);
        return new Progress(file == null ? 0 : file.count(), 0);
    }

    @Override
    public void confirmFinished(String queue, long n) {
        long ran = progress(queue).finished();
        if (ran < n) throw new IllegalStateException("queue " + queue + ": " + ran + " of " + n + " Celery jobs ran");
        if (ran > n)
            System.err.println("queue " + queue + ": " + ran + " task bodies ran for " + n + " jobs (redeliveries)");
    }

    @Override
    public List<JobTimes> times(String queue) {
        CeleryDoneFile file = done.get(queue);
        return file == null ? List.of() : file.times();
    }

    @Override
    public void cleanup(String queue) {
        long left = producer.deleteQueue(queue);
        // The workers have stopped by now, so a job they took and never acknowledged is back in the queue.
        if (nodes.containsKey(queue) && left > 0)
            System.err.println("queue " + queue + ": " + left + " Celery message(s) left unacknowledged");
        CeleryDoneFile file = done.remove(queue);
        if (file != null) deleteFile(file.path());
        nodes.remove(queue);
        held.remove(queue);
    }

    private static void deleteFile(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot delete " + p + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<Long> serverPids() {
        return ProcStats.pidsNamed(List.of("beam.smp"));
    }

    @Override
    public void close() {
        try {
            producer.deleteQueue(IDLE_QUEUE);
        } finally {
            producer.close();
            scripts.close();
        }
    }
}
