package dev.streambard.contract;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;

/**
 * The released versions of a record's schema, read from the classpath:
 * {@code contract-history/<RecordName>/v1.avsc, v2.avsc, ...} (numbering stops at the first gap).
 *
 * <p>Releasing a version: copy {@code schemas/<RecordName>.avsc} to the next {@code vN.avsc}
 * and never edit it again; every field added since the previous version needs a default.
 * A released file may name a type defined in another schema file (GenerationChunk names
 * FinishReason); such names resolve to the type's current definition. When such a type
 * changes (a new enum symbol), inline its released definition in the older files, or their
 * fingerprints would drift ({@code ContractHistoryTest} catches two versions that collapse).
 */
final class ContractHistory {

    static final String ROOT = "contract-history/";

    private ContractHistory() {}

    static String resourcePath(String recordName, int version) {
        return ROOT + recordName + "/v" + version + ".avsc";
    }

    /** Oldest first; empty when nothing was released. */
    static List<Schema> released(Class<?> type, Schema current) {
        ClassLoader loader = type.getClassLoader();
        List<Schema> versions = new ArrayList<>();
        for (int version = 1; ; version++) {
            String path = resourcePath(current.getName(), version);
            try (InputStream in = loader.getResourceAsStream(path)) {
                if (in == null) {
                    return versions;
                }
                versions.add(parse(new String(in.readAllBytes(), UTF_8), current, path));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + path, e);
            }
        }
    }

    static Schema parse(String text, Schema current, String where) {
        try {
            return new Schema.Parser().parse(text);
        } catch (AvroRuntimeException selfContainedFailed) {
            try {
                Map<String, Schema> referenced = referencedTypes(current);
                definedIn(text).forEach(referenced::remove); // a type the file defines itself (ActiveRequest) must not be added twice
                return new Schema.Parser().addTypes(referenced.values()).parse(text);
            } catch (AvroRuntimeException e) {
                IllegalStateException failure =
                        new IllegalStateException("released schema " + where + " does not parse: " + e.getMessage(), e);
                failure.addSuppressed(selfContainedFailed);
                throw failure;
            }
        }
    }

    /** Named types (records, enums, fixed) that {@code record} uses, by full name, excluding itself. */
    /** Full names of the records, enums and fixed types that a schema text defines. */
    static java.util.Set<String> definedIn(String text) {
        java.util.Set<String> names = new java.util.HashSet<>();
        try {
            collectDefinitions(new com.fasterxml.jackson.databind.ObjectMapper().readTree(text), null, names);
        } catch (IOException e) {
            throw new IllegalStateException("schema text is not JSON: " + e.getMessage(), e);
        }
        return names;
    }

    private static void collectDefinitions(com.fasterxml.jackson.databind.JsonNode node, String namespace, java.util.Set<String> names) {
        if (node.isArray()) {
            node.forEach(n -> collectDefinitions(n, namespace, names));
            return;
        }
        if (!node.isObject()) return;
        String ns = node.hasNonNull("namespace") ? node.get("namespace").asText() : namespace;
        String type = node.path("type").asText("");
        if (node.hasNonNull("name") && (type.equals("record") || type.equals("enum") || type.equals("fixed"))) {
            String name = node.get("name").asText();
            names.add(name.contains(".") || ns == null ? name : ns + "." + name);
        }
        node.forEach(child -> collectDefinitions(child, ns, names));
    }

    static Map<String, Schema> referencedTypes(Schema record) {
        Map<String, Schema> found = new LinkedHashMap<>();
        found.put(record.getFullName(), record);
        for (Schema.Field field : record.getFields()) {
            collect(field.schema(), found);
        }
        found.remove(record.getFullName());
        return found;
    }

    private static void collect(Schema schema, Map<String, Schema> found) {
        switch (schema.getType()) {
            case RECORD -> {
                if (found.putIfAbsent(schema.getFullName(), schema) == null) {
                    schema.getFields().forEach(field -> collect(field.schema(), found));
                }
            }
            case ENUM, FIXED -> found.putIfAbsent(schema.getFullName(), schema);
            case UNION -> schema.getTypes().forEach(branch -> collect(branch, found));
            case ARRAY -> collect(schema.getElementType(), found);
            case MAP -> collect(schema.getValueType(), found);
            default -> {}
        }
    }
}
