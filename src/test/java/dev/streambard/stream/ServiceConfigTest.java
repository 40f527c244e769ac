package dev.streambard.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class ServiceConfigTest {
    private static final String LINGER = StreamsConfig.producerPrefix("linger.ms");

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
}
