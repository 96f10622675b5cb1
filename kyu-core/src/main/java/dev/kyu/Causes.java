package dev.kyu;

/**
 * One line for a failure that a loop logs and rides out (a broker restart, a network cut): its message
 * and its causes' messages, with no stack frames. Logs promise one line per event; the full trace is
 * logged beside it at debug level.
 */
public final class Causes {
    private static final int MAX_DEPTH = 8;

    private Causes() {}

    /**
     * {@code message; caused by Type: message …}. A Kyu exception's message is shown without its type
     * (it is written for users); other types are named. A cause whose message the line already holds
     * adds nothing. Line breaks become spaces.
     */
    public static String oneLine(Throwable t) {
        var out = new StringBuilder();
        int depth = 0;
        for (Throwable c = t; c != null && depth < MAX_DEPTH; c = c.getCause() == c ? null : c.getCause(), depth++) {
            String m = c.getMessage();
            boolean kyu = c instanceof KyuException;
            if (depth > 0 && m != null && out.indexOf(m) >= 0) continue;
            if (depth > 0) out.append("; caused by ");
            if (!kyu || m == null) out.append(c.getClass().getName());
            if (m != null) out.append(kyu ? "" : ": ").append(m);
        }
        return out.toString().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
