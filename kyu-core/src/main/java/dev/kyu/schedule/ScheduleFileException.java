package dev.kyu.schedule;

import dev.kyu.KyuException;
import java.util.List;

/**
 * A schedule file that cannot be used, with every problem found in it. Each problem is one line naming
 * the file, the schedule and the field; the message is the problems joined on one line.
 */
public final class ScheduleFileException extends KyuException.InvalidInput {
    private final List<String> problems;

    public ScheduleFileException(List<String> problems) {
        super(problems.size() == 1 ? problems.get(0) : problems.size() + " problems: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** One line per problem, in file order. */
    public List<String> problems() {
        return problems;
    }
}
