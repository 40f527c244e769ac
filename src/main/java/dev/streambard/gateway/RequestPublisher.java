package dev.streambard.gateway;

import dev.streambard.contract.Contracts;
import dev.streambard.contract.GenerationRequest;
import dev.streambard.kafka.Clients;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/** Publishes generation requests to the requests topic, keyed by session, Avro-encoded, and waits for the broker's ack. */
public final class RequestPublisher implements AutoCloseable {
    private static final long ACK_TIMEOUT_S = 15;

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;

    public RequestPublisher(String bootstrapServers, String topic) {
        // Fail a publish within the ack timeout instead of Kafka's default of two minutes when the broker is away.
        this.producer = Clients.producer(bootstrapServers, Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, ACK_TIMEOUT_S * 1000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) ACK_TIMEOUT_S * 1000, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000));
        this.topic = topic;
    }

    /** Publishes the requests in order (one session: one partition, so the service sees them in this order). */
    public void publish(List<GenerationRequest> requests) {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        try {
            for (GenerationRequest r : requests) {
                acks.add(producer.send(new ProducerRecord<>(topic, r.getSessionId(), Contracts.GENERATION_REQUEST.encode(r))));
            }
            for (Future<RecordMetadata> ack : acks) ack.get(ACK_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            throw new PublishException("could not publish to " + topic + ": " + (e.getCause() != null ? e.getCause() : e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException("interrupted while publishing to " + topic, e);
        }
    }

    /** A cancel for {@code session}: ends its running request (CANCELLED) and drops its queued ones. */
    public static GenerationRequest cancel(String session, String requestId) {
        return GenerationRequest.newBuilder().setRequestId(requestId).setSessionId(session).setCancel(true).build();
    }

    @Override
    public void close() {
        producer.close();
    }

    /** The broker did not take the request in time. */
    public static final class PublishException extends RuntimeException {
        PublishException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
