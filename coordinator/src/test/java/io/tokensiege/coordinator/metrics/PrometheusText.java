package io.tokensiege.coordinator.metrics;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.hawkular.agent.prometheus.text.TextPrometheusMetricDataParser;
import org.hawkular.agent.prometheus.types.Metric;
import org.hawkular.agent.prometheus.types.MetricFamily;

/** A /metrics body read by an independent Prometheus text-format parser, as a scraper reads it. */
final class PrometheusText {
    final Map<String, MetricFamily> families = new LinkedHashMap<>();

    PrometheusText(String exposition) throws IOException {
        TextPrometheusMetricDataParser parser = new TextPrometheusMetricDataParser(new ByteArrayInputStream(exposition.getBytes(StandardCharsets.UTF_8)));
        for (MetricFamily f = parser.parse(); f != null; f = parser.parse()) families.put(f.getName(), f);
    }

    /** The sample of family {@code name} whose labels include {@code labels} (name, value, ...), or null. */
    Metric sample(String name, String... labels) {
        MetricFamily f = families.get(name);
        if (f == null) return null;
        for (Metric m : f.getMetrics()) {
            boolean all = true;
            for (int i = 0; i < labels.length; i += 2) all &= labels[i + 1].equals(m.getLabels().get(labels[i]));
            if (all) return m;
        }
        return null;
    }
}
