package dev.streambard.cli;

import dev.streambard.ingest.CorpusPublisher;
import dev.streambard.ingest.TrainerConfig;
import dev.streambard.kafka.TopicAdmin;
import dev.streambard.kafka.TopicSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Publish text (UTF-8) to the corpus topic for the trainer to learn from, in chunks keyed by source id.")
final class IngestCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Text files; - reads standard input as it arrives.")
    List<String> files;

    @Option(names = "--source", paramLabel = "ID", description = "Source id (the records' key). Default: the file name, or stdin.")
    String source;

    @Option(names = "--chunk-chars", defaultValue = "8192", description = "Characters per record, cut at a line end when possible. Default: ${DEFAULT-VALUE}.")
    int chunkChars;

    @Mixin
    ClusterOptions cluster;

    @Override
    public Integer call() throws IOException {
        if (chunkChars < 1) throw new UserException("--chunk-chars must be at least 1, got " + chunkChars);
        for (String f : files) {
            if (!f.equals("-") && !Files.isRegularFile(Path.of(f))) throw new UserException(f + " is not a readable file");
        }
        TrainerConfig settings = new TrainerConfig(cluster.settings(Map.of()));
        String topic = settings.getString(TrainerConfig.CORPUS_TOPIC);
        TopicAdmin.ensureTopics(cluster.bootstrapServers, List.of(new TopicSpec(topic, settings.getInt(TrainerConfig.PARTITIONS),
                settings.getShort(TrainerConfig.REPLICATION))));
        try (CorpusPublisher publisher = new CorpusPublisher(cluster.bootstrapServers, topic, chunkChars)) {
            for (String f : files) {
                String id = source != null ? source : f.equals("-") ? "stdin" : Path.of(f).getFileName().toString();
                try (InputStream in = f.equals("-") ? System.in : Files.newInputStream(Path.of(f));
                     Reader reader = strictUtf8(in)) {
                    CorpusPublisher.Published p = publisher.publish(id, reader);
                    Output.get().printf(Locale.ROOT, "%s: %,d characters in %,d records to %s as source %s%n", f, p.characters(), p.records(), topic, id);
                }
            }
        }
        return 0;
    }

    private static Reader strictUtf8(InputStream in) {
        return new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
    }
}
