package dev.kyu.schedule;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads schedules from a YAML file (format in docs/scheduling.md):
 *
 * <pre>
 * schedules:
 *   morning-report:
 *     task: reports.morning
 *     cron: "30 7 * * *"
 *     zone: Asia/Tokyo
 *     args: {team: sales}
 * </pre>
 *
 * Every schedule and field is checked before anything is returned; all problems are reported together
 * as one {@link ScheduleFileException}, each a line naming the file, the schedule and the field. YAML is
 * read with SnakeYAML's safe constructor (plain maps, lists and scalars: no types from the file) and
 * duplicate keys refused, so a schedule defined twice is an error rather than a silent override.
 */
public final class ScheduleFile {
    private ScheduleFile() {}

    public static List<Schedule> load(Path path) {
        String text;
        try {
            text = Files.readString(path);
        } catch (IOException e) {
            throw new ScheduleFileException(
                    List.of(path + ": cannot read schedule file: " + Problem.oneLine(String.valueOf(e.getMessage()))
                            + " (" + e.getClass().getSimpleName() + ")"));
        }
        return parse(text, String.valueOf(path.getFileName()));
    }

    /** Parses YAML text; {@code source} names it in errors. */
    public static List<Schedule> parse(String text, String source) {
        var options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setAllowRecursiveKeys(false);
        options.setMaxAliasesForCollections(50);
        Object root;
        try {
            root = new Yaml(new SafeConstructor(options)).load(text);
        } catch (MarkedYAMLException e) {
            var mark = e.getProblemMark();
            String where =
                    mark == null ? "" : "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ": ";
            throw fail(
                    source,
                    List.of(new Problem(null, null, where + "not valid YAML: " + e.getProblem() + hint(text, mark))));
        } catch (YAMLException e) {
            throw fail(source, List.of(new Problem(null, null, "not valid YAML: " + e.getMessage())));
        }
        var problems = new ArrayList<Problem>();
        if (!(root instanceof Map<?, ?> top) || !top.containsKey("schedules")) {
            throw fail(source, List.of(new Problem(null, null, "expected a map with the key 'schedules' at the top")));
        }
        for (Object key : top.keySet()) {
            if (!"schedules".equals(key))
                problems.add(
                        new Problem(null, String.valueOf(key), "unknown top-level key: expected only 'schedules'"));
        }
        var out = new ArrayList<Schedule>();
        Object all = top.get("schedules");
        if (all == null) return List.of();
        if (!(all instanceof Map<?, ?> byName)) {
            throw fail(
                    source, List.of(new Problem(null, "schedules", "expected a map of schedule names to schedules")));
        }
        for (var e : byName.entrySet()) {
            String name = String.valueOf(e.getKey());
            if (!(e.getValue() instanceof Map<?, ?> fields)) {
                problems.add(new Problem(
                        name, null, "expected a map of fields (task, cron or every, …), was '" + e.getValue() + "'"));
                continue;
            }
            Schedule s = ScheduleFields.read(name, fields, problems, Set.of());
            if (s != null) out.add(s);
        }
        if (!problems.isEmpty()) throw fail(source, problems);
        return out;
    }

    /** YAML reads an unquoted leading * as an alias and @ as reserved: the usual slip with cron expressions. */
    private static String hint(String text, org.yaml.snakeyaml.error.Mark mark) {
        if (mark == null) return "";
        List<String> lines = text.lines().toList();
        if (mark.getLine() >= lines.size()) return "";
        return lines.get(mark.getLine()).matches("\\s*[\\w-]+:\\s*[*@].*")
                ? " (quote values that start with * or @, such as cron expressions)"
                : "";
    }

    private static ScheduleFileException fail(String source, List<Problem> problems) {
        return new ScheduleFileException(
                problems.stream().map(p -> source + ": " + p.line()).toList());
    }
}
