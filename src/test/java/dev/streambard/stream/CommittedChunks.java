package dev.streambard.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streambard.contract.Contracts;
import dev.streambard.contract.GenerationChunk;
import dev.streambard.contract.GenerationRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * What a downstream reader of the chunks topic sees: read_committed, no consumer group, every
 * partition from the beginning. Chunks are decoded as they arrive (tens of thousands in the process
 * tests), and kept in the order read, which is each request's order: its chunks share a key.
 */
final class CommittedChunks implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final List<GenerationChunk> chunks = new ArrayList<>();
    private final Map<String, Integer> chars = new HashMap<>();
    private final Set<String> done = new HashSet<>();

    CommittedChunks(String bootstrapServers, String topic) {
        consumer = ServiceTestSupport.committedReader(bootstrapServers, topic);
    }

    /** Reads until {@code condition} holds or {@code timeout} passes; returns whether it holds. */
    boolean readUntil(Predicate<CommittedChunks> condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.test(this)) {
            if (System.nanoTime() > deadline) return false;
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                GenerationChunk c = Contracts.GENERATION_CHUNK.decode(r.value());
                chunks.add(c);
                chars.merge(c.getRequestId(), c.getText().codePointCount(0, c.getText().length()), Integer::sum);
                if (c.getDone()) done.add(c.getRequestId());
            }
        }
        return true;
    }

    /** Characters read so far for a request (counting any duplicates). */
    int chars(String requestId) {
        return chars.getOrDefault(requestId, 0);
    }

    /** True once a request has a chunk, even an empty final one. */
    boolean started(String requestId) {
        return chars.containsKey(requestId);
    }

    boolean done(String requestId) {
        return done.contains(requestId);
    }

    boolean allDone(List<String> requestIds) {
        return requestIds.stream().allMatch(this::done);
    }

    /** For failure messages: characters read per request, and which are done. */
    String progress(List<String> requestIds) {
        return requestIds.stream().map(id -> id + "=" + chars(id) + (done(id) ? " done" : "")).toList().toString();
    }

    /**
     * Asserts that every request's chunks are complete (contiguous from index 0, no duplicate, maxChars
     * characters, done with LENGTH) and spell the single-session Generator's text for the same request.
     */
    void assertEveryRequestGeneratesItsReferenceText(List<GenerationRequest> requests, ServingModel model) {
        Map<String, List<GenerationChunk>> byRequest = ServiceTestSupport.byRequest(chunks);
        assertEquals(requests.stream().map(GenerationRequest::getRequestId).collect(Collectors.toSet()), byRequest.keySet(),
                "chunks for the requests sent and nothing else");
        for (GenerationRequest r : requests) {
            String text = ServiceTestSupport.assertCompleteText(byRequest.get(r.getRequestId()), r.getRequestId(), r.getMaxChars());
            assertEquals(ServiceTestSupport.reference(model, r), text, r.getRequestId() + ": the text of an uninterrupted run");
        }
    }

    @Override
    public void close() {
        consumer.close(); // no group: nothing to leave or commit
    }
}
