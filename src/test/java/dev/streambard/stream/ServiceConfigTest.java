package dev.streambard.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streambard.contract.ContractCodec;
import dev.streambard.contract.SessionState;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServiceConfigTest {
    private static final String LINGER = StreamsConfig.producerPrefix("linger.ms");
    private static final String BATCH_SIZE = StreamsConfig.producerPrefix("batch.size");

    @Test
    void theOutputProducerLingersOneMillisecondSoAStepsChunksShareARequest() {
        Properties p = new ServiceConfig(Map.of()).streamsProperties("127.0.0.1:9092");
        assertEquals(1, p.get(LINGER));
        assertEquals("127.0.0.1:9092", p.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
    }

    @Test
    void streamsSettingsInTheConfigOverrideTheServicesOwn() {
        Properties p = new ServiceConfig(Map.of("streams.producer.linger.ms", "0", "streams.num.stream.threads", "2"))
                .streamsProperties("127.0.0.1:9092");
        assertEquals("0", p.get(LINGER));
        assertEquals("2", p.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG));
    }

    @Test
    void aProducerBatchHoldsSeveralStoredSessionsOfTheTutorialModel() {
        // Under exactly-once each commit writes every stepped session's state to the changelog; with one state
        // per batch a commit took a produce request per state per partition and held up the chunks behind it.
        ByteBuffer layer = ByteBuffer.allocate(1024 * Float.BYTES); // the tutorial model: one LSTM layer of 1024
        SessionState state = SessionState.newBuilder().setSessionId("a-session")
                .setHidden(List.of(layer)).setCell(List.of(layer.duplicate())).build();
        int stored = ContractCodec.of(SessionState.class).encode(state).length;
        Object batch = new ServiceConfig(Map.of()).streamsProperties("127.0.0.1:9092").get(BATCH_SIZE);
        assertTrue(stored > 8 * 1024, "h and c of 1024 floats each: " + stored + " bytes");
        assertTrue((Integer) batch >= 4 * stored, batch + " bytes hold fewer than 4 states of " + stored);
    }

    @Test
    void stepsBetweenSlicesByDefaultAndTheSettingTakesOnlyTrueOrFalse() {
        assertTrue(new ServiceConfig(Map.of()).getBoolean(ServiceConfig.STEP_BETWEEN_SLICES));
        assertFalse(new ServiceConfig(Map.of(ServiceConfig.STEP_BETWEEN_SLICES, "false")).getBoolean(ServiceConfig.STEP_BETWEEN_SLICES));
        ConfigException e = assertThrows(ConfigException.class,
                () -> new ServiceConfig(Map.of(ServiceConfig.STEP_BETWEEN_SLICES, "sometimes")));
        assertTrue(e.getMessage().contains(ServiceConfig.STEP_BETWEEN_SLICES), e.getMessage());
    }

    /** Checked when the configuration is read, not when Kafka Streams starts (after a model has arrived). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "streams.producer.batch.size|64k|streams.producer.batch.size",
            "streams.commit.interval.ms|-5|streams.commit.interval.ms",
            "streams.main.consumer.max.poll.records|0|streams.main.consumer.max.poll.records",
            "streams.linger.ms|soon|streams.linger.ms"})
    void aStreamsSettingWithAValueItsClientRefusesIsAnErrorNamingIt(String key, String value, String named) {
        ConfigException e = assertThrows(ConfigException.class, () -> new ServiceConfig(Map.of(key, value)));
        assertTrue(e.getMessage().startsWith(named + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(value), e.getMessage());
    }

    @Test
    void streamsSettingsOfEveryClientAndUnknownNamesAreAccepted() {
        Properties p = new ServiceConfig(Map.of("streams.producer.batch.size", "131072",
                "streams.restore.consumer.max.poll.records", "500", "streams.admin.retries", "3",
                "streams.topic.segment.bytes", "1048576", "streams.some.plugin.setting", "anything"))
                .streamsProperties("127.0.0.1:9092");
        assertEquals("131072", p.get(BATCH_SIZE));
        assertEquals("anything", p.get("some.plugin.setting"));
    }
}
