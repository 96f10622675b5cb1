package dev.kyu.worker.isolated;

import dev.kyu.task.Task;
import java.util.List;
import java.util.Set;

/**
 * Which tasks a worker runs in child JVMs, and how many children it keeps.
 *
 * @param tasks    the task names run isolated; empty for none
 * @param children the most child JVMs alive at once (each runs one job at a time)
 * @param jvmArgs  options for each child's {@code java} command (heap, GC), before its class path
 */
public record IsolatedOptions(Set<String> tasks, int children, List<String> jvmArgs) {
    /** Small and quick to start: a child runs one job at a time, so a parallel collector buys nothing. */
    public static final List<String> DEFAULT_JVM_ARGS = List.of("-XX:+UseSerialGC", "-XX:+UseCompressedOops");

    public static final IsolatedOptions NONE = new IsolatedOptions(Set.of(), 1, DEFAULT_JVM_ARGS);

    public IsolatedOptions {
        tasks = tasks == null ? Set.of() : Set.copyOf(tasks);
        tasks.forEach(Task::checkName);
        if (children < 1 || children > 1_000)
            throw new IllegalArgumentException("isolated children must be 1..1000, was " + children);
        jvmArgs = jvmArgs == null ? DEFAULT_JVM_ARGS : List.copyOf(jvmArgs);
    }

    public boolean any() {
        return !tasks.isEmpty();
    }
}
