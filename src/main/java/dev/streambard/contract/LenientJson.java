package dev.streambard.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;

/**
 * Turns the JSON people write by hand into the Avro JSON encoding that Avro's JsonDecoder
 * insists on: absent fields that have defaults are filled in, and union values may be given
 * plain ({@code "rngSeed": 5}) or wrapped ({@code "rngSeed": {"long": 5}}). Types are still
 * checked strictly, and unknown fields are rejected, so a typo such as {@code "max_chars"}
 * is reported instead of silently falling back to the default. Errors name the field by its
 * path ({@code stopSequences[2]}, {@code sourceOffsets.corpus-0}).
 */
final class LenientJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private LenientJson() {}

    /** @throws ContractException naming the offending field; the message has no record-name prefix */
    static JsonNode toAvroJson(Schema schema, JsonNode value) {
        return normalize(schema, value, "");
    }

    private static JsonNode normalize(Schema schema, JsonNode value, String path) {
        return switch (schema.getType()) {
            case RECORD -> record(schema, value, path);
            case UNION -> union(schema, value, path);
            case ARRAY -> {
                expect(value.isArray(), schema, value, path);
                ArrayNode items = NODES.arrayNode();
                for (int i = 0; i < value.size(); i++) {
                    items.add(normalize(schema.getElementType(), value.get(i), path + "[" + i + "]"));
                }
                yield items;
            }
            case MAP -> {
                expect(value.isObject(), schema, value, path);
                ObjectNode entries = NODES.objectNode();
                for (Map.Entry<String, JsonNode> entry : value.properties()) {
                    entries.set(entry.getKey(), normalize(schema.getValueType(), entry.getValue(), child(path, entry.getKey())));
                }
                yield entries;
            }
            case ENUM -> NODES.textNode(enumSymbol(schema, value, path));
            case STRING, BYTES -> {
                expect(value.isTextual(), schema, value, path);
                yield value;
            }
            case FIXED -> {
                expect(value.isTextual() && value.textValue().length() == schema.getFixedSize(), schema, value, path);
                yield value;
            }
            case INT -> {
                expect(value.isIntegralNumber() && value.canConvertToInt(), schema, value, path);
                yield NODES.numberNode(value.intValue());
            }
            case LONG -> {
                expect(value.isIntegralNumber() && value.canConvertToLong(), schema, value, path);
                yield NODES.numberNode(value.longValue());
            }
            case FLOAT, DOUBLE -> {
                if (value.isTextual() && List.of("NaN", "Infinity", "-Infinity").contains(value.textValue())) {
                    // Avro's JsonEncoder writes these, but its JsonDecoder cannot read them back.
                    throw new ContractException(field(path) + ": " + value.textValue()
                            + " cannot be read from JSON; send this record in Avro binary");
                }
                expect(value.isNumber(), schema, value, path);
                yield NODES.numberNode(value.doubleValue());
            }
            case BOOLEAN -> {
                expect(value.isBoolean(), schema, value, path);
                yield value;
            }
            case NULL -> {
                expect(value.isNull(), schema, value, path);
                yield value;
            }
        };
    }

    private static ObjectNode record(Schema schema, JsonNode value, String path) {
        expect(value.isObject(), schema, value, path);
        ObjectNode fields = NODES.objectNode();
        for (Schema.Field field : schema.getFields()) {
            String fieldPath = child(path, field.name());
            JsonNode given = value.get(field.name());
            if (given == null) {
                if (!field.hasDefaultValue()) {
                    throw new ContractException("missing required field " + fieldPath);
                }
                given = defaultValue(field.defaultVal());
            }
            fields.set(field.name(), normalize(field.schema(), given, fieldPath));
        }
        for (Map.Entry<String, JsonNode> given : value.properties()) {
            String name = given.getKey();
            if (schema.getField(name) == null) {
                throw new ContractException("unknown field " + child(path, name) + "; " + schema.getName() + " has "
                        + schema.getFields().stream().map(Schema.Field::name).collect(Collectors.joining(", ")));
            }
        }
        return fields;
    }

    private static JsonNode union(Schema union, JsonNode value, String path) {
        if (value.isObject() && value.size() == 1) {
            String key = value.properties().iterator().next().getKey();
            for (Schema branch : union.getTypes()) {
                if (key.equals(branchName(branch)) || key.equals(branch.getName())) {
                    return wrap(branch, normalize(branch, value.get(key), path));
                }
            }
        }
        for (Schema branch : union.getTypes()) {
            if (accepts(branch, value)) {
                return wrap(branch, normalize(branch, value, path));
            }
        }
        throw new ContractException(field(path) + ": expected "
                + union.getTypes().stream().map(LenientJson::typeName).collect(Collectors.joining(" or "))
                + ", got " + describe(value));
    }

    private static JsonNode wrap(Schema branch, JsonNode value) {
        return branch.getType() == Schema.Type.NULL ? value : NODES.objectNode().set(branchName(branch), value);
    }

    /** The key Avro JSON uses for a union branch: the full name of a named type, else the type. */
    private static String branchName(Schema branch) {
        return switch (branch.getType()) {
            case RECORD, ENUM, FIXED -> branch.getFullName();
            default -> branch.getType().getName();
        };
    }

    private static boolean accepts(Schema branch, JsonNode value) {
        return switch (branch.getType()) {
            case NULL -> value.isNull();
            case BOOLEAN -> value.isBoolean();
            case INT -> value.isIntegralNumber() && value.canConvertToInt();
            case LONG -> value.isIntegralNumber() && value.canConvertToLong();
            case FLOAT, DOUBLE -> value.isNumber();
            case STRING, BYTES -> value.isTextual();
            case FIXED -> value.isTextual() && value.textValue().length() == branch.getFixedSize();
            case ENUM -> value.isTextual() && matchSymbol(branch, value.textValue()) != null;
            case ARRAY -> value.isArray();
            case MAP, RECORD -> value.isObject();
            case UNION -> false;
        };
    }

    private static String enumSymbol(Schema schema, JsonNode value, String path) {
        String symbol = value.isTextual() ? matchSymbol(schema, value.textValue()) : null;
        if (symbol == null) {
            throw new ContractException(field(path) + ": expected one of " + String.join(", ", schema.getEnumSymbols())
                    + ", got " + describe(value));
        }
        return symbol;
    }

    /** Exact, else case-insensitive ("stop" for STOP); null when no symbol matches. */
    private static String matchSymbol(Schema schema, String text) {
        if (schema.hasEnumSymbol(text)) {
            return text;
        }
        return schema.getEnumSymbols().stream()
                .filter(symbol -> symbol.toUpperCase(Locale.ROOT).equals(text.toUpperCase(Locale.ROOT)))
                .findFirst().orElse(null);
    }

    /** A field default as Avro's Schema.Field#defaultVal gives it, back as JSON. */
    private static JsonNode defaultValue(Object value) {
        if (value == null || value == JsonProperties.NULL_VALUE) {
            return NODES.nullNode();
        } else if (value instanceof Map<?, ?> map) {
            ObjectNode object = NODES.objectNode();
            map.forEach((key, item) -> object.set(String.valueOf(key), defaultValue(item)));
            return object;
        } else if (value instanceof Collection<?> items) {
            ArrayNode array = NODES.arrayNode();
            items.forEach(item -> array.add(defaultValue(item)));
            return array;
        } else if (value instanceof byte[] bytes) {
            return NODES.textNode(new String(bytes, StandardCharsets.ISO_8859_1));
        } else if (value instanceof Boolean flag) {
            return NODES.booleanNode(flag);
        } else if (value instanceof Integer number) {
            return NODES.numberNode(number);
        } else if (value instanceof Long number) {
            return NODES.numberNode(number);
        } else if (value instanceof Number number) {
            return NODES.numberNode(number.doubleValue());
        }
        return NODES.textNode(value.toString());
    }

    private static void expect(boolean ok, Schema schema, JsonNode value, String path) {
        if (!ok) {
            throw new ContractException(field(path) + ": expected " + typeName(schema) + ", got " + describe(value));
        }
    }

    private static String typeName(Schema schema) {
        return switch (schema.getType()) {
            case RECORD -> "a " + schema.getName() + " object";
            case ENUM -> schema.getName() + " (" + String.join(", ", schema.getEnumSymbols()) + ")";
            case FIXED -> "a string of " + schema.getFixedSize() + " bytes";
            case ARRAY -> "an array of " + typeName(schema.getElementType());
            case MAP -> "an object of " + typeName(schema.getValueType());
            default -> schema.getType().getName();
        };
    }

    private static String describe(JsonNode value) {
        String kind = switch (value.getNodeType()) {
            case STRING -> "string";
            case NUMBER -> "number";
            case BOOLEAN -> "boolean";
            case ARRAY -> "array";
            case OBJECT -> "object";
            default -> "";
        };
        String text = value.toString();
        if (text.length() > 40) {
            text = text.substring(0, 37) + "...";
        }
        return kind.isEmpty() ? text : kind + " " + text;
    }

    private static String field(String path) {
        return path.isEmpty() ? "record" : "field " + path;
    }

    private static String child(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }
}
