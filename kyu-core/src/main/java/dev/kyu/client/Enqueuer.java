package dev.kyu.client;

import dev.kyu.KyuException;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobOptions;
import dev.kyu.spi.NewJob;
import dev.kyu.task.ArgsVersions;
import dev.kyu.task.KyuTask;
import dev.kyu.task.Task;
import dev.kyu.task.TaskRegistry;
import java.nio.charset.StandardCharsets;

/**
 * Turns "run task T with these args and options" into a {@link NewJob}: layers the options (per job, then
 * the task's defaults when this process knows the task, then the global defaults), checks the task name,
 * the JSON and the payload size, and gives the job its UUIDv7 id.
 */
final class Enqueuer {
    private final TaskRegistry tasks;
    private final JobOptions defaults;
    private final int maxPayloadBytes;
    private final boolean inline;

    Enqueuer(TaskRegistry tasks, JobOptions defaults, int maxPayloadBytes, boolean inline) {
        this.tasks = tasks;
        this.defaults = defaults;
        this.maxPayloadBytes = maxPayloadBytes;
        this.inline = inline;
    }

    /** One job stored as it is: inside a caller's transaction or a workflow, where a debounce or throttle cannot replace it. */
    NewJob newJob(String taskName, String argsJson, JobOptions options) {
        Prepared p = prepare(taskName, options);
        if (p.flow() != null) {
            throw new KyuException.InvalidInput(flowName(p.flow()) + " works on a plain enqueue of one job only,"
                    + " not inside a JDBC transaction or a workflow");
        }
        return p.newJob(argsJson);
    }

    static String flowName(dev.kyu.job.KeyedFlow f) {
        return (f instanceof dev.kyu.job.KeyedFlow.Debounce ? "debounce " : "throttle ")
                + dev.kyu.codec.Printable.quoted(f.key());
    }

    /**
     * Resolves a task's name and options once, so a batch of a thousand jobs pays for the checks and the
     * option layering once and for each job only the size check, the id and the record.
     */
    Prepared prepare(String taskName, JobOptions options) {
        Task.checkName(taskName);
        var known = tasks.find(taskName).map(KyuTask::options);
        JobOptions taskDefaults = known.map(o -> o.defaults()).orElse(JobOptions.NONE);
        JobOptions o =
                (options == null ? JobOptions.NONE : options).over(taskDefaults).over(defaults);
        int version = known.map(t -> t.version()).orElse(1);
        if (version > 1 && !o.meta().containsKey(ArgsVersions.META_KEY)) {
            // Stamped so that a later deploy can tell these args from a newer shape (docs/tasks.md).
            o = o.toBuilder()
                    .meta(ArgsVersions.META_KEY, Integer.toString(version))
                    .build();
        }
        return new Prepared(
                taskName, o, o.backoff() == null ? null : o.backoff().toSpec());
    }

    /** A task name with its options resolved: makes the jobs of a batch. */
    final class Prepared {
        private final String taskName;
        private final JobOptions o;
        private final String backoffSpec;
        private final int priority, maxAttempts;

        /** The debounce or throttle of these options, or null. */
        dev.kyu.job.KeyedFlow flow() {
            return o.flow();
        }

        private Prepared(String taskName, JobOptions o, String backoffSpec) {
            this.taskName = taskName;
            this.o = o;
            this.backoffSpec = backoffSpec;
            this.priority = o.priority() == null ? 0 : o.priority();
            this.maxAttempts = o.maxAttempts() == null ? 1 : o.maxAttempts();
        }

        NewJob newJob(String json) {
            // Args text from a caller (enqueueJson) may hold a lone surrogate raw, which storage as UTF-8 turns into
            // '?'.
            String argsJson = dev.kyu.codec.Printable.jsonForUtf8(json);
            // UTF-8 takes at most 3 bytes per UTF-16 char: only count bytes when the text could be too big.
            if ((long) argsJson.length() * 3 > maxPayloadBytes) {
                int size = argsJson.getBytes(StandardCharsets.UTF_8).length;
                if (size > maxPayloadBytes) {
                    throw new KyuException.PayloadTooLarge("args of task '" + taskName + "' are " + human(size)
                            + ", over the limit of " + human(maxPayloadBytes)
                            + " (pass large data by reference, or raise the limit: Kyu.builder().maxPayloadBytes)");
                }
            }
            boolean unique = o.uniqueKey() != null;
            // Inline (test) mode runs everything now: a delay would only make the test wait.
            return new NewJob(
                    JobIds.next(),
                    taskName,
                    o.queue(),
                    argsJson,
                    priority,
                    maxAttempts,
                    inline ? null : o.runAt(),
                    inline ? null : o.delay(),
                    o.uniqueKey(),
                    unique ? o.uniqueScope() : null,
                    unique ? o.uniquePeriod() : null,
                    o.timeout(),
                    backoffSpec,
                    o.meta(),
                    o.resultTtl());
        }
    }

    static String human(long bytes) {
        // Exact bytes beside the rounded size: a payload just over the limit must not read as equal to it.
        if (bytes >= 1024 * 1024)
            return String.format(java.util.Locale.ROOT, "%.2f MiB (%,d bytes)", bytes / 1048576.0, bytes);
        if (bytes >= 1024) return String.format(java.util.Locale.ROOT, "%.1f KiB (%,d bytes)", bytes / 1024.0, bytes);
        return bytes + " bytes";
    }
}
