package dev.kyu.cli.commands;

import dev.kyu.job.JobIds;
import java.util.List;

/** Checks job ids from the command line: a malformed id is bad input (exit 2), not a missing job. */
final class JobIdsArg {
    private JobIdsArg() {}

    static List<String> check(List<String> ids) {
        return ids.stream().map(JobIds::parse).toList();
    }
}
