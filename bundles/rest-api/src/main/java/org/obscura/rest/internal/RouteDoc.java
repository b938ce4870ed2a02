package org.obscura.rest.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What the OpenAPI document says about one route, declared next to the route itself
 * ({@code router.add("GET", "/v1/lights", this::list, RouteDoc.of("lights", "...")...)}): summary, query
 * parameters, request body, the success answer and the error statuses. Path parameters are not declared here:
 * they come from the route's template and the router's own validation patterns.
 *
 * <p>Built once while the routes are added, read-only afterwards.
 */
final class RouteDoc {

    /** A query parameter: {@code type} is a JSON schema type ({@code string}, {@code integer}, ...). */
    record Query(String name, String type, String description) {
    }

    /** Standard meanings of error statuses, used when a route does not say more. */
    private static final Map<Integer, String> ERRORS = Map.ofEntries(
            Map.entry(400, "invalid input; the problem's field names it"),
            Map.entry(404, "no such resource"),
            Map.entry(409, "conflicts with the current state"),
            Map.entry(413, "request body too large"),
            Map.entry(501, "not supported by this camera or driver"),
            Map.entry(502, "the device, a file or the configuration store failed"),
            Map.entry(503, "unavailable: camera offline, service not running, or busy"),
            Map.entry(504, "the device did not answer in time"));

    private final String tag;
    private final String summary;
    private String description;
    private final List<Query> query = new ArrayList<>();
    private Map<String, Object> body;
    private boolean bodyRequired;
    private int status = 200;
    private String mediaType = "application/json";
    private String answer = "OK";
    private Map<String, Object> schema = Map.of("type", "object");
    private final SortedMap<Integer, String> errors = new TreeMap<>();

    private RouteDoc(String tag, String summary) {
        this.tag = tag;
        this.summary = summary;
    }

    /** @param tag the group the route is listed under ({@code cameras}, {@code lights}, ...) */
    static RouteDoc of(String tag, String summary) {
        return new RouteDoc(tag, summary);
    }

    RouteDoc description(String text) {
        this.description = text;
        return this;
    }

    RouteDoc query(String name, String type, String text) {
        query.add(new Query(name, type, text));
        return this;
    }

    /** A JSON request body with this schema. */
    RouteDoc body(boolean required, Map<String, Object> bodySchema) {
        this.body = bodySchema;
        this.bodyRequired = required;
        return this;
    }

    /** The success answer: a JSON document with this schema. */
    RouteDoc answers(int code, String text, Map<String, Object> answerSchema) {
        return answers(code, "application/json", text, answerSchema);
    }

    /** The success answer; {@code answerSchema} {@code null} for an answer without body (204). */
    RouteDoc answers(int code, String media, String text, Map<String, Object> answerSchema) {
        this.status = code;
        this.mediaType = media;
        this.answer = text;
        this.schema = answerSchema;
        return this;
    }

    /** Error statuses with their standard meaning. */
    RouteDoc errors(int... codes) {
        for (int c : codes) {
            String text = ERRORS.get(c);
            if (text == null) {
                throw new IllegalArgumentException("no standard meaning for status " + c + "; use error(status, text)");
            }
            errors.putIfAbsent(c, text);
        }
        return this;
    }

    /** An error status with what it means for this route. */
    RouteDoc error(int code, String text) {
        errors.put(code, text);
        return this;
    }

    String tag() {
        return tag;
    }

    String summary() {
        return summary;
    }

    String description() {
        return description;
    }

    List<Query> queries() {
        return Collections.unmodifiableList(query);
    }

    Map<String, Object> body() {
        return body;
    }

    boolean bodyRequired() {
        return bodyRequired;
    }

    int status() {
        return status;
    }

    String mediaType() {
        return mediaType;
    }

    String answer() {
        return answer;
    }

    Map<String, Object> schema() {
        return schema;
    }

    SortedMap<Integer, String> errors() {
        return Collections.unmodifiableSortedMap(errors);
    }

    // ---- small JSON schema builders for the declarations ----

    /**
     * An object schema. {@code properties} alternates names and types: a JSON type ({@code "string"}), an
     * array of one ({@code "string[]"}), or a schema map.
     */
    static Map<String, Object> object(List<String> required, Object... properties) {
        if (properties.length % 2 != 0) {
            throw new IllegalArgumentException("properties come in name, type pairs");
        }
        Map<String, Object> props = new LinkedHashMap<>();
        for (int i = 0; i < properties.length; i += 2) {
            props.put((String) properties[i], type(properties[i + 1]));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("type", "object");
        if (!required.isEmpty()) {
            out.put("required", List.copyOf(required));
        }
        out.put("properties", props);
        return out;
    }

    /** An object schema without required members. */
    static Map<String, Object> object(Object... properties) {
        return object(List.of(), properties);
    }

    /** An array schema of the given items. */
    static Map<String, Object> arrayOf(Object items) {
        return Map.of("type", "array", "items", type(items));
    }

    /** A schema for one of the JSON scalars a setting value may be. */
    static Map<String, Object> scalar() {
        return Map.of("oneOf", List.of(Map.of("type", "string"), Map.of("type", "number"), Map.of("type", "boolean")));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> type(Object t) {
        if (t instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        String s = (String) t;
        if (s.endsWith("[]")) {
            return arrayOf(s.substring(0, s.length() - 2));
        }
        return Map.of("type", s);
    }
}
