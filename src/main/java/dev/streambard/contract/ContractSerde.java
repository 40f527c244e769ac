package dev.streambard.contract;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.Objects;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde over a {@link ContractCodec}. Serializes in the chosen {@link Output}; the
 * deserializer accepts either form, detected by content, and throws {@link ContractException}
 * on anything else so a processor can turn it into a dead-letter record. Null bytes and null
 * records map to each other (tombstones).
 */
public final class ContractSerde<T extends SpecificRecordBase> implements Serde<T> {

    /** What the serializer writes. */
    public enum Output {
        /** Avro single-object encoding: C3 01, fingerprint, Avro binary. */
        AVRO,
        /** The record as plain JSON (unions unwrapped), UTF-8; for topics people and simple frontends read. */
        JSON
    }

    private final ContractCodec<T> codec;
    private final Output output;
    private final Serializer<T> serializer;
    private final Deserializer<T> deserializer;

    public ContractSerde(ContractCodec<T> codec, Output output) {
        this.codec = Objects.requireNonNull(codec, "codec");
        this.output = Objects.requireNonNull(output, "output");
        this.serializer = (topic, record) -> record == null ? null : switch (output) {
            case AVRO -> codec.encode(record);
            case JSON -> codec.toPlainJson(record).getBytes(UTF_8);
        };
        this.deserializer = (topic, bytes) -> bytes == null ? null : codec.decode(bytes);
    }

    public static <T extends SpecificRecordBase> ContractSerde<T> avro(ContractCodec<T> codec) {
        return new ContractSerde<>(codec, Output.AVRO);
    }

    public static <T extends SpecificRecordBase> ContractSerde<T> json(ContractCodec<T> codec) {
        return new ContractSerde<>(codec, Output.JSON);
    }

    public ContractCodec<T> codec() {
        return codec;
    }

    public Output output() {
        return output;
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }
}
