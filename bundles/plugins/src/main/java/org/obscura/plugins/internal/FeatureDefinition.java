package org.obscura.plugins.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One feature: a named group of bundles (by symbolic name), the features it builds on, and default
 * configurations, read from {@code features/<name>.json}:
 *
 * <pre>{@code
 * {
 *   "description": "DSLR cameras through libgphoto2",
 *   "bundles": ["org.obscura.driver.gphoto2"],
 *   "requires": [],
 *   "configurations": {
 *     "org.obscura.driver.gphoto2": {"liveview.fps": 10},
 *     "org.obscura.driver.testpattern.camera~lab": {"name": "lab", "pattern": "checkers"}
 *   }
 * }
 * }</pre>
 *
 * A configuration key with a {@code ~} is a named factory configuration ({@code <factoryPid>~<name>}). Default
 * configurations are created when the feature is installed and missing; existing ones are never changed.
 *
 * @param name           the feature name, the file name without {@code .json}
 * @param description    one sentence
 * @param bundles        bundle symbolic names, in start order
 * @param requires       features installed first
 * @param configurations PID (or {@code factoryPid~name}) to properties
 */
record FeatureDefinition(String name, String description, List<String> bundles, List<String> requires,
        Map<String, Map<String, Object>> configurations) {

    /** What a feature name must look like. */
    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

    FeatureDefinition {
        bundles = List.copyOf(bundles);
        requires = List.copyOf(requires);
        configurations = Map.copyOf(configurations);
    }

    /**
     * Parses a feature file.
     *
     * @throws IOException naming what is wrong, for the feature list's {@code problem}
     */
    static FeatureDefinition parse(String name, InputStream json, ObjectMapper mapper) throws IOException {
        JsonNode root = mapper.readTree(json);
        if (root == null || !root.isObject()) {
            throw new IOException("not a JSON object");
        }
        String description = root.path("description").asText("");
        List<String> bundles = strings(root, "bundles");
        if (bundles.isEmpty()) {
            throw new IOException("\"bundles\" must list at least one bundle symbolic name");
        }
        List<String> requires = strings(root, "requires");
        for (String r : requires) {
            if (!NAME.matcher(r).matches()) {
                throw new IOException("\"requires\" names '" + r + "', which is not a feature name");
            }
        }
        Map<String, Map<String, Object>> configurations = new LinkedHashMap<>();
        JsonNode configs = root.path("configurations");
        if (!configs.isMissingNode() && !configs.isNull()) {
            if (!configs.isObject()) {
                throw new IOException("\"configurations\" must be an object of PID to properties");
            }
            for (var e : (Iterable<Map.Entry<String, JsonNode>>) configs::fields) {
                if (!e.getValue().isObject()) {
                    throw new IOException("configuration '" + e.getKey() + "' must be an object of properties");
                }
                Map<String, Object> properties = new LinkedHashMap<>();
                for (var p : (Iterable<Map.Entry<String, JsonNode>>) e.getValue()::fields) {
                    properties.put(p.getKey(), value(e.getKey() + "/" + p.getKey(), p.getValue()));
                }
                configurations.put(e.getKey(), properties);
            }
        }
        return new FeatureDefinition(name, description, bundles, requires, configurations);
    }

    private static List<String> strings(JsonNode root, String field) throws IOException {
        JsonNode node = root.path(field);
        List<String> list = new ArrayList<>();
        if (node.isMissingNode() || node.isNull()) {
            return list;
        }
        if (!node.isArray()) {
            throw new IOException("\"" + field + "\" must be an array of strings");
        }
        for (JsonNode n : node) {
            if (!n.isTextual() || n.asText().isBlank()) {
                throw new IOException("\"" + field + "\" must be an array of non-empty strings");
            }
            list.add(n.asText().strip());
        }
        return list;
    }

    /** A configuration value of a ConfigAdmin type: String, Boolean, Integer/Long, Double, or a String[]. */
    private static Object value(String where, JsonNode v) throws IOException {
        if (v.isTextual()) {
            return v.asText();
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isInt()) {
            return v.asInt();
        }
        if (v.isIntegralNumber()) {
            return v.asLong();
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        if (v.isArray()) {
            List<String> items = new ArrayList<>();
            for (JsonNode n : v) {
                if (!n.isValueNode()) {
                    throw new IOException(where + ": arrays may only hold plain values");
                }
                items.add(n.asText());
            }
            return items.toArray(String[]::new);
        }
        throw new IOException(where + ": a value must be a string, number, boolean or array");
    }
}
