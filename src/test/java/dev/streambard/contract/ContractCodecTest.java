package dev.streambard.contract;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

class ContractCodecTest {

    private static final ContractCodec<GenerationRequest> REQUESTS = Contracts.GENERATION_REQUEST;
    private static final ContractCodec<GenerationChunk> CHUNKS = Contracts.GENERATION_CHUNK;
    private static final ContractCodec<CheckpointEvent> CHECKPOINTS = Contracts.CHECKPOINT_EVENT;

    /** GenerationRequest as released before topK and stopSequences existed. */
    private static final Schema REQUEST_WITHOUT_TOPK = new Schema.Parser().parse("""
        {"type": "record", "name": "GenerationRequest", "namespace": "dev.streambard.contract", "fields": [
          {"name": "requestId", "type": "string"},
          {"name": "sessionId", "type": "string"},
          {"name": "seedText", "type": "string", "default": ""},
          {"name": "maxChars", "type": "int", "default": 200},
          {"name": "temperature", "type": "double", "default": 1.0},
          {"name": "rngSeed", "type": ["null", "long"], "default": null},
          {"name": "reset", "type": "boolean", "default": false},
          {"name": "cancel", "type": "boolean", "default": false}
        ]}""");

    private static GenerationRequest fullRequest() {
        return GenerationRequest.newBuilder()
            .setRequestId("r1").setSessionId("s1").setSeedText("ROMEO: ")
            .setMaxChars(120).setTemperature(0.7).setTopK(5).setRngSeed(42L)
            .setStopSequences(List.of("\n\n", "JULIET"))
            .setReset(true).setCancel(false)
            .build();
    }

    private static GenerationChunk finalChunk() {
        return GenerationChunk.newBuilder()
            .setRequestId("r1").setSessionId("s1").setIndex(118).setText("")
            .setDone(true).setFinishReason(FinishReason.ERROR).setError("model unloaded").setModelVersion(7)
            .build();
    }

    private static GenerationChunk middleChunk() {
        return GenerationChunk.newBuilder()
            .setRequestId("r1").setSessionId("s1").setIndex(3).setText("lo, wo")
            .build();
    }

    private static CheckpointEvent checkpoint() {
        return CheckpointEvent.newBuilder()
            .setModelName("shakespeare").setVersion(3).setParentVersion(2L)
            .setUri("file:///models/shakespeare/v3").setSha256("ab".repeat(32)).setVocabularySha256("cd".repeat(32))
            .setTrainingLoss(1.25).setValidationLoss(null).setCharactersTrained(1_000_000)
            .setSourceOffsets(Map.of("corpus-0", 120L, "corpus-1", 7L)).setCreatedAt(1_700_000_000_000L)
            .build();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(UTF_8);
    }

    @Test
    void binaryRoundTrips() {
        assertEquals(fullRequest(), REQUESTS.decode(REQUESTS.encode(fullRequest())));
        GenerationRequest nullSeed = GenerationRequest.newBuilder(fullRequest()).setRngSeed(null).build();
        assertNull(REQUESTS.decode(REQUESTS.encode(nullSeed)).getRngSeed());
        assertEquals(finalChunk(), CHUNKS.decode(CHUNKS.encode(finalChunk())));
        GenerationChunk middle = CHUNKS.decode(CHUNKS.encode(middleChunk()));
        assertEquals(middleChunk(), middle);
        assertNull(middle.getFinishReason());
        assertNull(middle.getError());
        assertEquals(checkpoint(), CHECKPOINTS.decode(CHECKPOINTS.encode(checkpoint())));
    }

    @Test
    void jsonRoundTrips() {
        assertEquals(fullRequest(), REQUESTS.decode(utf8(REQUESTS.toJson(fullRequest()))));
        assertEquals(finalChunk(), CHUNKS.decode(utf8(CHUNKS.toJson(finalChunk()))));
        assertEquals(middleChunk(), CHUNKS.decode(utf8(CHUNKS.toJson(middleChunk()))));
        CheckpointEvent decoded = CHECKPOINTS.decode(utf8(CHECKPOINTS.toJson(checkpoint())));
        assertEquals(checkpoint(), decoded);
        assertEquals(120L, decoded.getSourceOffsets().get("corpus-0"));
    }

