package dev.streambard.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Encodes one record type as Avro single-object encoding and decodes it from that or from
 * JSON, telling them apart by content:
 *
 * <pre>
 *   C3 01 | fingerprint (8 bytes, CRC-64-AVRO, little-endian) | Avro binary   -> any released version
 *   [whitespace] { ... }                                                     -> JSON of the current schema
 * </pre>
 *
 * Binary records written with any released schema version (see {@link ContractHistory}) are
 * resolved into the current generated class, new fields taking their defaults. JSON may omit
 * fields that have defaults and may give union values plain or wrapped (see {@link LenientJson}).
 * Anything else fails with a {@link ContractException} that says what was expected.
 *
 * <p>Thread-safe once built.
 */
public final class ContractCodec<T extends SpecificRecordBase> {

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final int HEADER_LENGTH = 10;

    private final Class<T> type;
    private final Schema schema;
    private final SchemaStore.Cache writerSchemas = new SchemaStore.Cache();
    /** Fingerprint to "v1", "v2", ... for error messages. */
    private final Map<Long, String> versionNames = new ConcurrentHashMap<>();
    private final BinaryMessageEncoder<T> binaryEncoder;
    private final BinaryMessageDecoder<T> binaryDecoder;
    private final SpecificDatumReader<T> jsonReader;
    private final SpecificDatumWriter<T> jsonWriter;

    /**
     * @param writerSchemas released versions of the type's schema, oldest first; each must be
     *     readable into the current class (fields added since have defaults)
     */
    public ContractCodec(Class<T> type, Collection<Schema> writerSchemas) {
        this.type = Objects.requireNonNull(type, "type");
        SpecificData model = SpecificData.getForClass(type);
        this.schema = model.getSchema(type);
        this.binaryEncoder = new BinaryMessageEncoder<>(model, schema);
        this.binaryDecoder = new BinaryMessageDecoder<>(model, schema, this.writerSchemas);
        this.jsonReader = new SpecificDatumReader<>(schema, schema, model);
        this.jsonWriter = new SpecificDatumWriter<>(schema, model);
        versionNames.put(fingerprint(schema), "current");
        int version = 1;
        for (Schema writerSchema : writerSchemas) {
            addWriterSchema(writerSchema, "v" + version++);
        }
    }

    /** A codec for {@code type} that reads every version released under {@code contract-history/}. */
    public static <T extends SpecificRecordBase> ContractCodec<T> of(Class<T> type) {
        Schema current = SpecificData.getForClass(type).getSchema(type);
        List<Schema> released = ContractHistory.released(type, current);
        if (released.isEmpty()) {
            throw new IllegalStateException("no released schema for " + current.getName() + ": expected resource "
                    + ContractHistory.resourcePath(current.getName(), 1) + " (a copy of schemas/" + current.getName() + ".avsc)");
        }
        return new ContractCodec<>(type, released);
    }

    public Class<T> type() {
        return type;
    }

    /** The current schema, the one records are written with. */
    public Schema schema() {
        return schema;
    }

    /** CRC-64-AVRO of the schema's parsing canonical form, as the single-object header carries it. */
    public static long fingerprint(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }

    /** Lets this codec read records written with {@code writerSchema}; tests use it to play an older producer. */
    void addWriterSchema(Schema writerSchema) {
        addWriterSchema(writerSchema, "added");
    }

