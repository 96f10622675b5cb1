package dev.kyu.cli.commands;

import dev.kyu.KyuException;
import dev.kyu.job.JobIds;
import java.util.List;

/** Checks job ids from the command line: a malformed id is bad input (exit 2), not a missing job. */
final class JobIdsArg {
    private JobIdsArg() {}

    static List<String> check(List<String> ids) {
        for (String id : ids) {
            if (!JobIds.isValid(id)) throw new KyuException.InvalidInput("bad job id '" + id + "': expected a UUID such as 01890a5d-ac96-774b-bcce-b302099a8057");
        }
        return ids.stream().map(JobIds::normalize).toList();
    }
}
