package dev.kyu.task;

import dev.kyu.job.JobOptions;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A task's defaults and retry rules.
 *
 * @param defaults   job options used when the enqueue does not set them (queue, attempts, back-off, timeout)
 * @param retryOn    exception types worth a retry; empty means every exception but those in {@code abortOn}
 * @param abortOn    exception types that fail the job at once, attempts left or not
 * @param aliases    older names this task also answers to, so jobs enqueued before a rename still run
 * @param version    the version of the task's arguments (1 unless set); jobs are stamped with it at enqueue
 * @param upcasters  by version n, the step that turns version-n arguments into version n + 1
 */
public record TaskOptions(
        JobOptions defaults,
        Set<Class<? extends Throwable>> retryOn,
        Set<Class<? extends Throwable>> abortOn,
        List<String> aliases,
        int version,
        Map<Integer, ArgsUpcaster> upcasters) {
    public static final TaskOptions DEFAULTS = new TaskOptions(JobOptions.NONE, Set.of(), Set.of(), List.of());

    public TaskOptions(
            JobOptions defaults,
            Set<Class<? extends Throwable>> retryOn,
            Set<Class<? extends Throwable>> abortOn,
            List<String> aliases) {
        this(defaults, retryOn, abortOn, aliases, 1, Map.of());
    }

    public TaskOptions {
        if (version < 1) throw new IllegalArgumentException("a task's version must be at least 1, was " + version);
        upcasters = upcasters == null ? Map.of() : Map.copyOf(upcasters);
        for (int from : upcasters.keySet()) {
            if (from < 1 || from >= version) {
                throw new IllegalArgumentException(
                        "an upcaster from version " + from + " has no place in a task of version " + version
                                + " (upcasters go from 1 up to " + (version - 1) + ")");
            }
        }
        defaults = defaults == null ? JobOptions.NONE : defaults;
        if (defaults.flow() != null) {
            // The key is per call; a task's defaults would also reach schedules and workflows, which cannot coalesce.
            throw new dev.kyu.KyuException.InvalidInput(
                    "debounce and throttle are set per enqueue, not in a task's default options");
        }
        retryOn = retryOn == null ? Set.of() : Set.copyOf(retryOn);
        abortOn = abortOn == null ? Set.of() : Set.copyOf(abortOn);
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        aliases.forEach(Task::checkName);
    }

    public static TaskOptions of(JobOptions defaults) {
        return new TaskOptions(defaults, Set.of(), Set.of(), List.of());
    }

    public TaskOptions withDefaults(JobOptions d) {
        return new TaskOptions(d, retryOn, abortOn, aliases, version, upcasters);
    }

    @SafeVarargs
    public final TaskOptions withRetryOn(Class<? extends Throwable>... types) {
        // Read element by element: the varargs array never leaves the method, which is what makes it safe.
        var set = new LinkedHashSet<Class<? extends Throwable>>();
        for (var t : types) set.add(t);
        return new TaskOptions(defaults, set, abortOn, aliases, version, upcasters);
    }

    @SafeVarargs
    public final TaskOptions withAbortOn(Class<? extends Throwable>... types) {
        var set = new LinkedHashSet<Class<? extends Throwable>>(); // element by element, as above
        for (var t : types) set.add(t);
        return new TaskOptions(defaults, retryOn, set, aliases, version, upcasters);
    }

    public TaskOptions withAliases(String... names) {
        return new TaskOptions(defaults, retryOn, abortOn, List.of(names), version, upcasters);
    }

    /**
     * The version of the task's arguments. Raise it when the arguments' shape changes, and register an
     * upcaster for each step ({@link #withUpcaster}), so that jobs enqueued before the change still run.
     */
    public TaskOptions withVersion(int v) {
        return new TaskOptions(defaults, retryOn, abortOn, aliases, v, upcasters);
    }

    /** Turns arguments of version {@code from} into version {@code from + 1}; set the version first. */
    public TaskOptions withUpcaster(int from, ArgsUpcaster upcaster) {
        var m = new java.util.HashMap<>(upcasters);
        m.put(from, java.util.Objects.requireNonNull(upcaster, "upcaster"));
        return new TaskOptions(defaults, retryOn, abortOn, aliases, version, m);
    }

    /** Whether this failure deserves another attempt (attempts left are checked elsewhere). */
    public boolean isRetryable(Throwable t) {
        if (t instanceof NonRetryableException) return false;
        if (abortOn.stream().anyMatch(c -> c.isInstance(t))) return false;
        return retryOn.isEmpty() || retryOn.stream().anyMatch(c -> c.isInstance(t));
    }
}
