package dev.streambard.ingest;

import java.util.List;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.JmxReporter;
import org.apache.kafka.common.metrics.KafkaMetricsContext;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
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

    private Sensor counter(String name, String doc) {
        Sensor s = metrics.sensor(name);
        s.add(metrics.metricName(name, GROUP, doc), new CumulativeSum());
        return s;
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
