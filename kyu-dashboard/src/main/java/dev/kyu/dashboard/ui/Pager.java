package dev.kyu.dashboard.ui;

/**
 * The pager under a listing shown newest first. "older →" follows the cursor: the last id shown, passed as
 * {@code after}, so a deep page costs the broker what the first one does and a job added meanwhile cannot
 * shift a row into the next page. A cursor leads only to older rows, so a page reached by cursor offers
 * "← newest" (the first page; the browser's Back button steps back one page), while one reached by
 * {@code offset} keeps "← newer" by offset. Links carry the listing's filters, already URL-encoded.
 */
final class Pager {
    private Pager() {}

    /** The link back: to the first page from a cursor page, one page back from an offset page, none on the first. */
    static void newer(StringBuilder b, String path, String filters, int limit, int offset, String after) {
        if (after != null) {
            link(b, path + "?limit=" + limit + filters, "← newest");
            b.append(' ');
        } else if (offset > 0) {
            link(b, path + "?offset=" + Math.max(0, offset - limit) + "&limit=" + limit + filters, "← newer");
            b.append(' ');
        }
    }

    /** Which rows are shown: their positions when paged by offset; after which id when paged by cursor. */
    static void shown(StringBuilder b, int offset, String after, int count) {
        b.append("<span>");
        if (after == null) {
            b.append(offset + (count == 0 ? 0 : 1)).append('–').append(offset + count);
        } else {
            b.append(count)
                    .append(" older than <code title=\"")
                    .append(Html.esc(after))
                    .append("\">")
                    .append(Html.esc(after.substring(0, 13)))
                    .append("…</code>");
        }
        b.append("</span>");
    }

    /** The link on, by cursor; none on the last page ({@code next} null). */
    static void older(StringBuilder b, String path, String filters, int limit, String next) {
        if (next == null) return;
        b.append(' ');
        link(b, path + "?after=" + Html.url(next) + "&limit=" + limit + filters, "older →");
    }

    private static void link(StringBuilder b, String href, String label) {
        b.append("<a href=\"")
                .append(Html.esc(href))
                .append("\">")
                .append(label)
                .append("</a>");
    }
}
