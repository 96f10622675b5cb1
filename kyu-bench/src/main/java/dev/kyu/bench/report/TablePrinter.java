package dev.kyu.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Prints figures as a plain-text table, one row per figure, columns aligned. */
public final class TablePrinter {
    private TablePrinter() {}

    public static String render(List<Figure> figures) {
        var rows = new ArrayList<String[]>();
        rows.add(new String[] {"broker", "figure", "median", "min", "max", "unit", "runs", "jobs", "conc.", "note"});
        for (Figure f : figures) {
            rows.add(new String[] {
                f.broker(),
                f.figure(),
                num(f.median()),
                num(f.min()),
                num(f.max()),
                f.unit(),
                String.valueOf(f.runs().size()),
                String.valueOf(f.jobs()),
                f.concurrency() == 0 ? "-" : String.valueOf(f.concurrency()),
                f.note() == null ? "" : f.note()
            });
        }
        int cols = rows.get(0).length;
        int[] width = new int[cols];
        for (String[] r : rows) for (int i = 0; i < cols; i++) width[i] = Math.max(width[i], r[i].length());
        var sb = new StringBuilder();
        for (int k = 0; k < rows.size(); k++) {
            String[] r = rows.get(k);
            var line = new StringBuilder();
            for (int i = 0; i < cols; i++) {
                boolean numeric = i >= 2 && i <= 4;
                String cell = numeric ? pad(r[i], width[i], true) : pad(r[i], width[i], false);
                line.append(cell).append(i == cols - 1 ? "" : "  ");
            }
            sb.append(line.toString().stripTrailing()).append('\n');
            if (k == 0)
                sb.append("-".repeat(line.toString().stripTrailing().length())).append('\n');
        }
        return sb.toString();
    }

    /** Large throughputs without decimals, small times with enough to see sub-millisecond values. */
    static String num(double v) {
        double a = Math.abs(v);
        if (a >= 1000) return String.format(Locale.ROOT, "%,.0f", v);
        if (a >= 100) return String.format(Locale.ROOT, "%.1f", v);
        if (a >= 1) return String.format(Locale.ROOT, "%.2f", v);
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String pad(String s, int w, boolean right) {
        if (s.length() >= w) return s;
        String fill = " ".repeat(w - s.length());
        return right ? fill + s : s + fill;
    }

    static List<String> lines(List<Figure> figures) {
        return List.of(render(figures).split("\n"));
    }
}
