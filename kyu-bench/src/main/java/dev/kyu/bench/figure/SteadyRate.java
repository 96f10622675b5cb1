package dev.kyu.bench.figure;

import java.util.Arrays;

/**
 * The rate at which jobs started, over the steady part of a run: the starts between the first start plus
 * {@code trim} and the last start minus {@code trim}, over that window's length. Trimming drops the burst a
 * rate limit allows at the top of a run and the workers' stragglers at its end. A run shorter than twice the
 * trim has no steady part: then the whole span counts, its n − 1 gaps over first to last.
 *
 * @param perSecond starts per second in the window
 * @param starts    starts counted in it
 * @param seconds   its length
 * @param trimmed   false when the run was too short to trim and the whole span was used
 */
public record SteadyRate(double perSecond, long starts, double seconds, boolean trimmed) {
    /** @param startsMicros start times in epoch microseconds, in any order (at least two) */
    public static SteadyRate of(long[] startsMicros, long trimMicros) {
        if (startsMicros.length < 2)
            throw new IllegalArgumentException("a rate needs at least two starts, had " + startsMicros.length);
        if (trimMicros < 0) throw new IllegalArgumentException("trim must not be negative, was " + trimMicros);
        long[] s = startsMicros.clone();
        Arrays.sort(s);
        long first = s[0], last = s[s.length - 1];
        long from = first + trimMicros, to = last - trimMicros;
        if (to <= from) {
            if (last == first)
                throw new IllegalArgumentException("all " + s.length + " starts are at the same microsecond: no rate");
            double seconds = (last - first) / 1e6;
            return new SteadyRate((s.length - 1) / seconds, s.length, seconds, false);
        }
        // Half-open [from, to): a window of length L at a steady rate r holds r·L starts, not r·L + 1.
        int lo = lowerBound(s, from), hi = lowerBound(s, to);
        double seconds = (to - from) / 1e6;
        return new SteadyRate((hi - lo) / seconds, hi - lo, seconds, true);
    }

    /** How far the rate lies from {@code limit}, in percent of it (negative: below). */
    public double deviationPercent(double limit) {
        return (perSecond - limit) / limit * 100.0;
    }

    /** The index of the first element at or above {@code v}. */
    private static int lowerBound(long[] sorted, long v) {
        int lo = 0, hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < v) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
