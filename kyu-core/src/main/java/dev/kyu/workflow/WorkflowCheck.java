package dev.kyu.workflow;

import dev.kyu.KyuException;
import dev.kyu.codec.Printable;
import dev.kyu.spi.Capability;
import dev.kyu.task.TaskRegistry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a workflow as a whole before anything is stored, and orders its steps parents-first. Every refusal
 * is one line naming the step at fault. Linear in steps and links (Kahn's algorithm).
 */
final class WorkflowCheck {
    private WorkflowCheck() {}

    /** A checked workflow: its steps in topological order, each with its parents' indexes in that order. */
    record Ordered(List<Step> steps, List<int[]> parents, List<List<Integer>> children) {}

    static Ordered check(Workflow wf, TaskRegistry tasks, Set<Capability> capabilities, String broker) {
        if (!capabilities.contains(Capability.JOB_LINKS)) {
            throw new KyuException.InvalidInput(
                    "broker " + broker + " cannot run workflows: it does not keep job links (Capability.JOB_LINKS)");
        }
        List<Step> steps = wf.steps();
        if (steps.size() > Workflow.MAX_STEPS) {
            throw new KyuException.InvalidInput(
                    "workflow " + Printable.quoted(wf.name()) + " has " + steps.size() + " steps, over the limit of "
                            + Workflow.MAX_STEPS + " (split it, or enqueue the work of a step as plain jobs)");
        }
        Map<String, Integer> index = new HashMap<>(steps.size() * 2);
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            // Checked here too: a Step built directly skips the builder's check, and its name goes into every message
            // below.
            Call.checkStepName(s.name());
            if (index.putIfAbsent(s.name(), i) != null) {
                throw new KyuException.InvalidInput(
                        "workflow " + Printable.quoted(wf.name()) + " has two steps named '" + s.name() + "'");
            }
            Call<?, ?> c = s.call();
            if (c.task() == null && !tasks.contains(c.taskName())) {
                throw new KyuException.InvalidInput("step '" + s.name() + "' calls task '" + c.taskName()
                        + "', which is not registered with this Kyu (register it, or check the name)");
            }
            String comp = c.options().compensate();
            if (comp != null && c.options().compensateTask() == null && !tasks.contains(comp)) {
                throw new KyuException.InvalidInput("step '" + s.name() + "' is compensated by task '" + comp
                        + "', which is not registered with this Kyu (register it, or check the name)");
            }
            if (c.options().job().uniqueKey() != null) {
                throw new KyuException.InvalidInput(
                        "step '" + s.name() + "' has a unique key: a step is one job of its workflow and "
                                + "cannot stand for another (make the workflow's enqueue idempotent instead)");
            }
        }
        int n = steps.size();
        int[][] parents = new int[n][];
        int[] pending = new int[n];
        List<List<Integer>> children = new ArrayList<>(n);
        for (int i = 0; i < n; i++) children.add(new ArrayList<>(2));
        for (int i = 0; i < n; i++) {
            Step s = steps.get(i);
            // A parent named twice is one parent: counted twice it would hold the step BLOCKED for ever.
            var distinct = new LinkedHashSet<>(s.after());
            parents[i] = new int[distinct.size()];
            int k = 0;
            for (String p : distinct) {
                Integer j = index.get(p);
                if (j == null) {
                    throw new KyuException.InvalidInput("step '" + s.name() + "' runs after " + Printable.quoted(p)
                            + ", which is not a step of workflow " + Printable.quoted(wf.name()));
                }
                if (j == i)
                    throw new KyuException.InvalidInput("step '" + s.name() + "' of workflow "
                            + Printable.quoted(wf.name()) + " runs after itself");
                parents[i][k++] = j;
                children.get(j).add(i);
            }
            pending[i] = parents[i].length;
            var own = s.call().options().job();
            if (parents[i].length > 0 && (own.delay() != null || own.runAt() != null)) {
                // A waiting job is due when its last parent ends: a delay or run-at would be dropped without a word.
                throw new KyuException.InvalidInput(
                        "step '" + s.name() + "' runs after other steps, so it cannot have its own "
                                + (own.delay() != null ? "delay" : "run-at") + ": it starts when its last parent ends");
            }
        }
        var queue = new ArrayDeque<Integer>();
        for (int i = 0; i < n; i++) if (pending[i] == 0) queue.add(i);
        int[] order = new int[n];
        int[] position = new int[n];
        int done = 0;
        while (!queue.isEmpty()) {
            int i = queue.poll();
            position[i] = done;
            order[done++] = i;
            for (int c : children.get(i)) if (--pending[c] == 0) queue.add(c);
        }
        if (done < n)
            throw new KyuException.InvalidInput(
                    "workflow " + Printable.quoted(wf.name()) + " has a cycle: " + cycle(steps, parents, pending));
        var orderedSteps = new ArrayList<Step>(n);
        var orderedParents = new ArrayList<int[]>(n);
        var orderedChildren = new ArrayList<List<Integer>>(n);
        for (int k = 0; k < n; k++) {
            int i = order[k];
            orderedSteps.add(steps.get(i));
            int[] ps = new int[parents[i].length];
            for (int m = 0; m < ps.length; m++) ps[m] = position[parents[i][m]];
            orderedParents.add(ps);
            var cs = new ArrayList<Integer>(children.get(i).size());
            for (int c : children.get(i)) cs.add(position[c]);
            orderedChildren.add(cs);
        }
        return new Ordered(orderedSteps, orderedParents, orderedChildren);
    }

    /** One cycle among the steps left over, as "a -> b -> a": walk parents that are still pending until one repeats. */
    private static String cycle(List<Step> steps, int[][] parents, int[] pending) {
        int start = 0;
        while (pending[start] == 0) start++;
        var seen = new HashMap<Integer, Integer>();
        var path = new ArrayList<Integer>();
        int at = start;
        while (!seen.containsKey(at)) {
            seen.put(at, path.size());
            path.add(at);
            int next = -1;
            for (int p : parents[at])
                if (pending[p] > 0) {
                    next = p;
                    break;
                }
            at = next;
        }
        var names = new ArrayList<String>();
        // walked child -> parent; shown parent -> child, the order in which they would run
        for (int k = path.size() - 1; k >= seen.get(at); k--)
            names.add(steps.get(path.get(k)).name());
        names.add(steps.get(path.get(path.size() - 1)).name());
        return String.join(" -> ", names);
    }
}
