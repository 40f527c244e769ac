package dev.streambard.cli;

import dev.streambard.contract.ContractException;
import dev.streambard.contract.Contracts;
import dev.streambard.contract.FinishReason;
import dev.streambard.contract.GenerationChunk;
import dev.streambard.contract.GenerationRequest;
import dev.streambard.gateway.RequestPublisher;
import dev.streambard.kafka.Clients;
import dev.streambard.stream.ServiceConfig;
import dev.streambard.stream.TopicNames;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "chat", mixinStandardHelpOptions = true,
        description = "Talk to a running service from the terminal: each line read is sent as a request for the session and "
                + "its continuation printed as it streams in; an empty line continues the text where it stopped. Ends at end of input.")
final class ChatCommand implements Callable<Integer> {
    @Option(names = "--session", paramLabel = "ID", description = "The conversation to continue. Default: a new one (its id is printed).")
    String session;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--temperature", defaultValue = "1.0", description = "Sampling temperature, > 0: lower is more conservative. Default: ${DEFAULT-VALUE}.")
    double temperature;

    @Option(names = "--chars", defaultValue = "200", description = "Characters to generate per line. Default: ${DEFAULT-VALUE}.")
    int chars;

    @Option(names = "--top-k", defaultValue = "0", description = "Sample only among the K likeliest characters (0: all).")
    int topK;

    @Option(names = "--rng-seed", description = "Seed for sampling; the same seed gives the same text. Default: one per request.")
    Long rngSeed;

    @Option(names = "--wait", defaultValue = "60", paramLabel = "SECONDS",
            description = "How long to wait for the service's next character before giving up. Default: ${DEFAULT-VALUE}.")
    int waitSeconds;

    @Override
    public Integer call() throws IOException {
        if (chars < 1) throw new UserException("--chars must be at least 1, got " + chars);
        if (!(temperature > 0) || Double.isInfinite(temperature)) throw new UserException("--temperature must be a finite number > 0, got " + temperature);
        if (topK < 0) throw new UserException("--top-k must be 0 (all) or more, got " + topK);
        if (waitSeconds < 1) throw new UserException("--wait must be at least 1 second, got " + waitSeconds);
        if (session != null && session.isBlank()) throw new UserException("--session must not be empty");
        if (session == null) {
            session = "chat-" + UUID.randomUUID().toString().substring(0, 8);
            System.err.println("session " + session + " (continue it later with --session " + session + ")");
        }
        TopicNames topics = new ServiceConfig(cluster.settings(Map.of())).topics();
        Duration wait = Duration.ofSeconds(waitSeconds);
        try (KafkaConsumer<String, byte[]> chunks = Clients.reader(cluster.bootstrapServers, topics.chunks(), wait);
             RequestPublisher requests = new RequestPublisher(cluster.bootstrapServers, topics.requests())) {
            // Only chunks from now on: the seek is lazy, so resolve it before the first request goes out.
            chunks.seekToEnd(chunks.assignment());
            for (TopicPartition tp : chunks.assignment()) chunks.position(tp, wait);
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            System.err.print("> ");
            for (String line; (line = in.readLine()) != null; ) {
                GenerationRequest r = request(line);
                requests.publish(List.of(r));
                follow(chunks, r.getRequestId(), wait);
                System.err.print("> ");
            }
        } catch (TimeoutException | RequestPublisher.PublishException e) {
            throw new UserException("cannot reach Kafka at " + cluster.bootstrapServers + " (" + e.getMessage() + "): is `bin/streambard serve` running?");
        }
        System.err.println();
        return 0;
    }

    private GenerationRequest request(String seed) {
        return GenerationRequest.newBuilder().setRequestId("chat-" + UUID.randomUUID()).setSessionId(session).setSeedText(seed)
                .setMaxChars(chars).setTemperature(temperature).setTopK(topK).setRngSeed(rngSeed).build();
    }

    /** Prints the request's chunks as they come (committed ones: each once, in order) until its last one. */
    private void follow(KafkaConsumer<String, byte[]> chunks, String requestId, Duration wait) {
        PrintStream out = Output.get();
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            for (ConsumerRecord<String, byte[]> record : chunks.poll(Duration.ofMillis(100))) {
                GenerationChunk c = decode(record);
                if (c == null || !c.getRequestId().equals(requestId)) continue;
                deadline = System.nanoTime() + wait.toNanos();
                out.print(c.getText());
                out.flush();
                if (!c.getDone()) continue;
                out.println();
                out.flush();
                if (c.getFinishReason() == FinishReason.ERROR) System.err.println("error: " + c.getError());
                else if (c.getFinishReason() == FinishReason.CANCELLED) System.err.println("(cancelled)");
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new UserException("no answer from the service for " + wait.toSeconds() + " s: is `bin/streambard serve` running against "
                        + cluster.bootstrapServers + " and ready (see its /ready)?");
            }
        }
    }

    /** A chunk of our session, or null for anything else (other sessions, records that are not chunks). */
    private GenerationChunk decode(ConsumerRecord<String, byte[]> record) {
        if (!session.equals(record.key()) || record.value() == null) return null;
        try {
            return Contracts.GENERATION_CHUNK.decode(record.value());
        } catch (ContractException e) {
            return null;
        }
    }
}
