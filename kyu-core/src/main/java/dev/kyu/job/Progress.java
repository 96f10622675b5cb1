package dev.kyu.job;

/**
 * How far a running job has come, as its task last reported it ({@code ctx.progress(0.42, "resized 42 of 100")}).
 *
 * @param fraction done so far, from 0 to 1
 * @param message  a short note for people, or null; at most {@link #MAX_MESSAGE} characters are kept
 */
public record Progress(double fraction, String message) {
    /** The longest message kept; a longer one is cut, so a chatty task cannot bloat every job row. */
    public static final int MAX_MESSAGE = 500;

    public Progress {
        if (Double.isNaN(fraction) || fraction < 0 || fraction > 1) {
            throw new IllegalArgumentException("progress must be a number from 0 to 1, was " + fraction);
        }
        if (message != null && message.length() > MAX_MESSAGE) message = message.substring(0, MAX_MESSAGE);
    }

    /** A stored progress read back leniently: null when there is none or it is out of range (a hand-edited row). */
    public static Progress stored(Double fraction, String message) {
        if (fraction == null || Double.isNaN(fraction) || fraction < 0 || fraction > 1) return null;
        return new Progress(fraction, message);
    }

    /** The fraction as a whole percentage, rounded down, for display. */
    public int percent() {
        return (int) Math.floor(fraction * 100);
    }
}
