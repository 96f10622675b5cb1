package dev.kyu.worker.isolated;

import dev.kyu.codec.JsonCodec;
import dev.kyu.task.JobContext;
import dev.kyu.task.KyuTask;
import dev.kyu.task.TaskRegistry;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The main class of an isolated child JVM ({@link ChildPool}): registers Kyu's built-in tasks and the task
 * classes named on its command line, then runs one request per stdin line and answers on stdout (see
 * {@link Wire}) until stdin ends. The task classes come from the worker's configuration, never from a job.
 */
public final class ChildMain {
    private ChildMain() {}

    public static void main(String[] args) throws IOException {
        // The protocol owns stdout: whatever a task prints goes to stderr instead, so it cannot forge a reply.
        OutputStream protocol = new FileOutputStream(FileDescriptor.out);
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
        var tasks = TaskRegistry.withBuiltins();
        for (String className : args) tasks.registerClass(className, ChildMain.class.getClassLoader());
        var codec = JsonCodec.shared();
        var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            Wire.Request request = Wire.read(line, Wire.Request.class);
            Wire.Reply reply =
                    run(tasks, codec, request, p -> send(protocol, Wire.Reply.progress(p.fraction(), p.message())));
            send(protocol, reply);
        }
    }

    private static Wire.Reply run(
            TaskRegistry tasks,
            JsonCodec codec,
            Wire.Request r,
            java.util.function.Consumer<dev.kyu.job.Progress> progress) {
        KyuTask<?, ?> task = tasks.find(r.task()).orElse(null);
        if (task == null) {
            return Wire.Reply.error(
                    dev.kyu.job.JobError.UNKNOWN_TASK,
                    "the isolated child does not know task '" + r.task()
                            + "' (its class must be named in the worker's isolated task classes)",
                    "",
                    false);
        }
        var ctx = new JobContext(
                r.id(),
                r.task(),
                r.queue(),
                r.attempt(),
                r.maxAttempts(),
                r.enqueuedAt() == null ? null : Instant.parse(r.enqueuedAt()),
                r.meta(),
                r.workerId(),
                r.fence(),
                progress);
        try {
            return Wire.Reply.ok(codec.encode(invoke(task, codec.decode(r.args(), task.argsType()), ctx)));
        } catch (Throwable t) {
            var sw = new StringWriter();
            t.printStackTrace(new PrintWriter(sw));
            return Wire.Reply.error(
                    t.getClass().getName(),
                    String.valueOf(t.getMessage()),
                    sw.toString(),
                    task.options().isRetryable(t));
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object invoke(KyuTask task, Object args, JobContext ctx) throws Exception {
        return task.run(args, ctx);
    }

    private static synchronized void send(OutputStream out, Wire.Reply reply) {
        try {
            out.write((Wire.write(reply) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            System.exit(3); // the worker is gone: nobody is left to answer
        }
    }
}