    private void addWriterSchema(Schema writerSchema, String versionName) {
        SchemaCompatibility.SchemaPairCompatibility compatibility =
                SchemaCompatibility.checkReaderWriterCompatibility(schema, writerSchema);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new IllegalArgumentException(schema.getName() + " " + versionName
                    + " cannot be read into the current schema: " + compatibility.getDescription());
        }
        writerSchemas.addSchema(writerSchema);
        versionNames.put(fingerprint(writerSchema), versionName);
    }

    /** Avro single-object encoding with the current schema. */
    public byte[] encode(T record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try {
            binaryEncoder.encode(record, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw new ContractException("cannot encode " + schema.getName() + ": " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /** Avro JSON encoding with the current schema; union values are wrapped: {@code {"long": 5}}. */
    /**
     * Plain JSON for people and simple frontends: union values unwrapped ({@code "error": null},
     * {@code "finishReason": "STOP"}), enums by name. {@link #decode} reads it back.
     */
    public String toPlainJson(T record) {
        try {
            return PLAIN.writeValueAsString(plain(record, schema));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ContractException("cannot encode " + schema.getName() + " as JSON: " + e.getMessage(), e);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper PLAIN = new com.fasterxml.jackson.databind.ObjectMapper();

    private static Object plain(Object value, Schema s) {
        if (value == null) return null;
        switch (s.getType()) {
            case UNION: {
                for (Schema branch : s.getTypes()) {
                    if (branch.getType() != Schema.Type.NULL && org.apache.avro.generic.GenericData.get().validate(branch, value)) {
                        return plain(value, branch);
                    }
                }
                return String.valueOf(value);
            }
            case RECORD: {
                var record = (org.apache.avro.generic.IndexedRecord) value;
                java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
                for (Schema.Field f : s.getFields()) out.put(f.name(), plain(record.get(f.pos()), f.schema()));
                return out;
            }
            case ARRAY: {
                java.util.List<Object> out = new java.util.ArrayList<>();
                for (Object item : (java.util.Collection<?>) value) out.add(plain(item, s.getElementType()));
                return out;
            }
            case MAP: {
                java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
                ((java.util.Map<?, ?>) value).forEach((k, v) -> out.put(String.valueOf(k), plain(v, s.getValueType())));
                return out;
            }
            case ENUM:
            case STRING:
                return value.toString();
            default:
                return value;
        }
    }

    public String toJson(T record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try {
            JsonEncoder encoder = EncoderFactory.get().jsonEncoder(schema, out);
            jsonWriter.write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw new ContractException("cannot encode " + schema.getName() + " as JSON: " + e.getMessage(), e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Decodes Avro single-object encoding (any released version) or a JSON object (current schema).
     *
     * @throws ContractException if {@code bytes} are neither, or do not hold a valid record
     */
    public T decode(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length >= 2 && bytes[0] == (byte) 0xC3 && bytes[1] == (byte) 0x01) {
            return decodeBinary(bytes);
        }
        int first = firstNonWhitespace(bytes);
        if (first < bytes.length && bytes[first] == '{') {
            return decodeJson(bytes);
        }
        throw new ContractException("not a " + schema.getName() + ": expected Avro single-object encoding"
                + " (starting C3 01) or a JSON object (starting '{'), got " + ContractException.describeBytes(bytes));
    }

    private T decodeBinary(byte[] bytes) {
        if (bytes.length < HEADER_LENGTH) {
            throw new ContractException("truncated " + schema.getName() + ": Avro single-object encoding needs a "
                    + HEADER_LENGTH + "-byte header (C3 01 + 8-byte schema fingerprint), got "
                    + ContractException.describeBytes(bytes));
        }
        long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        try {
            return binaryDecoder.decode(bytes);
        } catch (MissingSchemaException e) {
            throw new ContractException(String.format(
                    "%s with unknown schema fingerprint %016X: not a released %s version (known: %s);"
                            + " written by a newer producer, or a different record type?",
                    schema.getName(), fingerprint, schema.getName(), knownVersions()), e);
        } catch (IOException | RuntimeException e) {
            throw new ContractException(String.format("corrupt or truncated %s (schema %s, fingerprint %016X): %s",
                    schema.getName(), versionNames.getOrDefault(fingerprint, "?"), fingerprint, withRootCause(e)), e);
        }
    }

    private T decodeJson(byte[] bytes) {
        JsonNode given;
        try {
            given = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new ContractException("malformed JSON for " + schema.getName() + ": " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")", e);
        } catch (IOException e) {
            throw new ContractException("unreadable JSON for " + schema.getName() + ": " + e.getMessage(), e);
        }
        JsonNode avroJson;
        try {
            avroJson = LenientJson.toAvroJson(schema, given);
        } catch (ContractException e) {
            throw new ContractException(schema.getName() + " JSON: " + e.getMessage(), e);
        }
        try {
            return jsonReader.read(null, DecoderFactory.get().jsonDecoder(schema, JSON.writeValueAsString(avroJson)));
        } catch (IOException | RuntimeException e) {
            throw new ContractException(schema.getName() + " JSON does not match the schema: " + e.getMessage(), e);
        }
    }

    /** Avro wraps the useful part ("EOFException") in "Decoding datum failed". */
    private static String withRootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String rootText = root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
        return root == e ? rootText : e.getMessage() + " (" + rootText + ")";
    }

    private String knownVersions() {
        return versionNames.entrySet().stream()
                .sorted(Map.Entry.comparingByValue())
                .map(entry -> String.format("%s %016X", entry.getValue(), entry.getKey()))
                .collect(Collectors.joining(", "));
    }

    /** Skips JSON whitespace and a UTF-8 byte order mark. */
    private static int firstNonWhitespace(byte[] bytes) {
        int i = 0;
        if (bytes.length >= 3 && bytes[0] == (byte) 0xEF && bytes[1] == (byte) 0xBB && bytes[2] == (byte) 0xBF) {
            i = 3;
        }
        while (i < bytes.length && (bytes[i] == ' ' || bytes[i] == '\t' || bytes[i] == '\n' || bytes[i] == '\r')) {
            i++;
        }
        return i;
    }

    @Override
    public String toString() {
        return "ContractCodec[" + schema.getFullName() + ", versions: " + knownVersions() + "]";
    }
}
