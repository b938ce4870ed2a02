package org.obscura.rest.internal;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One API request as a handler sees it: the method, the route's decoded and validated path parameters, the
 * query parameters (decoded once, first value wins) and the body, read on first use within the size limit.
 * Handlers never see the servlet API, so they can be tested with plain values.
 *
 * <p>Query parameters are parsed from the raw query string rather than through the container, so a
 * form-encoded body is never consumed behind a handler's back. Not thread-safe: one call, one thread.
 */
final class Call {

    /** Where the body comes from; enforces the size limit (ApiException 413 beyond it). */
    @FunctionalInterface
    interface Body {
        /** The whole body; empty when the request has none. */
        byte[] read() throws IOException;
    }

    private final String method;
    private final Map<String, String> params;
    private final Map<String, String> query;
    private final Body body;
    private final String base;
    private final JsonCodec json;
    private final Client client;
    private byte[] bytes;

    /**
     * Who sent the request, as far as the transport tells: for the routes that check credentials themselves
     * ({@code /v1/auth}).
     *
     * @param authorization the {@code Authorization} header, or {@code null}
     * @param remote        the client's address, or {@code null}
     */
    record Client(String authorization, String remote) {
        static final Client UNKNOWN = new Client(null, null);
    }

    /**
     * @param base     URL path of the API servlet as clients reach it, e.g. {@code /api}; resource URLs are built on it
     * @param rawQuery the raw query string, or {@code null}
     */
    Call(String method, Map<String, String> params, String rawQuery, Body body, String base, JsonCodec json) {
        this(method, params, rawQuery, body, base, json, Client.UNKNOWN);
    }

    Call(String method, Map<String, String> params, String rawQuery, Body body, String base, JsonCodec json,
            Client client) {
        this.client = client;
        this.method = method;
        this.params = Map.copyOf(params);
        this.query = parseQuery(rawQuery);
        this.body = body;
        this.base = base;
        this.json = json;
    }

    String method() {
        return method;
    }

    Client client() {
        return client;
    }

    /** A path parameter of the matched route, already validated for its kind. */
    String param(String name) {
        String v = params.get(name);
        if (v == null) {
            throw new IllegalStateException("route has no parameter " + name);
        }
        return v;
    }

    /** The URL path of the API servlet, e.g. {@code /api}. */
    String base() {
        return base;
    }

    /** A query parameter, if present (possibly empty). */
    Optional<String> query(String name) {
        return Optional.ofNullable(query.get(name));
    }

    /**
     * An integer query parameter within {@code min..max}, or {@code fallback} when absent or empty.
     *
     * @throws ApiException 400 naming the parameter when it is not an integer in range
     */
    Integer intQuery(String name, int min, int max, Integer fallback) {
        String v = query.get(name);
        if (v == null || v.isEmpty()) {
            return fallback;
        }
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw ApiException.invalid(name, name + " must be an integer from " + min + " to " + max
                    + ", not '" + Router.printable(v) + "'");
        }
        if (n < min || n > max) {
            throw ApiException.invalid(name, name + " must be from " + min + " to " + max + ", not " + n);
        }
        return (int) n;
    }

    /**
     * A decimal query parameter within {@code min..max}, or {@code fallback} when absent or empty.
     *
     * @throws ApiException 400 naming the parameter when it is not a finite number in range
     */
    Double doubleQuery(String name, double min, double max, Double fallback) {
        String v = query.get(name);
        if (v == null || v.isEmpty()) {
            return fallback;
        }
        double d;
        try {
            d = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            d = Double.NaN;
        }
        if (Double.isNaN(d) || d < min || d > max) {
            throw ApiException.invalid(name, name + " must be a number from " + trim(min) + " to " + trim(max)
                    + ", not '" + Router.printable(v) + "'");
        }
        return d;
    }

    /**
     * A boolean query parameter: {@code true}/{@code false}/{@code 1}/{@code 0}; present without a value
     * means true.
     *
     * @throws ApiException 400 naming the parameter for anything else
     */
    boolean booleanQuery(String name, boolean fallback) {
        String v = query.get(name);
        if (v == null) {
            return fallback;
        }
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "", "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw ApiException.invalid(name, name + " must be true or false, not '" + Router.printable(v) + "'");
        };
    }

    /**
     * The body as a JSON object.
     *
     * @throws ApiException 400 when the body is missing, malformed or not an object; 413 when too large
     */
    Map<String, Object> jsonObject() {
        byte[] b = bytes();
        if (b.length == 0) {
            throw ApiException.invalid(null, "the request needs a JSON object as its body");
        }
        return json.readObject(b);
    }

    /** The body as a JSON object, or an empty map when there is no body (or only white space). */
    Map<String, Object> optionalJsonObject() {
        byte[] b = bytes();
        for (byte c : b) {
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return json.readObject(b);
            }
        }
        return Map.of();
    }

    private byte[] bytes() {
        if (bytes == null) {
            try {
                bytes = body == null ? new byte[0] : body.read();
            } catch (IOException e) {
                throw ApiException.invalid(null, "could not read the request body: " + e.getMessage());
            }
        }
        return bytes;
    }

    /**
     * Parses a raw query string: '&'-separated {@code name=value} pairs, each decoded once (form encoding:
     * '+' is a space). The first value of a repeated name wins.
     *
     * @throws ApiException 400 for malformed percent-encoding
     */
    static Map<String, String> parseQuery(String raw) {
        if (raw == null || raw.isEmpty()) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                out.putIfAbsent(URLDecoder.decode(name, StandardCharsets.UTF_8),
                        URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid(null, "malformed query string near '" + Router.printable(pair) + "'");
            }
        }
        return Collections.unmodifiableMap(out);
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}
