package dev.kyu.client;

import dev.kyu.KyuException;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobOptions;
import dev.kyu.spi.NewJob;
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

    NewJob newJob(String taskName, String argsJson, JobOptions options) {
        Task.checkName(taskName);
        int size = argsJson.getBytes(StandardCharsets.UTF_8).length;
        if (size > maxPayloadBytes) {
            throw new KyuException.PayloadTooLarge("args of task '" + taskName + "' are " + human(size) + ", over the limit of "
                    + human(maxPayloadBytes) + " (pass large data by reference, or raise Kyu.builder().maxPayloadBytes)");
        }
        JobOptions taskDefaults = tasks.find(taskName).map(KyuTask::options).map(o -> o.defaults()).orElse(JobOptions.NONE);
        JobOptions o = (options == null ? JobOptions.NONE : options).over(taskDefaults).over(defaults);
        var b = NewJob.builder(JobIds.next(), taskName)
                .queue(o.queue())
                .args(argsJson)
                .priority(o.priority() == null ? 0 : o.priority())
                .maxAttempts(o.maxAttempts() == null ? 1 : o.maxAttempts())
                .timeout(o.timeout())
                .backoff(o.backoff() == null ? null : o.backoff().toSpec())
                .meta(o.meta());
        // Inline (test) mode runs everything now: a delay would only make the test wait.
        if (!inline) b.runAt(o.runAt()).delay(o.delay());
        if (o.uniqueKey() != null) b.unique(o.uniqueKey(), o.uniqueScope(), o.uniquePeriod());
        return b.build();
    }

    static String human(long bytes) {
        if (bytes >= 1024 * 1024) return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
        if (bytes >= 1024) return String.format(java.util.Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        return bytes + " bytes";
    }
}
