package dev.streambard.bench;

import dev.streambard.contract.Contracts;
import dev.streambard.contract.GenerationChunk;
import dev.streambard.contract.GenerationRequest;
import dev.streambard.kafka.EmbeddedKafka;
import dev.streambard.stream.GenerationService;
import dev.streambard.stream.ServiceConfig;
import dev.streambard.stream.ServingModel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The service end to end on an embedded broker: N sessions generating at once (characters/s through
 * the output topic, read as a read-committed consumer sees them), and time to the first character of a
 * new request while they run. One partition, so all sessions share one batch.
 */
public final class ServiceBenchmark {
    /**
     * @param emitP50Ms from sending a probe to the service stamping its first chunk (the chunk record's timestamp:
     *                  the wall clock when the punctuation that generated it started, in whole milliseconds)
     * @param cores         cores each kind of thread used during the throughput window ({@link ThreadCpu#coresSince})
     * @param streamThread  where the stream thread's time went at the end of that window: Kafka Streams' own
     *                      poll, process, punctuate and commit ratios (the engine runs in punctuate), and the
     *                      output producer's records per request and requests per second
     */
    public record Result(String guarantee, int sessions, double charsPerSecond, double ttfcP50Ms, double ttfcP99Ms,
                         double emitP50Ms, double emitP99Ms, int probes, int storedSessions, long rssBytes, double warmupSeconds,
                         Map<String, Double> cores, Map<String, Double> streamThread) {
    }

    private ServiceBenchmark() {
    }

    /**
     * @param storedSessions after the timed part, this many more sessions each generate one character, and
     *                       the process's resident memory is read with all of them stored
     * @param overrides      service settings for this run (ServiceConfig keys), applied last
     * @param warmup         generating before the timed part, after 5 s to let everyone join; zero: until the JIT settles
     */
    public static Result run(ServingModel model, Path workDir, String guarantee, int sessions, Duration window, int probes,
                             int storedSessions, int chunkChars, Map<String, String> overrides, Duration warmup) {
        try (EmbeddedKafka broker = EmbeddedKafka.start(workDir.resolve("kafka"), 0)) {
            Map<String, Object> settings = new HashMap<>();
            settings.put(ServiceConfig.STATE_DIR, workDir.resolve("state").toString());
            settings.put(ServiceConfig.GUARANTEE, guarantee);
            settings.put(ServiceConfig.PARTITIONS, 1);
            settings.put(ServiceConfig.MAX_CHARS, 1_000_000);
            settings.put(ServiceConfig.CHUNK_CHARS, chunkChars);
            settings.putAll(overrides);
            ServiceConfig config = new ServiceConfig(settings);
            try (GenerationService service = GenerationService.start(config, broker.bootstrapServers(), model, Duration.ofMinutes(2));
                 KafkaProducer<String, byte[]> producer = producer(broker.bootstrapServers());
                 KafkaConsumer<String, byte[]> consumer = consumer(broker.bootstrapServers(), config.topics().chunks())) {
                String seed = model.vocabulary().decode(new int[]{1, 2, 3, 4, 5});
                for (int s = 0; s < sessions; s++) {
                    send(producer, config, request("load-" + s, "load-" + s, seed, 1_000_000));
                }
                // Warm-up: everyone joins the batch, and the JIT compiles the broker's, the clients' and the service's
                // hot code. On 2 cores the compiler took 0.5–0.9 of a core for the first minute (measured per thread
                // in /proc), so a fixed 5 s warm-up measured the compiler as much as the service.
                drain(consumer, Duration.ofSeconds(5));
                long warmStart = System.nanoTime();
                if (warmup.isZero()) waitForQuietCompiler(consumer, Duration.ofMinutes(3));
                else drain(consumer, warmup);
                double warmupSeconds = 5 + (System.nanoTime() - warmStart) / 1e9;
                long chars = 0;
                ThreadCpu cpuBefore = ThreadCpu.snapshot();
                long start = System.nanoTime();
                long end = start + window.toNanos();
                while (System.nanoTime() < end) chars += countChars(consumer.poll(Duration.ofMillis(100)));
                double rate = chars / ((System.nanoTime() - start) / 1e9);
                Map<String, Double> cores = ThreadCpu.snapshot().coresSince(cpuBefore);
                Map<String, Double> streamThread = streamThreadRatios(service);

                double[] ttfc = new double[probes];
                double[] emit = new double[probes];
                for (int p = 0; p < probes; p++) {
                    String id = "probe-" + p;
                    long sentMs = System.currentTimeMillis();
                    long sent = System.nanoTime();
                    send(producer, config, request(id, id, seed, 1));
                    ConsumerRecord<String, byte[]> first = waitForFirstChunk(consumer, id, sent);
                    ttfc[p] = (System.nanoTime() - sent) / 1e6;
                    emit[p] = first.timestamp() - sentMs;
                }
                Arrays.sort(ttfc);
                Arrays.sort(emit);
                for (int s = 0; s < sessions; s++) { // the load sessions end; their state stays stored
                    send(producer, config, GenerationRequest.newBuilder().setRequestId("stop-" + s).setSessionId("load-" + s)
                            .setCancel(true).build());
                }
                long rss = storedSessions > 0 ? storeSessions(producer, consumer, config, seed, storedSessions) : 0;
                int p99 = (int) Math.ceil(probes * 0.99) - 1;
                return new Result(guarantee, sessions, rate, ttfc[probes / 2], ttfc[p99], emit[probes / 2], emit[p99], probes,
                        storedSessions, rss, warmupSeconds, cores, streamThread);
            }
        }
    }

