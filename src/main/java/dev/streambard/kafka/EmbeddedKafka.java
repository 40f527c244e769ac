package dev.streambard.kafka;

import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaConfig$;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node Kafka broker in this JVM: KRaft, combined broker and controller, listening on
 * 127.0.0.1 only. It is what {@code serve} starts when no bootstrap servers are given, and what the
 * integration tests run against.
 *
 * <p>Internal topics use replication factor 1 and min ISR 1, so transactions (Kafka Streams'
 * exactly-once) work on the one node. Topics are never created implicitly: see {@link TopicAdmin}.
 * The data folder is formatted on first use and reused afterwards, so records survive a restart.
 *
 * <p>kafka_2.13 publishes kafka-server, kafka-metadata and the other broker modules at runtime scope, so
 * this class uses only the entry points of kafka_2.13 itself: the storage tool's {@code format} command
 * and the Scala {@code KafkaConfig} object, whose types compile without those modules.
 */
public final class EmbeddedKafka implements AutoCloseable {
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    static final int NODE_ID = 1;
    private static final String HOST = "127.0.0.1";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    // Fixed rather than Kafka's 50: fewer partitions start faster on one node, and the count must not
    // change between restarts because group and transaction ids hash onto it.
    private static final int INTERNAL_TOPIC_PARTITIONS = 5;
    private static final int START_ATTEMPTS = 3;
    private static final String META_PROPERTIES = "meta.properties";

    private final KafkaRaftServer server;
    private final Path dataDir;
    private final int port;
    private boolean closed;

    private EmbeddedKafka(KafkaRaftServer server, Path dataDir, int port) {
        this.server = server;
        this.dataDir = dataDir;
        this.port = port;
    }

    /** {@link #start(Path, int, Duration)} with {@link #START_TIMEOUT}. */
    public static EmbeddedKafka start(Path dataDir, int port) {
        return start(dataDir, port, START_TIMEOUT);
    }

