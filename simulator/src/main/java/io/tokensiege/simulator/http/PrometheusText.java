package io.tokensiege.simulator.http;

import java.math.BigDecimal;

/** Writes the Prometheus text exposition format (version 0.0.4): HELP and TYPE lines, then samples. */
final class PrometheusText {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4";

    private final StringBuilder out = new StringBuilder();
    private final String labels;

    /** {@code labels} are added to every sample, e.g. {@code model_name="x"}; empty for none. */
    PrometheusText(String labels) {
        this.labels = labels;
    }

    PrometheusText counter(String name, String help, double value) {
        return header(name, help, "counter").sample(name, "", value);
    }

    PrometheusText gauge(String name, String help, double value) {
        return header(name, help, "gauge").sample(name, "", value);
    }

    /** An info-style gauge: value 1, the facts in its labels. */
    PrometheusText info(String name, String help, String infoLabels) {
        return header(name, help, "gauge").sample(name, infoLabels, 1);
    }

    PrometheusText histogram(String name, String help, double[] bounds, long[] cumulativeCounts, double sum, long count) {
        header(name, help, "histogram");
        for (int b = 0; b < bounds.length; b++) sample(name + "_bucket", "le=\"" + number(bounds[b]) + "\"", cumulativeCounts[b]);
        sample(name + "_bucket", "le=\"+Inf\"", count);
        sample(name + "_sum", "", sum);
        return sample(name + "_count", "", count);
    }

    private PrometheusText header(String name, String help, String type) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        return this;
    }

    private PrometheusText sample(String name, String extraLabels, double value) {
        out.append(name);
        String all = labels.isEmpty() ? extraLabels : extraLabels.isEmpty() ? labels : extraLabels + "," + labels;
        if (!all.isEmpty()) out.append('{').append(all).append('}');
        out.append(' ').append(number(value)).append('\n');
        return this;
    }

    /** Full precision without exponents: sums must add up exactly to what was served. */
    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return BigDecimal.valueOf(v).toPlainString();
    }

    static String label(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