    /**
     * Kafka Streams' share of the stream thread's time per activity (averaged over its recent samples), and
     * how the output is produced: records per produce request and produce requests per second (its producer's
     * own metrics; fewer, larger requests cost the broker less).
     */
    private static Map<String, Double> streamThreadRatios(GenerationService service) {
        Map<String, Double> ratios = new java.util.LinkedHashMap<>();
        for (String activity : new String[]{"poll", "process", "punctuate", "commit"}) {
            ratios.put(activity, metric(service, "stream-thread-metrics", activity + "-ratio"));
        }
        ratios.put("records_per_produce_request", metric(service, "producer-metrics", "records-per-request-avg"));
        ratios.put("produce_requests_per_s", metric(service, "producer-metrics", "request-rate"));
        return ratios;
    }

    /** The sum of a metric over the service's clients (one stream thread, one producer here); 0 when absent. */
    private static double metric(GenerationService service, String group, String name) {
        double sum = 0;
        for (var e : service.metrics().entrySet()) {
            if (e.getKey().group().equals(group) && e.getKey().name().equals(name)
                    && e.getValue().metricValue() instanceof Double d && !d.isNaN()) {
                sum += d;
            }
        }
        return sum;
    }

    /** Creates {@code n} one-character sessions, waits until all are done, and returns the process's RSS. */
    private static long storeSessions(KafkaProducer<String, byte[]> producer, KafkaConsumer<String, byte[]> consumer,
                                      ServiceConfig config, String seed, int n) {
        for (int i = 0; i < n; i++) {
            GenerationRequest r = request("stored-" + i, "stored-" + i, seed, 1);
            producer.send(new ProducerRecord<>(config.topics().requests(), r.getSessionId(), Contracts.GENERATION_REQUEST.encode(r)));
        }
        producer.flush();
        java.util.Set<String> done = new java.util.HashSet<>();
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (done.size() < n && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.key().startsWith("stored-") && Contracts.GENERATION_CHUNK.decode(r.value()).getDone()) done.add(r.key());
            }
        }
        if (done.size() < n) throw new IllegalStateException("only " + done.size() + " of " + n + " sessions finished");
        return residentBytes();
    }

    static long residentBytes() {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux: report 0
        }
        return 0;
    }

    private static ConsumerRecord<String, byte[]> waitForFirstChunk(KafkaConsumer<String, byte[]> consumer, String requestId, long sentNanos) {
        long deadline = sentNanos + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(1))) {
                if (r.key().equals(requestId)) return r;
            }
        }
        throw new IllegalStateException("no chunk for " + requestId + " within 30 s");
    }

    private static long countChars(Iterable<ConsumerRecord<String, byte[]>> records) {
        long n = 0;
        for (ConsumerRecord<String, byte[]> r : records) {
            GenerationChunk c = Contracts.GENERATION_CHUNK.decode(r.value());
            n += c.getText().codePointCount(0, c.getText().length());
        }
        return n;
    }

    /**
     * Keeps consuming until the JIT compiled for less than 5% of the time in two 3 s windows in a row (or
     * {@code max} passed). One quiet window was not enough: in some runs C2 then took a quarter to a third
     * of a core through the measurement (reported as {@code cpu_cores.jit}).
     */
    private static void waitForQuietCompiler(KafkaConsumer<String, byte[]> consumer, Duration max) {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            drain(consumer, Duration.ofSeconds(30));
            return;
        }
        long end = System.nanoTime() + max.toNanos();
        int quiet = 0;
        while (System.nanoTime() < end) {
            long before = jit.getTotalCompilationTime();
            drain(consumer, Duration.ofSeconds(3));
            quiet = jit.getTotalCompilationTime() - before < 150 ? quiet + 1 : 0; // ms of compiling in 3 s
            if (quiet == 2) return;
        }
    }

    private static void drain(KafkaConsumer<String, byte[]> consumer, Duration d) {
        long end = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < end) consumer.poll(Duration.ofMillis(100));
    }

    private static GenerationRequest request(String id, String session, String seed, int chars) {
        return GenerationRequest.newBuilder().setRequestId(id).setSessionId(session).setSeedText(seed)
                .setMaxChars(chars).setRngSeed(1L).build();
    }

    private static void send(KafkaProducer<String, byte[]> producer, ServiceConfig config, GenerationRequest r) {
        producer.send(new ProducerRecord<>(config.topics().requests(), r.getSessionId(), Contracts.GENERATION_REQUEST.encode(r)));
        producer.flush();
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<String, byte[]> consumer(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5); // low enough for latency, not a busy loop in the broker
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = new ArrayList<>();
        c.partitionsFor(topic).forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
        c.assign(parts);
        return c;
    }
}
