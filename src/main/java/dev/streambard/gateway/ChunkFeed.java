package dev.streambard.gateway;

import dev.streambard.kafka.Clients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's one consumer of the chunks topic: read_committed (a request's output complete, in order,
 * once), every partition, from the end as it was at start-up (older chunks are read back on demand, see
 * {@link ChunkHistory}), delivering to the {@link SessionHub} on its own thread.
 */
final class ChunkFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkFeed.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<TopicPartition> partitions;
    private final SessionHub hub;
    private final Thread thread;

    ChunkFeed(String bootstrapServers, String topic, GatewaySettings settings) {
        consumer = Clients.reader(bootstrapServers, topic, TIMEOUT);
        try {
            partitions = Clients.partitions(consumer, topic, TIMEOUT);
            consumer.seekToEnd(partitions);
            long[] positions = new long[partitions.size()];
            for (TopicPartition tp : partitions) positions[tp.partition()] = consumer.position(tp, TIMEOUT); // resolves the lazy seek now
            hub = new SessionHub(positions, settings.replayChunks(), settings.replaySessions(), ChunkEvent::json);
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
        thread = new Thread(this::run, "streambard-gateway-feed");
        thread.setDaemon(true);
        thread.start();
    }

    SessionHub hub() {
        return hub;
    }

    private void run() {
        try {
            while (true) {
                ConsumerRecords<String, byte[]> records;
                try {
                    records = consumer.poll(Duration.ofMillis(200));
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) { // the consumer retries on its own; keep the feed alive and say why it paused
                    LOG.warn("reading the chunks topic failed, retrying: {}", e.toString());
                    Thread.sleep(1000);
                    continue;
                }
                for (TopicPartition tp : partitions) {
                    List<SessionHub.Chunk> chunks = new ArrayList<>();
                    for (ConsumerRecord<String, byte[]> r : records.records(tp)) chunks.add(new SessionHub.Chunk(r.key(), r.offset(), r.value()));
                    // The position moves past transaction markers too, with or without records.
                    hub.deliver(tp.partition(), chunks, consumer.position(tp));
                }
            }
        } catch (WakeupException | InterruptedException e) {
            // closing
        }
    }

    @Override
    public void close() {
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close();
    }
}
