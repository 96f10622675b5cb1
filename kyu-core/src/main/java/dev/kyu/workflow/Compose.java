package dev.kyu.workflow;

import dev.kyu.task.KyuTask;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Puts stages together into one list of steps: chains link each stage's first steps to the previous stage's
 * last steps; groups put them side by side. Steps named after their task are renamed {@code task-2},
 * {@code task-3}... when a name is taken; steps named by the caller keep their name (a clash is refused at enqueue).
 * Linear in the steps and links, so a group of 10,000 costs no more per step than a group of ten.
 */
final class Compose {
    private Compose() {}

    /** Steps with where they start (no parent inside) and where they end (no child inside). */
    private record Fragment(List<Step> steps, List<String> heads, List<String> tails) {}

    static Workflow chain(String name, List<? extends Stage> stages) {
        var names = new Names();
        var out = new ArrayList<Step>();
        List<String> previousTails = List.of();
        for (Stage stage : stages) {
            Fragment f = names.adopt(fragment(stage));
            Set<String> heads = new HashSet<>(f.heads());
            for (Step s : f.steps()) {
                if (heads.contains(s.name()) && !previousTails.isEmpty()) {
                    var after = new ArrayList<>(s.after());
                    after.addAll(previousTails);
                    s = s.renamed(s.name(), after);
                }
                out.add(s);
            }
            // An empty stage (an empty group) passes the previous tails on, so the next stage still follows them.
            if (!f.steps().isEmpty()) previousTails = f.tails();
        }
        return new Workflow(name, out, null);
    }

    static Workflow group(String name, List<? extends Stage> stages) {
        var names = new Names();
        var out = new ArrayList<Step>();
        for (Stage stage : stages) out.addAll(names.adopt(fragment(stage)).steps());
        return new Workflow(name, out, null);
    }

    private static Fragment fragment(Stage stage) {
        if (stage instanceof Call<?, ?> c) {
            String n = c.name() != null ? c.name() : c.taskName();
            return new Fragment(List.of(new Step(n, c, List.of())), List.of(n), List.of(n));
        }
        if (stage instanceof KyuTask<?, ?> t) return fragment(Call.of(t));
        if (stage instanceof Workflow w) {
            var heads = new ArrayList<String>();
            var parents = new HashSet<String>();
            for (Step s : w.steps()) {
                if (s.after().isEmpty()) heads.add(s.name());
                parents.addAll(s.after());
            }
            var tails = new ArrayList<String>();
            for (Step s : w.steps()) if (!parents.contains(s.name())) tails.add(s.name());
            return new Fragment(w.steps(), heads, tails);
        }
        throw new dev.kyu.KyuException.InvalidInput(
                "a workflow stage must be a task, a task call (task.with(args)) or a workflow, not "
                        + (stage == null ? "null" : stage.getClass().getName()));
    }

    /** The names taken so far, and the next suffix to try for each task name. */
    private static final class Names {
        private final Set<String> taken = new HashSet<>();
        private final Map<String, Integer> next = new HashMap<>();

        Fragment adopt(Fragment f) {
            Map<String, String> renames = new HashMap<>();
            for (Step s : f.steps()) {
                if (s.named()) {
                    taken.add(s.name());
                    continue;
                }
                String n = s.name();
                if (!taken.add(n)) {
                    String base = s.call().taskName();
                    int i = next.getOrDefault(base, 2);
                    while (!taken.add(n = base + "-" + i)) i++;
                    next.put(base, i + 1);
                    renames.put(s.name(), n);
                }
            }
            if (renames.isEmpty()) return f;
            var steps = new ArrayList<Step>(f.steps().size());
            for (Step s : f.steps()) {
                var after =
                        s.after().stream().map(a -> renames.getOrDefault(a, a)).toList();
                steps.add(s.renamed(renames.getOrDefault(s.name(), s.name()), after));
            }
            return new Fragment(
                    steps,
                    f.heads().stream().map(h -> renames.getOrDefault(h, h)).toList(),
                    f.tails().stream().map(t -> renames.getOrDefault(t, t)).toList());
        }
    }
}