    /**
     * Formats {@code dataDir} unless it already holds a broker's data, starts the broker and returns once
     * it accepts requests.
     *
     * @param port the client port on 127.0.0.1, or 0 for a free one (see {@link #bootstrapServers()})
     * @throws KafkaSetupException when the folder or port cannot be used, or the broker is not ready within {@code timeout}
     */
    public static EmbeddedKafka start(Path dataDir, int port, Duration timeout) {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(timeout, "timeout");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535, was " + port);
        Path dir = dataDir.toAbsolutePath().normalize();
        if (port != 0 && !isFree(port)) {
            throw new KafkaSetupException(HOST + ":" + port + " is already in use: stop what listens there, or choose another port");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        formatIfNew(dir);
        for (int attempt = 1; ; attempt++) {
            // The controller port is always ours to pick; between picking and binding another process may
            // take it (or the client port when that was 0 too), hence the retry on bind failures only.
            int clientPort = port != 0 ? port : freePort();
            int controllerPort = freePort();
            try {
                return startOnce(dir, clientPort, controllerPort, deadline, timeout);
            } catch (KafkaSetupException e) {
                if (attempt >= START_ATTEMPTS || !causedByBind(e) || (port != 0 && !isFree(port))) throw e;
            }
        }
    }

    /** {@code 127.0.0.1:port}, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Stops the broker and waits until its ports and files are released; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        server.shutdown();
        server.awaitShutdown();
    }

    static Properties brokerProperties(Path dir, int clientPort, int controllerPort, Duration timeout) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        // A static one-voter quorum: the controller's address lives in this config, not in the metadata
        // log, so a restart may pick another controller port.
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + clientPort + "," + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + clientPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", dir.toString());

        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", String.valueOf(INTERNAL_TOPIC_PARTITIONS));
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", String.valueOf(INTERNAL_TOPIC_PARTITIONS));
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");

        // Sized for a laptop: the log cleaner's dedupe buffer is 128 MiB by default, and a 2-core
        // machine gains nothing from Kafka's 8 request handler threads.
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
        p.put("num.io.threads", "2");
        p.put("num.network.threads", "2");
        p.put("server.max.startup.time.ms", String.valueOf(timeout.toMillis()));
        return p;
    }

    private static EmbeddedKafka startOnce(Path dir, int clientPort, int controllerPort, long deadline, Duration timeout) {
        KafkaRaftServer server;
        try {
            KafkaConfig config = KafkaConfig$.MODULE$.fromProps(brokerProperties(dir, clientPort, controllerPort, timeout), false);
            server = new KafkaRaftServer(config, Time.SYSTEM);
        } catch (RuntimeException e) {
            throw new KafkaSetupException("cannot start a Kafka broker on " + dir + ": " + e.getMessage(), e);
        }
        EmbeddedKafka kafka = new EmbeddedKafka(server, dir, clientPort);
        try {
            server.startup();
            awaitReady(kafka.bootstrapServers(), deadline, timeout);
            return kafka;
        } catch (RuntimeException e) {
            closeQuietly(kafka, e);
            if (e instanceof KafkaSetupException kse) throw kse;
            throw new KafkaSetupException("the Kafka broker on " + kafka.bootstrapServers() + " (data in " + dir
                    + ") failed to start: " + e.getMessage(), e);
        }
    }

    private static void formatIfNew(Path dir) {
        if (Files.exists(dir.resolve(META_PROPERTIES))) return;
        Path config = null;
        try {
            Files.createDirectories(dir);
            if (!isEmpty(dir)) {
                throw new KafkaSetupException(dir + " is not empty and holds no Kafka data (no " + META_PROPERTIES
                        + "): give the broker an empty folder or one it wrote before");
            }
            // Only the storage-related keys matter to the format command; the ports are placeholders.
            config = Files.createTempFile("streambard-kafka-format", ".properties");
            try (Writer w = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
                brokerProperties(dir, 9092, 9093, START_TIMEOUT).store(w, "streambard embedded Kafka, for formatting " + dir);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int status = StorageTool.execute(new String[] {"format", "--config", config.toString(),
                    "--cluster-id", Uuid.randomUuid().toString()}, new PrintStream(out, true, StandardCharsets.UTF_8));
            if (status != 0) {
                throw new KafkaSetupException("cannot format " + dir + " for Kafka: " + out.toString(StandardCharsets.UTF_8).strip());
            }
        } catch (KafkaSetupException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new KafkaSetupException("cannot format " + dir + " for Kafka: " + e.getMessage(), e);
        } finally {
            if (config != null) {
                try {
                    Files.deleteIfExists(config);
                } catch (IOException ignored) {
                    // a stray temporary file is harmless
                }
            }
        }
    }

    /** {@code startup()} returns before the broker has registered with its controller and been unfenced. */
    private static void awaitReady(String bootstrapServers, long deadline, Duration timeout) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "streambard-embedded-kafka-probe");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000);
        try (Admin admin = Admin.create(p)) {
            while (true) {
                try {
                    // Fenced brokers are left out of the answer, so one node means ready for clients.
                    Collection<Node> nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000))
                            .nodes().get(2, TimeUnit.SECONDS);
                    if (!nodes.isEmpty()) return;
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    // not ready yet
                }
                if (System.nanoTime() > deadline) {
                    throw new KafkaSetupException("the Kafka broker on " + bootstrapServers + " was not ready within "
                            + timeout.toSeconds() + " s");
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaSetupException("interrupted while waiting for the Kafka broker on " + bootstrapServers, e);
        }
    }

    private static void closeQuietly(EmbeddedKafka kafka, Exception failure) {
        try {
            kafka.close();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    private static boolean causedByBind(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) return true;
            if (t.getMessage() != null && t.getMessage().contains("failed to bind")) return true;
        }
        return false;
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByName(HOST); // a literal: no name lookup
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(loopback(), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new KafkaSetupException("no free port on " + HOST + ": " + e.getMessage(), e);
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(loopback(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
