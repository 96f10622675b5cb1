package dev.kyu.workflow;

import java.util.List;
import java.util.Objects;

/**
 * One step of a {@link Workflow}: its unique name, the call it makes, and the names of the steps it runs
 * after (its parents). Checked as a whole at enqueue (unknown parents, cycles, duplicates).
 */
public record Step(String name, Call<?, ?> call, List<String> after) {
    public Step {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(call, "call");
        after = after == null ? List.of() : List.copyOf(after);
    }

    public StepOptions options() {
        return call.options();
    }

    /** True when the name was chosen by the caller, false when it was taken from the task's name. */
    boolean named() {
        return call.name() != null;
    }

    Step renamed(String newName, List<String> newAfter) {
        return new Step(newName, call, newAfter);
    }
}
