package dev.streambard.contract;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContractSerdeTest {

    private static final String TOPIC = "generation-requests";

    private static GenerationRequest request() {
        return GenerationRequest.newBuilder()
            .setRequestId("r1").setSessionId("s1").setSeedText("ROMEO: ").setMaxChars(50)
            .setRngSeed(5L).setStopSequences(List.of("\n"))
            .build();
    }

    @Test
    void nullsAreTombstones() {
        for (ContractSerde.Output output : ContractSerde.Output.values()) {
            ContractSerde<GenerationRequest> serde = new ContractSerde<>(Contracts.GENERATION_REQUEST, output);
            assertNull(serde.serializer().serialize(TOPIC, null));
            assertNull(serde.deserializer().deserialize(TOPIC, null));
        }
    }

    @Test
    void avroOutputIsSingleObjectEncoding() {
        ContractSerde<GenerationRequest> serde = ContractSerde.avro(Contracts.GENERATION_REQUEST);
        byte[] bytes = serde.serializer().serialize(TOPIC, request());
        assertEquals((byte) 0xC3, bytes[0]);
        assertEquals((byte) 0x01, bytes[1]);
        assertEquals(request(), serde.deserializer().deserialize(TOPIC, bytes));
    }

    @Test
    void jsonOutputIsParseableJsonThatDecodesBack() throws Exception {
        ContractSerde<GenerationRequest> serde = ContractSerde.json(Contracts.GENERATION_REQUEST);
        byte[] bytes = serde.serializer().serialize(TOPIC, request());
        JsonNode json = new ObjectMapper().readTree(bytes);
        assertEquals("s1", json.get("sessionId").asText());
        assertEquals(5L, json.get("rngSeed").asLong(), "plain JSON: unions unwrapped");
        assertEquals(request(), serde.deserializer().deserialize(TOPIC, bytes));
        // Either output mode reads either form.
        assertEquals(request(), ContractSerde.avro(Contracts.GENERATION_REQUEST).deserializer().deserialize(TOPIC, bytes));
    }

    @Test
    void jsonChunksAreFlatForFrontends() throws Exception {
        ContractSerde<GenerationChunk> serde = ContractSerde.json(Contracts.GENERATION_CHUNK);
        GenerationChunk done = GenerationChunk.newBuilder().setRequestId("r").setSessionId("s").setIndex(3).setText("!")
                .setDone(true).setFinishReason(FinishReason.STOP).setModelVersion(2).build();
        byte[] bytes = serde.serializer().serialize(TOPIC, done);
        JsonNode json = new ObjectMapper().readTree(bytes);
        assertEquals("STOP", json.get("finishReason").asText());
        assertTrue(json.get("error").isNull());
        assertEquals(done, serde.deserializer().deserialize(TOPIC, bytes));
    }

    @Test
    void badInputThrowsContractException() {
        ContractSerde<GenerationRequest> serde = ContractSerde.avro(Contracts.GENERATION_REQUEST);
        assertThrows(ContractException.class, () -> serde.deserializer().deserialize(TOPIC, "hello".getBytes(UTF_8)));
        assertThrows(ContractException.class,
            () -> serde.deserializer().deserialize(TOPIC, "{\"requestId\":\"r1\"}".getBytes(UTF_8)));
    }
}
