package dev.streambard.ingest;

import dev.streambard.contract.Contracts;
import dev.streambard.contract.CorpusText;
import dev.streambard.kafka.Clients;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.MalformedInputException;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Publishes text to the corpus topic as {@link CorpusText} records keyed by source id (so one source's
 * chunks stay in order), cut into chunks of about {@code chunkChars} characters, at a line end where there
 * is one. Text is published as it is read, so a stream (a pipe, a growing log) flows in while it lasts.
 */
public final class CorpusPublisher implements AutoCloseable {
    private static final long SEND_TIMEOUT_MS = 30_000;
    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final int chunkChars;

    /** What one source contributed. */
    public record Published(long records, long characters) {
    }

    public CorpusPublisher(String bootstrapServers, String topic, int chunkChars) {
        if (chunkChars < 1) throw new IllegalArgumentException("chunk size must be at least 1 character, got " + chunkChars);
        this.producer = Clients.producer(bootstrapServers, Map.of());
        this.topic = topic;
        this.chunkChars = chunkChars;
    }

    /**
     * Reads {@code in} to its end and publishes it under {@code sourceId}; a pause in the input publishes
     * what has arrived. {@code in} must decode strictly (malformed input raises, see callers).
     */
    public Published publish(String sourceId, Reader in) throws IOException {
        StringBuilder buffer = new StringBuilder();
        char[] block = new char[8192];
        long records = 0;
        long chars = 0;
        Future<RecordMetadata> last = null;
        try {
            for (int n; (n = in.read(block)) > 0; ) {
                buffer.append(block, 0, n);
                while (buffer.length() >= chunkChars || !in.ready() && buffer.length() > 0) {
                    int cut = cut(buffer);
                    last = send(sourceId, buffer.substring(0, cut));
                    chars += buffer.codePointCount(0, cut);
                    records++;
                    buffer.delete(0, cut);
                }
            }
        } catch (MalformedInputException e) {
            throw new IllegalArgumentException(sourceId + " is not valid UTF-8 (after " + chars + " characters were published); "
                    + "convert it, e.g. with `iconv -f LATIN1 -t UTF-8`, and ingest the rest", e);
        }
        if (buffer.length() > 0) {
            last = send(sourceId, buffer.toString());
            chars += buffer.codePointCount(0, buffer.length());
            records++;
        }
        producer.flush();
        if (last != null) await(last);
        return new Published(records, chars);
    }

    /** Where a chunk ends: after the last line end in its second half, else at chunkChars, never inside a surrogate pair. */
    private int cut(StringBuilder buffer) {
        if (buffer.length() <= chunkChars) return buffer.length();
        int newline = buffer.lastIndexOf("\n", chunkChars - 1);
        if (newline >= chunkChars / 2) return newline + 1;
        int cut = chunkChars;
        if (Character.isHighSurrogate(buffer.charAt(cut - 1))) cut--;
        return Math.max(cut, 1);
    }

    private Future<RecordMetadata> send(String sourceId, String text) {
        CorpusText record = CorpusText.newBuilder().setSourceId(sourceId).setText(text).setTimestamp(System.currentTimeMillis()).build();
        return producer.send(new ProducerRecord<>(topic, sourceId, Contracts.CORPUS_TEXT.encode(record)));
    }

    private static void await(Future<RecordMetadata> f) {
        try {
            f.get(SEND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the broker did not take the corpus records: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing", e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
