package dev.streambard.gateway;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/** Prometheus' text exposition format (version 0.0.4): one HELP and TYPE line per family, then its samples. */
final class PrometheusText {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    record Sample(Map<String, String> labels, double value) {
    }

    private final StringBuilder out = new StringBuilder();
    private final Set<String> families = new HashSet<>();

    PrometheusText gauge(String name, String help, double value) {
        return family(name, "gauge", help, List.of(new Sample(Map.of(), value)));
    }

    PrometheusText counter(String name, String help, double value) {
        return family(name, "counter", help, List.of(new Sample(Map.of(), value)));
    }

    PrometheusText family(String name, String type, String help, List<Sample> samples) {
        if (!families.add(name)) throw new IllegalStateException("metric family " + name + " written twice");
        out.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        for (Sample s : samples) {
            out.append(name);
            if (!s.labels().isEmpty()) {
                out.append('{');
                String sep = "";
                for (Map.Entry<String, String> l : s.labels().entrySet()) {
                    out.append(sep).append(l.getKey()).append("=\"")
                            .append(l.getValue().replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"');
                    sep = ",";
                }
                out.append('}');
            }
            out.append(' ').append(number(s.value())).append('\n');
        }
        return this;
    }

    /** A histogram family: cumulative {@code _bucket} samples by upper bound {@code le}, then {@code _sum} and {@code _count}. */
    PrometheusText histogram(String name, String help, dev.streambard.stream.Histogram h) {
        if (!families.add(name)) throw new IllegalStateException("metric family " + name + " written twice");
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" histogram\n");
        double[] bounds = h.bounds();
        long[] counts = h.cumulativeCounts();
        for (int i = 0; i < counts.length; i++) {
            String le = i < bounds.length ? number(bounds[i]) : "+Inf";
            out.append(name).append("_bucket{le=\"").append(le).append("\"} ").append(counts[i]).append('\n');
        }
        out.append(name).append("_sum ").append(number(h.sum())).append('\n');
        out.append(name).append("_count ").append(counts[counts.length - 1]).append('\n');
        return this;
    }

    /**
     * Every numeric Kafka metric as {@code prefix + group_name}, sanitised, labelled by its tags: a family per
     * name, a counter when the name ends in {@code _total} (Kafka's cumulative ones), a gauge otherwise.
     */
    PrometheusText kafka(String prefix, Map<MetricName, ? extends Metric> metrics) {
        Map<String, List<Sample>> byName = new TreeMap<>();
        Map<String, String> help = new TreeMap<>();
        metrics.forEach((name, metric) -> {
            if (!(metric.metricValue() instanceof Number value)) return;
            String family = prefix + sanitise(name.group() + "_" + name.name());
            Map<String, String> labels = new LinkedHashMap<>();
            new TreeMap<>(name.tags()).forEach((k, v) -> labels.put(sanitise(k), v));
            byName.computeIfAbsent(family, k -> new ArrayList<>()).add(new Sample(labels, value.doubleValue()));
            help.putIfAbsent(family, name.description() == null || name.description().isBlank() ? name.name() : name.description());
        });
        byName.forEach((family, samples) -> family(family, family.endsWith("_total") ? "counter" : "gauge", help.get(family), samples));
        return this;
    }

    /** The sum over every metric named {@code name} in {@code group} (one per thread or task), 0 when there is none. */
    static double sum(Map<MetricName, ? extends Metric> metrics, String group, String name) {
        double total = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            if (e.getKey().group().equals(group) && e.getKey().name().equals(name) && e.getValue().metricValue() instanceof Number n
                    && Double.isFinite(n.doubleValue())) {
                total += n.doubleValue();
            }
        }
        return total;
    }

    /** Metric and label names may hold letters, digits and underscores, and must not start with a digit. */
    static String sanitise(String name) {
        String s = name.replaceAll("[^A-Za-z0-9_]", "_");
        return s.isEmpty() || Character.isDigit(s.charAt(0)) ? "_" + s : s;
    }

    private static String number(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (Double.isInfinite(v)) return v > 0 ? "+Inf" : "-Inf";
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return Double.toString(v);
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
