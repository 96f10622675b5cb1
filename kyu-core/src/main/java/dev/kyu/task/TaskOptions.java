package dev.kyu.task;

import dev.kyu.job.JobOptions;
import java.util.List;
import java.util.Set;

/**
 * A task's defaults and retry rules.
 *
 * @param defaults   job options used when the enqueue does not set them (queue, attempts, back-off, timeout)
 * @param retryOn    exception types worth a retry; empty means every exception but those in {@code abortOn}
 * @param abortOn    exception types that fail the job at once, attempts left or not
 * @param aliases    older names this task also answers to, so jobs enqueued before a rename still run
 */
public record TaskOptions(JobOptions defaults, Set<Class<? extends Throwable>> retryOn,
                          Set<Class<? extends Throwable>> abortOn, List<String> aliases) {
    public static final TaskOptions DEFAULTS = new TaskOptions(JobOptions.NONE, Set.of(), Set.of(), List.of());

    public TaskOptions {
        defaults = defaults == null ? JobOptions.NONE : defaults;
        retryOn = retryOn == null ? Set.of() : Set.copyOf(retryOn);
        abortOn = abortOn == null ? Set.of() : Set.copyOf(abortOn);
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        aliases.forEach(Task::checkName);
    }

    public static TaskOptions of(JobOptions defaults) {
        return new TaskOptions(defaults, Set.of(), Set.of(), List.of());
    }

    public TaskOptions withDefaults(JobOptions d) { return new TaskOptions(d, retryOn, abortOn, aliases); }

    @SafeVarargs
    public final TaskOptions withRetryOn(Class<? extends Throwable>... types) { return new TaskOptions(defaults, Set.of(types), abortOn, aliases); }

    @SafeVarargs
    public final TaskOptions withAbortOn(Class<? extends Throwable>... types) { return new TaskOptions(defaults, retryOn, Set.of(types), aliases); }

    public TaskOptions withAliases(String... names) { return new TaskOptions(defaults, retryOn, abortOn, List.of(names)); }

    /** Whether this failure deserves another attempt (attempts left are checked elsewhere). */
    public boolean isRetryable(Throwable t) {
        if (t instanceof NonRetryableException) return false;
        if (abortOn.stream().anyMatch(c -> c.isInstance(t))) return false;
        return retryOn.isEmpty() || retryOn.stream().anyMatch(c -> c.isInstance(t));
    }
}
