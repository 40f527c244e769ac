package dev.streambard.ingest;

import java.util.List;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.JmxReporter;
import org.apache.kafka.common.metrics.KafkaMetricsContext;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.common.metrics.stats.Value;
import org.apache.kafka.common.Metric;
import java.util.Map;
import org.apache.kafka.common.utils.Time;

/** The trainer's counters, in Kafka's metrics registry and over JMX (group {@code trainer}, domain {@code streambard}). */
public final class TrainerMetrics implements AutoCloseable {
    private static final String GROUP = "trainer";
    private final Metrics metrics = new Metrics(new MetricConfig(), List.of(new JmxReporter()), Time.SYSTEM,
            new KafkaMetricsContext("streambard"));
    private final Sensor rounds = counter("rounds-total", "Fine-tuning rounds finished.");
    private final Sensor promoted = counter("promoted-total", "Candidates promoted.");
    private final Sensor rejected = counter("rejected-total", "Candidates the gate rejected.");
    private final Sensor unknownChars = counter("unknown-chars-total", "Corpus characters outside the vocabulary (dropped or replaced).");
    private final Sensor badRecords = counter("bad-records-total", "Corpus records that did not decode and were skipped.");
    private final Sensor charsLearned = counter("chars-learned-total", "New-text characters learned into promoted versions.");
    private final Sensor trainingLoss = last("train-loss", "Mean training loss of the last round, nats per character.");
    private final Sensor baseLoss = last("base-heldout-loss", "Held-out base-corpus loss of the last candidate.");
    private final Sensor newTextLoss = last("new-heldout-loss", "Held-out new-text loss of the last candidate.");
    private final Sensor version = last("version", "The promoted version the trainer continues from (0: none yet).");

    private Sensor counter(String name, String doc) {
        Sensor s = metrics.sensor(name);
        s.add(metrics.metricName(name, GROUP, doc), new CumulativeSum());
        return s;
    }

    private Sensor last(String name, String doc) {
        Sensor s = metrics.sensor(name);
        s.add(metrics.metricName(name, GROUP, doc), new Value());
        return s;
    }

    void losses(double training, double base, double newText) {
        trainingLoss.record(training);
        baseLoss.record(base);
        newTextLoss.record(newText);
    }

    void version(long v) {
        version.record(v);
    }

    /** The trainer's own metrics (not the registry's bookkeeping), e.g. for a Prometheus endpoint. */
    public Map<MetricName, ? extends Metric> all() {
        Map<MetricName, Metric> out = new java.util.LinkedHashMap<>();
        metrics.metrics().forEach((n, m) -> {
            if (n.group().equals(GROUP)) out.put(n, m);
        });
        return out;
    }

    void round(boolean promotedNow) {
        rounds.record();
        (promotedNow ? promoted : rejected).record();
    }

    void unknownChars(long n) {
        if (n > 0) unknownChars.record(n);
    }

    void badRecord() {
        badRecords.record();
    }

    void learned(long chars) {
        charsLearned.record(chars);
    }

    /** A counter's current value, by the name it has in the registry (e.g. {@code rejected-total}). */
    public double value(String name) {
        MetricName m = metrics.metricName(name, GROUP);
        var metric = metrics.metric(m);
        if (metric == null) throw new IllegalArgumentException("no trainer metric " + name);
        return ((Number) metric.metricValue()).doubleValue();
    }

    @Override
    public void close() {
        metrics.close();
    }
}