    @Test
    void wireFormatIsSingleObjectEncodingWithTheSchemaFingerprint() throws Exception {
        byte[] bytes = REQUESTS.encode(fullRequest());
        assertEquals((byte) 0xC3, bytes[0]);
        assertEquals((byte) 0x01, bytes[1]);
        long expected = SchemaNormalization.parsingFingerprint64(GenerationRequest.getClassSchema());
        byte[] littleEndian = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(expected).array();
        assertArrayEquals(littleEndian, Arrays.copyOfRange(bytes, 2, 10));
        // Interoperates with Avro's own single-object decoder.
        assertEquals(fullRequest(), GenerationRequest.getDecoder().decode(bytes));
    }

    private static byte[] encodeWithOlderSchema() throws Exception {
        GenericRecord old = new GenericData.Record(REQUEST_WITHOUT_TOPK);
        old.put("requestId", "r-old");
        old.put("sessionId", "s-old");
        old.put("seedText", "KING: ");
        old.put("maxChars", 33);
        old.put("temperature", 0.5);
        old.put("rngSeed", 9L);
        old.put("reset", false);
        old.put("cancel", true);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), REQUEST_WITHOUT_TOPK).encode(old, out);
        return out.toByteArray();
    }

    @Test
    void olderWriterSchemaDecodesWithDefaultsFilled() throws Exception {
        ContractCodec<GenerationRequest> codec = ContractCodec.of(GenerationRequest.class);
        codec.addWriterSchema(REQUEST_WITHOUT_TOPK);
        GenerationRequest decoded = codec.decode(encodeWithOlderSchema());
        assertEquals("r-old", decoded.getRequestId());
        assertEquals("s-old", decoded.getSessionId());
        assertEquals("KING: ", decoded.getSeedText());
        assertEquals(33, decoded.getMaxChars());
        assertEquals(0.5, decoded.getTemperature());
        assertEquals(9L, decoded.getRngSeed());
        assertTrue(decoded.getCancel());
        assertEquals(0, decoded.getTopK());
        assertEquals(List.of(), decoded.getStopSequences());
    }

    @Test
    void unknownFingerprintIsReportedWithTheFingerprint() throws Exception {
        ContractException e = assertThrows(ContractException.class,
            () -> ContractCodec.of(GenerationRequest.class).decode(encodeWithOlderSchema()));
        String fingerprint = String.format("%016X", SchemaNormalization.parsingFingerprint64(REQUEST_WITHOUT_TOPK));
        assertTrue(e.getMessage().contains(fingerprint), e.getMessage());
        assertTrue(e.getMessage().contains("unknown schema fingerprint"), e.getMessage());
    }

    @Test
    void incompatibleWriterSchemaIsRefused() {
        Schema renamedField = new Schema.Parser().parse("""
            {"type": "record", "name": "GenerationRequest", "namespace": "dev.streambard.contract", "fields": [
              {"name": "requestId", "type": "string"},
              {"name": "session", "type": "string"}
            ]}""");
        assertThrows(IllegalArgumentException.class,
            () -> ContractCodec.of(GenerationRequest.class).addWriterSchema(renamedField));
    }

    @Test
    void truncatedBinaryIsAContractError() {
        byte[] bytes = REQUESTS.encode(fullRequest());
        assertThrows(ContractException.class, () -> REQUESTS.decode(Arrays.copyOf(bytes, 14)));
        ContractException header = assertThrows(ContractException.class,
            () -> REQUESTS.decode(Arrays.copyOf(bytes, 6)));
        assertTrue(header.getMessage().contains("C3 01"), header.getMessage());
    }

    @Test
    void lenientJsonNeedsOnlyRequiredFields() {
        GenerationRequest request = REQUESTS.decode(utf8(
            "{\"requestId\":\"r1\",\"sessionId\":\"s1\",\"seedText\":\"ROMEO: \",\"maxChars\":100}"));
        assertEquals("r1", request.getRequestId());
        assertEquals("ROMEO: ", request.getSeedText());
        assertEquals(100, request.getMaxChars());
        assertEquals(1.0, request.getTemperature());
        assertEquals(0, request.getTopK());
        assertNull(request.getRngSeed());
        assertEquals(List.of(), request.getStopSequences());
    }

    @Test
    void lenientJsonAcceptsPlainAndWrappedUnionsAndLists() {
        GenerationRequest plain = REQUESTS.decode(utf8("""
              {"requestId": "r1", "sessionId": "s1", "rngSeed": 5, "temperature": 1,
               "stopSequences": ["\\n\\n", "END"]}
            """));
        assertEquals(5L, plain.getRngSeed());
        assertEquals(List.of("\n\n", "END"), plain.getStopSequences());
        assertEquals(1.0, plain.getTemperature());
        GenerationRequest wrapped = REQUESTS.decode(utf8(
            "{\"requestId\":\"r1\",\"sessionId\":\"s1\",\"rngSeed\":{\"long\":5}}"));
        assertEquals(5L, wrapped.getRngSeed());
        GenerationChunk chunk = CHUNKS.decode(utf8(
            "{\"requestId\":\"r1\",\"sessionId\":\"s1\",\"index\":0,\"done\":true,\"finishReason\":\"STOP\"}"));
        assertEquals(FinishReason.STOP, chunk.getFinishReason());
    }

    @Test
    void garbageIsReportedInHex() {
        ContractException text = assertThrows(ContractException.class, () -> REQUESTS.decode(utf8("hello")));
        assertTrue(text.getMessage().contains("68 65 6C 6C 6F"), text.getMessage());
        assertTrue(text.getMessage().contains("Avro single-object encoding"), text.getMessage());
        assertTrue(text.getMessage().contains("JSON object"), text.getMessage());
        ContractException binary = assertThrows(ContractException.class, () -> REQUESTS.decode(new byte[] {0x00, 0x01}));
        assertTrue(binary.getMessage().contains("00 01"), binary.getMessage());
        assertThrows(ContractException.class, () -> REQUESTS.decode(new byte[0]));
        assertThrows(ContractException.class, () -> REQUESTS.decode(utf8("[1, 2]")));
    }

    @Test
    void malformedJsonIsAContractError() {
        ContractException e = assertThrows(ContractException.class,
            () -> REQUESTS.decode(utf8("{\"requestId\": \"r1\", \"sessionId\": ")));
        assertTrue(e.getMessage().contains("malformed JSON"), e.getMessage());
        assertThrows(ContractException.class,
            () -> REQUESTS.decode(utf8("{\"requestId\":\"r1\",\"sessionId\":\"s1\"} trailing")));
    }

    @Test
    void missingRequiredFieldIsNamed() {
        ContractException e = assertThrows(ContractException.class,
            () -> REQUESTS.decode(utf8("{\"requestId\":\"r1\",\"seedText\":\"x\"}")));
        assertTrue(e.getMessage().contains("sessionId"), e.getMessage());
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void wrongTypeIsNamed() {
        ContractException e = assertThrows(ContractException.class,
            () -> REQUESTS.decode(utf8("{\"requestId\":\"r1\",\"sessionId\":\"s1\",\"maxChars\":\"abc\"}")));
        assertTrue(e.getMessage().contains("maxChars"), e.getMessage());
        assertTrue(e.getMessage().contains("int"), e.getMessage());
        ContractException item = assertThrows(ContractException.class, () -> REQUESTS.decode(
            utf8("{\"requestId\":\"r1\",\"sessionId\":\"s1\",\"stopSequences\":[\"a\", 3]}")));
        assertTrue(item.getMessage().contains("stopSequences[1]"), item.getMessage());
        ContractException seed = assertThrows(ContractException.class, () -> REQUESTS.decode(
            utf8("{\"requestId\":\"r1\",\"sessionId\":\"s1\",\"rngSeed\":\"soon\"}")));
        assertTrue(seed.getMessage().contains("rngSeed"), seed.getMessage());
        ContractException reason = assertThrows(ContractException.class, () -> CHUNKS.decode(
            utf8("{\"requestId\":\"r1\",\"sessionId\":\"s1\",\"index\":0,\"finishReason\":\"BORED\"}")));
        assertTrue(reason.getMessage().contains("finishReason"), reason.getMessage());
    }

    @Test
    void unknownJsonFieldIsNamedRatherThanIgnored() {
        ContractException e = assertThrows(ContractException.class,
            () -> REQUESTS.decode(utf8("{\"requestId\":\"r1\",\"sessionId\":\"s1\",\"max_chars\":5}")));
        assertTrue(e.getMessage().contains("max_chars"), e.getMessage());
    }
}
