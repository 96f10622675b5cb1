package dev.kyu.bench.figure;

import dev.kyu.bench.proc.WorkerHandle;
import dev.kyu.bench.subject.KyuSubject;
import dev.kyu.bench.subject.Subject;
import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import dev.kyu.workflow.Call;
import dev.kyu.workflow.Stage;
import dev.kyu.workflow.Workflow;
import dev.kyu.workflow.WorkflowState;
import dev.kyu.workflow.WorkflowView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a workflow costs beside plain jobs, on one broker with one idle worker: a chord of no-op steps
 * 1 → W → 1 (W = 1,000) timed from its enqueue to its final step's end, beside W + 1 plain {@code kyu.noop}
 * jobs enqueued in one batch and timed from their enqueue to the last one's end; and a fan-in of N − 1
 * steps into one (N = 1,000 and 10,000, the most a workflow may have) timed the same way, with the ratio of
 * the two, which stays near 10 while the release of a child by its parents is linear. Times are the
 * broker's own stamps (enqueued, finished), read after each run. Kyu's alone.
 */
public final class Workflows implements Measurement {
    private final int chordWidth;
    private final int smallFanIn;
    private final int largeFanIn;

    public Workflows() {
        this(1000, 1000, Workflow.MAX_STEPS);
    }

    /** Smaller shapes, for the harness's own tests. */
    public Workflows(int chordWidth, int smallFanIn, int largeFanIn) {
        this.chordWidth = chordWidth;
        this.smallFanIn = smallFanIn;
        this.largeFanIn = largeFanIn;
    }

    @Override
    public String name() {
        return "workflow";
    }

    @Override
    @SuppressWarnings("try") // the workers are a scope guard: they run for the try block and stop at its end
    public List<Sample> run(Subject subject, BenchConfig config, int run) throws InterruptedException {
        if (!(subject instanceof KyuSubject kyu)) return List.of();
        String queue = Queues.name("workflow", run);
        try (WorkerHandle workers = kyu.startWorkers(queue, config.concurrency(), false)) {
            int plainJobs = chordWidth + 1;
            kyu.enqueueBatch(queue, plainJobs);
            Waiter.awaitFinished(
                    kyu, queue, plainJobs, System.nanoTime(), timeout(plainJobs).toNanos());
            double plain = ms(kyu.span(queue, plainJobs));

            double chord = toFinal(kyu, queue, chord(queue), chordWidth + 2);
            double small = toFinal(kyu, queue, fanIn(queue, smallFanIn), smallFanIn);
            double large = toFinal(kyu, queue, fanIn(queue, largeFanIn), largeFanIn);
            return List.of(
                    Sample.of("workflow-plain-" + plainJobs, "ms", plain, plainJobs),
                    Sample.of("workflow-chord-1-" + chordWidth + "-1", "ms", chord, chordWidth + 2),
                    Sample.of("workflow-chord-overhead", "ms", chord - plain, chordWidth + 2),
                    Sample.of("workflow-fan-in-" + smallFanIn, "ms", small, smallFanIn),
                    Sample.of("workflow-fan-in-" + largeFanIn, "ms", large, largeFanIn),
                    Sample.of("workflow-fan-in-ratio", "x", large / small, largeFanIn));
        } finally {
            kyu.cleanup(queue);
        }
    }

    /** 1 → W → 1: a first step, W steps after it side by side, a final step after all of them. */
    private Workflow chord(String queue) {
        var middle = new ArrayList<Stage>(chordWidth);
        for (int i = 0; i < chordWidth; i++) middle.add(noop(queue).as("m" + i));
        return Workflow.chain(
                        noop(queue).as("first"),
                        Workflow.group(middle),
                        noop(queue).as("final"))
                .withQueue(queue);
    }

    /** N − 1 steps side by side, and a final step after all of them: N steps in all. */
    private static Workflow fanIn(String queue, int steps) {
        var b = Workflow.builder("fan-in-" + steps).queue(queue);
        var names = new String[steps - 1];
        for (int i = 0; i < steps - 1; i++) {
            names[i] = "p" + i;
            b.step(names[i], noop(queue));
        }
        return b.step("final", noop(queue)).after(names).build();
    }

    private static Call<Object, Object> noop(String queue) {
        return Call.ofJson("kyu.noop", "null")
                .options(JobOptions.builder().queue(queue).build());
    }

    /** Runs the workflow to its end; its enqueue to its final step's end, in ms, by the broker's stamps. */
    private static double toFinal(KyuSubject kyu, String queue, Workflow w, int steps) throws InterruptedException {
        WorkflowView v = kyu.runWorkflow(queue, w, timeout(steps));
        if (v.state() != WorkflowState.SUCCEEDED)
            throw new IllegalStateException("workflow " + v.name() + " ended " + v.state());
        var last = v.step("final").orElseThrow().job();
        if (last == null || last.state() != JobState.SUCCEEDED)
            throw new IllegalStateException("workflow " + v.name() + ": its final step did not succeed");
        return ms(Duration.between(v.enqueuedAt(), last.finishedAt()));
    }

    private static Duration timeout(int jobs) {
        return Duration.ofSeconds(Math.max(120, jobs / 50));
    }

    private static double ms(Duration d) {
        return d.toNanos() / 1e6;
    }
}
