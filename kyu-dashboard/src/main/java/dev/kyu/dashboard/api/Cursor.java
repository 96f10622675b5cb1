package dev.kyu.dashboard.api;

import dev.kyu.codec.Printable;
import dev.kyu.dashboard.http.HttpError;
import dev.kyu.dashboard.http.Request;
import dev.kyu.job.JobIds;
import java.util.Locale;

/**
 * The cursor of a listing's page, query parameter {@code after}: the id of the last item of the page before
 * (a job id; a workflow's id is its end job's). The listing goes on with the items whose id sorts below it,
 * so a deep page costs what the first does. A listing pages by {@code after} or by {@code offset}, not both.
 */
final class Cursor {
    private Cursor() {}

    /** The checked cursor, in the case ids are stored; null when the request has none. A bad one is a 400. */
    static String after(Request r) {
        String after = r.query("after");
        if (after == null) return null;
        if (r.query("offset") != null) throw HttpError.badRequest("page by after (a cursor) or by offset, not both");
        if (!JobIds.isValid(after)) {
            throw HttpError.badRequest(
                    "after must be a job id (a UUID) such as 01890a5d-ac96-774b-bcce-b302099a8057, was "
                            + Printable.quoted(after));
        }
        return after.toLowerCase(Locale.ROOT);
    }
}
