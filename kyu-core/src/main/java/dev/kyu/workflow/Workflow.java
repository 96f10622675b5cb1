package dev.kyu.workflow;

import dev.kyu.job.JobOptions;
import dev.kyu.task.KyuTask;
import dev.kyu.task.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Jobs that run in an order: a chain, a group (fan-out), a chord (fan-out then fan-in) or any DAG, stored in
 * the broker at once and run by ordinary workers (docs/workflows.md).
 *
 * <pre>{@code
 * Workflow.chain(reserveStock.with(order), chargePayment, arrangeShipping)       // each takes the previous one's result
 * Workflow.chord(Workflow.group(resize.with(a), resize.with(b)), summarize)     // summarize gets {"resize": .., "resize-2": ..}
 * Workflow.builder("order-42")
 *         .step("reserve", reserveStock.with(order)).compensate(releaseStock)
 *         .step("charge", chargePayment).after("reserve")
 *         .step("ship", arrangeShipping).after("charge")
 *         .step("confirm", sendConfirmation).after("charge").onFailure(FailurePolicy.IGNORE)
 *         .build();
 * }</pre>
 *
 * A workflow is a value: immutable, checked as a whole when enqueued ({@code kyu.enqueue(workflow)}), where a
 * cycle, an unknown parent, a duplicate step name, more than {@link #MAX_STEPS} steps or a task this process
 * has not registered is refused in one line with nothing stored.
 *
 * @param name  a label for people (dashboards, {@code kyu workflow}); need not be unique
 * @param steps the steps, in the order given
 * @param queue the queue of the workflow's own end job, or null for the queue of its last step
 */
public record Workflow(String name, List<Step> steps, String queue) implements Stage {
    /** The most steps one workflow may have: its definition is one stored job, read whole by its end job. */
    public static final int MAX_STEPS = 10_000;

    public Workflow {
        Objects.requireNonNull(name, "name");
        if (name.isBlank() || name.length() > 200) {
            throw new dev.kyu.KyuException.InvalidInput(
                    "bad workflow name " + dev.kyu.codec.Printable.quoted(name) + ": use 1-200 characters");
        }
        steps = List.copyOf(steps);
        if (queue != null) Task.checkQueue(queue);
    }

    /** Runs the stages one after the other; each bare task takes the result(s) of the stage before it as its args. */
    public static Workflow chain(Stage... stages) {
        return Compose.chain("chain", List.of(stages));
    }

    /** Runs the stages side by side. An empty group completes at once. */
    public static Workflow group(Stage... stages) {
        return Compose.group("group", List.of(stages));
    }

    /** Runs the stages side by side. */
    public static Workflow group(List<? extends Stage> stages) {
        return Compose.group("group", stages);
    }

    /** Runs the header (usually a group), then the body with the header's results by step name. */
    public static Workflow chord(Stage header, Stage body) {
        return Compose.chain("chord", List.of(header, body));
    }

    /** A general DAG, step by step. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** This workflow under another name. */
    public Workflow named(String newName) {
        return new Workflow(newName, steps, queue);
    }

    /** This workflow with its end job (the one that decides its outcome and compensates) on this queue. */
    public Workflow withQueue(String endQueue) {
        return new Workflow(name, steps, endQueue);
    }

    public int size() {
        return steps.size();
    }

    /** Builds a workflow step by step; options after a {@code step} apply to that step. */
    public static final class Builder {
        private final String name;
        private final List<Step> steps = new ArrayList<>();
        private String queue;

        private Builder(String name) {
            this.name = name;
        }

        /** A step calling a task with args. */
        public Builder step(String stepName, Call<?, ?> call) {
            steps.add(new Step(Call.checkStepName(stepName), call.as(stepName), List.of()));
            return this;
        }

        /** A step whose args are its parents' results. */
        public Builder step(String stepName, KyuTask<?, ?> task) {
            return step(stepName, Call.of(task));
        }

        /** The last step runs after these steps. */
        public Builder after(String... parents) {
            Step s = last();
            var a = new ArrayList<>(s.after());
            a.addAll(List.of(parents));
            steps.set(steps.size() - 1, new Step(s.name(), s.call(), a));
            return this;
        }

        public Builder onFailure(FailurePolicy policy) {
            return change(last().call().onFailure(policy));
        }

        public Builder compensate(KyuTask<?, ?> compensation) {
            return change(last().call().compensate(compensation));
        }

        public Builder compensate(String compensationTaskName) {
            return change(last().call().compensate(compensationTaskName));
        }

        public Builder options(JobOptions options) {
            return change(last().call().options(options));
        }

        /** The queue of the workflow's end job (default: the queue of its last step). */
        public Builder queue(String endQueue) {
            this.queue = endQueue;
            return this;
        }

        public Workflow build() {
            return new Workflow(name, steps, queue);
        }

        private Builder change(Call<?, ?> call) {
            Step s = last();
            steps.set(steps.size() - 1, new Step(s.name(), call, s.after()));
            return this;
        }

        private Step last() {
            if (steps.isEmpty())
                throw new IllegalStateException("add a step first: options apply to the step before them");
            return steps.get(steps.size() - 1);
        }
    }
}
