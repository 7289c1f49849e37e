package io.tokensiege.coordinator.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code tokensiege report --metric}: one row per step with n, p50, p90, p99, p99.9 and max in the metric's unit, padded so
 * the columns line up in a terminal and read as Markdown.
 */
public final class MetricTable {
    /** {@code summary} null: the step recorded no value of the metric; {@code note} is shown after the label (e.g. partial). */
    public record Row(String label, PercentileSummary summary, String note) {}

    private MetricTable() {}

    public static String render(List<Row> rows, String unit) {
        List<List<String>> lines = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("step", "n"));
        header.addAll(List.of(PercentileSummary.NAMES));
        header.add("max");
        lines.add(header);
        for (Row r : rows) {
            List<String> cells = new ArrayList<>();
            cells.add(r.label() + (r.note() == null ? "" : " " + r.note()));
            if (r.summary() == null || r.summary().count() == 0) {
                cells.add("0");
                for (int i = 0; i <= PercentileSummary.NAMES.length; i++) cells.add("—");
            } else {
                cells.add(String.format(Locale.ROOT, "%,d", r.summary().count()));
                for (double v : r.summary().values()) cells.add(PercentileSummary.format(v, unit));
                cells.add(PercentileSummary.format(r.summary().max(), unit));
            }
            lines.add(cells);
        }
        int[] width = new int[header.size()];
        for (List<String> l : lines) for (int i = 0; i < l.size(); i++) width[i] = Math.max(width[i], l.get(i).length());
        StringBuilder sb = new StringBuilder();
        for (int row = 0; row < lines.size(); row++) {
            line(sb, lines.get(row), width);
            if (row == 0) {
                List<String> dashes = new ArrayList<>();
                for (int w : width) dashes.add("-".repeat(w));
                line(sb, dashes, width);
            }
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> cells, int[] width) {
        sb.append('|');
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            String pad = " ".repeat(Math.max(0, width[i] - c.length()));
            sb.append(' ').append(i == 0 ? c + pad : pad + c).append(" |");
        }
        sb.append('\n');
    }
}
