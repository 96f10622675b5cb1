package dev.kyu.dashboard.http;

import dev.kyu.KyuException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place that knows the dashboard may live under a path ({@code /kyu}) rather than at a server's
 * root. Pages, redirects and scripts are written as if the dashboard were at {@code /}; on the way out the
 * {@link Router} moves every local URL under the base here:
 * <ul>
 *   <li>in HTML, each {@code href}, {@code src}, {@code action} and {@code formaction} attribute whose value
 *       starts with one {@code /}, and {@code <body>} gets {@code data-base}, from which the script builds
 *       the URLs it fetches;</li>
 *   <li>a {@code Location} header that starts with {@code /};</li>
 *   <li>the CSRF cookie's {@code Path}.</li>
 * </ul>
 * So a new page in the same style works under a base without a change of its own.
 */
public final class BasePath {
    private static final Pattern URL_ATTRIBUTE =
            Pattern.compile("(?i)(\\s(?:href|src|action|formaction)\\s*=\\s*)([\"'])/(?![/\\\\])");
    private static final Pattern BODY = Pattern.compile("(?i)<body(?=[\\s>])");
    private static final Pattern ALLOWED = Pattern.compile("(/[A-Za-z0-9._~-]+)+");

    private BasePath() {}

    /**
     * A base path as configured: null, blank or {@code /} is the root ({@code ""}); otherwise segments of
     * letters, digits and {@code . _ ~ -}, one trailing slash allowed. Anything else is refused in one line.
     */
    public static String normalize(String path) {
        if (path == null || path.isBlank() || path.equals("/")) return "";
        String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        if (!ALLOWED.matcher(p).matches() || p.matches(".*/\\.{1,2}(/.*)?")) {
            throw new KyuException.InvalidInput("bad dashboard base path '" + dev.kyu.codec.Printable.line(path)
                    + "': use a path such as /kyu (segments of letters, digits and . _ ~ -)");
        }
        return p;
    }

    /** The part of {@code path} below {@code base}, starting with {@code /}; null when the path is not under it. */
    public static String below(String base, String path) {
        if (path == null || path.isEmpty()) path = "/";
        if (base.isEmpty()) return path;
        if (path.equals(base)) return "/";
        return path.startsWith(base + "/") ? path.substring(base.length()) : null;
    }

    /** A Location (or any dashboard URL) for the browser: local paths move under the base. */
    public static String url(String base, String location) {
        return location.startsWith("/") && !location.startsWith("//") ? base + location : location;
    }

    /** The Path of cookies the dashboard sets: its base, so they go to no other page of a shared server. */
    public static String cookiePath(String base) {
        return base.isEmpty() ? "/" : base;
    }

    /** The page with its local URLs under the base, and the base on {@code <body data-base>} for the script. */
    public static String rewrite(String html, String base) {
        if (base.isEmpty()) return html;
        String r = URL_ATTRIBUTE
                .matcher(html)
                .replaceAll(m -> Matcher.quoteReplacement(m.group(1) + m.group(2) + base + "/"));
        return BODY.matcher(r).replaceFirst(Matcher.quoteReplacement("<body data-base=\"" + escape(base) + "\""));
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;")
                .replace("\"", "&quot;")
                .replace("<", "&lt;")
                .replace(">", "&gt;");
    }
}
