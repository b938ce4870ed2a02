package org.obscura.rest.internal;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * JSON in and out. Dates and times are written as ISO-8601 strings ({@code 2025-11-20T10:15:30.123Z}), never
 * as numbers; records serialise by their components. Request bodies are read strictly: duplicate keys and
 * trailing content are errors, and every failure becomes a 400 that says where the JSON broke.
 *
 * <p>Thread-safe (the mapper is configured once and only used afterwards).
 */
final class JsonCodec {

    private final ObjectMapper mapper = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** Serialises a value as UTF-8 JSON. */
    byte[] write(Object value) throws IOException {
        return mapper.writeValueAsBytes(value);
    }

    /**
     * Parses a body that must be a JSON object. Values come out as String, Integer/Long/BigInteger, Double,
     * Boolean, List, Map (insertion-ordered) or null.
     *
     * @throws ApiException 400 saying what is wrong and where
     */
    @SuppressWarnings("unchecked")
    Map<String, Object> readObject(byte[] body) {
        Object value;
        try {
            value = mapper.readValue(body, Object.class);
        } catch (JacksonException e) {
            throw ApiException.invalid(null, "malformed JSON" + where(e.getLocation()) + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.invalid(null, "unreadable JSON: " + e.getMessage());
        }
        if (value instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw ApiException.invalid(null, "the request body must be a JSON object, not " + describe(value));
    }

    /** Converts a value to plain JSON data (maps, lists, strings, numbers), as it would be written. */
    Object toPlain(Object value) {
        return mapper.convertValue(value, Object.class);
    }

    /** A JSON type name for messages: "a string", "an array", ... */
    static String describe(Object value) {
        if (value == null) {
            return "null";
        } else if (value instanceof String) {
            return "a string";
        } else if (value instanceof Boolean) {
            return "a boolean";
        } else if (value instanceof Number) {
            return "a number";
        } else if (value instanceof List) {
            return "an array";
        } else if (value instanceof Map) {
            return "an object";
        }
        return value.getClass().getSimpleName();
    }

    private static String where(JsonLocation location) {
        if (location == null || location.getLineNr() < 0) {
            return "";
        }
        return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }
}
