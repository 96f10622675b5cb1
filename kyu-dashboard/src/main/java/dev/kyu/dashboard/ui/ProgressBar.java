package dev.kyu.dashboard.ui;

import dev.kyu.job.Progress;

/**
 * A job's reported progress as a native {@code <progress>} bar with its percentage and message: no
 * script and no inline style, so it needs nothing from the Content-Security-Policy.
 */
final class ProgressBar {
    private ProgressBar() {}

    /** The bar, or "" when the job reported no progress. */
    static String html(Progress p) {
        if (p == null) return "";
        String label = p.percent() + "%" + (p.message() == null ? "" : " " + p.message());
        return " <span class=\"progress\"><progress max=\"100\" value=\"" + p.percent() + "\" title=\""
                + Html.esc(label) + "\">" + p.percent() + "%</progress> " + Html.esc(label) + "</span>";
    }
}
