package dev.kyu.cli.commands;

import dev.kyu.KyuException;
import dev.kyu.codec.Printable;
import dev.kyu.job.JobIds;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Cursor paging of the {@code inspect} listings: the checked {@code --after} option, and the line printed under
 * a page that has more after it, the command that shows the next page (the same filters, {@code --after} the
 * last id shown), quoted for a POSIX shell so it can be pasted as it is. The broker option is left out: its
 * URL may hold a password, and it is set the way it was for this command.
 */
final class NextPage {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._:/@%+=,-]+");

    private NextPage() {}

    /** The cursor in the case ids are stored, null when not given; a bad one, or one beside --offset, is a one-line usage error. */
    static String after(String after, Integer offset) {
        if (after == null) return null;
        if (offset != null)
            throw new KyuException.InvalidInput("--after and --offset both page a listing: give one, not both");
        if (!JobIds.isValid(after)) {
            throw new KyuException.InvalidInput(
                    "--after takes a job id (a UUID), the last ID of the page before, was " + Printable.quoted(after));
        }
        return after.toLowerCase(java.util.Locale.ROOT);
    }

    /** {@code "older … follow: kyu inspect <listing> <options> --after <next>"}; options as name, value pairs, null values left out. */
    static String hint(String what, String listing, List<String> options, String next) {
        var words = new ArrayList<String>();
        for (int i = 0; i + 1 < options.size(); i += 2) {
            if (options.get(i + 1) == null) continue;
            words.add(options.get(i));
            words.add(quote(options.get(i + 1)));
        }
        words.add("--after");
        words.add(next);
        return "older " + what + " follow: kyu inspect " + listing + " " + String.join(" ", words);
    }

    static String quote(String word) {
        return PLAIN.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
    }
}
