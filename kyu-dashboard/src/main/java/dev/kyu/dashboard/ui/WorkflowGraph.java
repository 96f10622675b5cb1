package dev.kyu.dashboard.ui;

import dev.kyu.job.JobState;
import dev.kyu.workflow.WorkflowView;
import dev.kyu.workflow.WorkflowView.StepView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A workflow's steps drawn as server-rendered SVG, so the page needs no script: steps in columns by depth
 * (a step stands one column right of its deepest parent), boxes coloured by state through CSS classes, an
 * edge from each parent to its child, each box a link to its step's job. Every stored text is escaped.
 */
public final class WorkflowGraph {
    /** Past this many steps the drawing would say less than the table: none is drawn. */
    public static final int MAX_DRAWN = 300;

    private static final int W = 170, H = 42, COL_GAP = 56, ROW_GAP = 14, PAD = 10;

    private record Box(StepView step, int x, int y) {}

    private WorkflowGraph() {}

    /** The SVG, or a line saying why there is none. */
    public static String svg(WorkflowView w) {
        if (w.steps().isEmpty()) return "<p class=\"empty\">No steps: an empty workflow completes at once.</p>";
        if (w.steps().size() > MAX_DRAWN) {
            return "<p class=\"empty\">" + w.steps().size()
                    + " steps: too many to draw; the table below lists them.</p>";
        }
        Map<String, Box> boxes = place(w.steps());
        int width = 0, height = 0;
        for (Box b : boxes.values()) {
            width = Math.max(width, b.x + W + PAD);
            height = Math.max(height, b.y + H + PAD);
        }
        StringBuilder s = new StringBuilder(256 + 400 * boxes.size());
        s.append(
                        "<svg class=\"wf-graph\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"steps of the workflow\" width=\"")
                .append(width)
                .append("\" height=\"")
                .append(height)
                .append("\" viewBox=\"0 0 ")
                .append(width)
                .append(' ')
                .append(height)
                .append("\">")
                .append(
                        "<defs><marker id=\"wf-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">")
                .append("<path class=\"wf-arrow\" d=\"M0 0 L10 5 L0 10 z\"/></marker></defs>");
        for (Box child : boxes.values()) {
            for (String parent : child.step.after()) {
                Box p = boxes.get(parent);
                if (p != null) edge(s, p, child);
            }
        }
        for (Box b : boxes.values()) node(s, b);
        return s.append("</svg>").toString();
    }

    /** Columns by depth, in the order the steps come (topological), rows top to bottom within a column. */
    private static Map<String, Box> place(List<StepView> steps) {
        Map<String, Integer> depth = new HashMap<>();
        List<Integer> rowsInColumn = new ArrayList<>();
        Map<String, Box> boxes = new java.util.LinkedHashMap<>();
        for (StepView st : steps) {
            int d = 0;
            for (String p : st.after()) d = Math.max(d, depth.getOrDefault(p, -1) + 1);
            depth.put(st.name(), d);
            while (rowsInColumn.size() <= d) rowsInColumn.add(0);
            int row = rowsInColumn.get(d);
            rowsInColumn.set(d, row + 1);
            boxes.put(st.name(), new Box(st, PAD + d * (W + COL_GAP), PAD + row * (H + ROW_GAP)));
        }
        return boxes;
    }

    private static void edge(StringBuilder s, Box from, Box to) {
        int x1 = from.x + W, y1 = from.y + H / 2, x2 = to.x, y2 = to.y + H / 2, mid = (x1 + x2) / 2;
        s.append("<path class=\"wf-edge\" d=\"M")
                .append(x1)
                .append(' ')
                .append(y1)
                .append(" C")
                .append(mid)
                .append(' ')
                .append(y1)
                .append(' ')
                .append(mid)
                .append(' ')
                .append(y2)
                .append(' ')
                .append(x2)
                .append(' ')
                .append(y2)
                .append("\" marker-end=\"url(#wf-arrow)\"/>");
    }

    private static void node(StringBuilder s, Box b) {
        StepView st = b.step;
        JobState state = st.state();
        String label = state == null ? "GONE" : state.name();
        s.append("<a href=\"/jobs/")
                .append(Html.esc(st.id()))
                .append("\" class=\"wf-node wf-")
                .append(label.toLowerCase())
                .append("\">")
                .append("<title>")
                .append(Html.esc(st.name() + " · " + st.task() + " · " + label))
                .append("</title>")
                .append("<rect x=\"")
                .append(b.x)
                .append("\" y=\"")
                .append(b.y)
                .append("\" width=\"")
                .append(W)
                .append("\" height=\"")
                .append(H)
                .append("\" rx=\"6\"/>")
                .append("<text x=\"")
                .append(b.x + 8)
                .append("\" y=\"")
                .append(b.y + 17)
                .append("\" class=\"wf-name\">")
                .append(Html.esc(cut(st.name(), 22)))
                .append("</text>")
                .append("<text x=\"")
                .append(b.x + 8)
                .append("\" y=\"")
                .append(b.y + 33)
                .append("\" class=\"wf-state\">")
                .append(Html.esc(label
                        + (st.job() != null && st.job().attempt() > 1
                                ? " · attempt " + st.job().attempt()
                                : "")))
                .append("</text></a>");
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
