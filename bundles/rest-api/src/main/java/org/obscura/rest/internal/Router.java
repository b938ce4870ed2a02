package org.obscura.rest.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.obscura.camera.api.CameraConfig;

/**
 * Maps a method and a path to a handler: a small table of path templates such as
 * {@code /v1/cameras/{camera}/frame}, matched segment by segment.
 *
 * <p>The path given to {@link #match} is the raw (still percent-encoded) path below the servlet. It is split on
 * '/' first and each segment is decoded exactly once, so an encoded separator ({@code %2F}) or traversal
 * ({@code %2e%2e}) stays inside one segment, where parameter validation refuses it; a doubly encoded one
 * ({@code %252e}) decodes to a literal '%', which no parameter accepts either. A parameter's name decides
 * its kind and validation: {@code {camera}} a camera name ({@link CameraConfig#NAME_PATTERN}), {@code {driver}}
 * a driver id, {@code {file}} a plain file name, {@code {setting}} a camera setting key, {@code {light}} a light,
 * {@code {set}} an image set folder, {@code {sequence}} a sequence id.
 *
 * <p>Each route may carry its {@link RouteDoc}: the OpenAPI document is generated from the route table, so a
 * route and its description are declared in one place.
 *
 * <p>Routes are added at construction and only read afterwards; a built router is safe for concurrent use.
 */
final class Router {

    /** Answers one request. May throw CameraException or ApiException; anything else becomes a 500. */
    @FunctionalInterface
    interface Handler {
        Reply handle(Call call) throws Exception;
    }

    /** One route: method, template as written, its parsed segments and its description ({@code null}: none). */
    record Route(String method, String template, List<String> segments, Handler handler, RouteDoc doc) {
        int literals() {
            int n = 0;
            for (String s : segments) {
                if (!isParameter(s)) {
                    n++;
                }
            }
            return n;
        }
    }

    /** A matched route and its decoded, validated path parameters. */
    record Match(Route route, Map<String, String> params) {
    }

    private static final Pattern DRIVER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._@+-]{0,254}");
    /** V4L2 control keys ({@code white_balance_automatic}) and gphoto2 widget names ({@code iso}, {@code f-number}). */
    private static final Pattern SETTING = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    /** Light names as the lights bundle accepts them. */
    private static final Pattern LIGHT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    /** Image set folder names ({@link org.obscura.camera.api.ImageSets}). */
    private static final Pattern SET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,127}");
    /** Sequence ids as {@link SequenceResource} makes them. */
    private static final Pattern SEQUENCE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    private static final Map<String, Pattern> PARAMETERS = Map.of(
            "camera", CameraConfig.NAME_PATTERN, "driver", DRIVER_ID, "file", FILE_NAME, "setting", SETTING,
            "light", LIGHT, "set", SET, "sequence", SEQUENCE);

    private final List<Route> routes = new ArrayList<>();

    /**
     * Adds a route.
     *
     * @param template '/'-separated, starting with '/', with parameters {@code {camera}}, {@code {driver}},
     *                 {@code {file}}, {@code {setting}}, {@code {light}}, {@code {set}} or {@code {sequence}}
     * @throws IllegalArgumentException for a malformed template or an unknown parameter name
     */
    Router add(String method, String template, Handler handler) {
        return add(method, template, handler, null);
    }

    /**
     * Adds a route with its description, which the OpenAPI document is made from.
     *
     * @throws IllegalArgumentException for a malformed template, an unknown parameter name, or a method and
     *                                  template that are already routed
     */
    Router add(String method, String template, Handler handler, RouteDoc doc) {
        if (!template.startsWith("/")) {
            throw new IllegalArgumentException("template must start with '/': " + template);
        }
        List<String> segments = List.of(template.substring(1).split("/", -1));
        for (String s : segments) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("empty segment in template " + template);
            }
            if (isParameter(s) && !PARAMETERS.containsKey(parameterName(s))) {
                throw new IllegalArgumentException("unknown parameter " + s + " in " + template);
            }
        }
        for (Route r : routes) {
            if (r.method().equals(method) && r.template().equals(template)) {
                throw new IllegalArgumentException(method + " " + template + " is routed twice");
            }
        }
        routes.add(new Route(method, template, segments, handler, doc));
        return this;
    }

    /** Every route, in the order added. */
    List<Route> routes() {
        return Collections.unmodifiableList(routes);
    }

    /**
     * Finds the handler for a request.
     *
     * @param method  HTTP method; HEAD matches GET routes
     * @param rawPath the path below the servlet, still percent-encoded, e.g. {@code /v1/cameras/left}
     * @throws ApiException 400 for a malformed path or an invalid parameter, 404 when no route has this path,
     *                      405 (with {@code Allow}) when routes have it but not for this method
     */
    Match match(String method, String rawPath) {
        List<String> segments = segments(rawPath);
        List<Route> candidates = candidates(segments);
        if (candidates.isEmpty()) {
            throw new ApiException(Problem.notFound("no such resource: " + shorten(rawPath)));
        }
        String wanted = "HEAD".equals(method) ? "GET" : method;
        Route best = null;
        for (Route r : candidates) {
            if (r.method().equals(wanted) && (best == null || r.literals() > best.literals())) {
                best = r;
            }
        }
        if (best == null) {
            throw new ApiException(
                    Problem.of(405, "method-not-allowed", "Method not allowed",
                            "method " + method + " is not allowed here; allowed: " + allow(candidates)),
                    Map.of("Allow", allow(candidates)));
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < segments.size(); i++) {
            String t = best.segments().get(i);
            if (isParameter(t)) {
                String name = parameterName(t);
                params.put(name, validate(name, segments.get(i)));
            }
        }
        return new Match(best, Collections.unmodifiableMap(params));
    }

    /**
     * The value of the {@code Allow} header for a path.
     *
     * @throws ApiException 400 for a malformed path, 404 when no route has this path
     */
    String allowed(String rawPath) {
        List<Route> candidates = candidates(segments(rawPath));
        if (candidates.isEmpty()) {
            throw new ApiException(Problem.notFound("no such resource: " + shorten(rawPath)));
        }
        return allow(candidates);
    }

    private List<Route> candidates(List<String> segments) {
        List<Route> found = new ArrayList<>();
        for (Route r : routes) {
            if (r.segments().size() != segments.size()) {
                continue;
            }
            boolean same = true;
            for (int i = 0; i < segments.size() && same; i++) {
                String t = r.segments().get(i);
                same = isParameter(t) || t.equals(segments.get(i));
            }
            if (same) {
                found.add(r);
            }
        }
        return found;
    }

    private static String allow(List<Route> candidates) {
        Set<String> methods = new TreeSet<>();
        for (Route r : candidates) {
            methods.add(r.method());
            if ("GET".equals(r.method())) {
                methods.add("HEAD");
            }
        }
        methods.add("OPTIONS");
        return String.join(", ", methods);
    }

    /**
     * Splits a raw path on '/' and percent-decodes each segment once (UTF-8). A single trailing '/' is
     * ignored; empty segments inside the path are kept (and match no route).
     *
     * @throws ApiException 400 for malformed percent-encoding or invalid UTF-8
     */
    static List<String> segments(String rawPath) {
        String p = rawPath == null ? "" : rawPath;
        if (p.startsWith("/")) {
            p = p.substring(1);
        }
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String raw : p.split("/", -1)) {
            out.add(decode(raw));
        }
        return out;
    }

    /**
     * Percent-decodes one path segment once. '+' stays '+' (it means space only in query strings).
     *
     * @throws ApiException 400 for a truncated or non-hex escape or bytes that are not UTF-8
     */
    static String decode(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteBuffer bytes = ByteBuffer.allocate(raw.length() * 4);
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    throw ApiException.invalid(null, "malformed percent-encoding in path segment '" + shorten(raw) + "'");
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw ApiException.invalid(null, "malformed percent-encoding in path segment '" + shorten(raw) + "'");
                }
                bytes.put((byte) (hi * 16 + lo));
                i += 2;
            } else {
                bytes.put(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        bytes.flip();
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer chars = utf8.decode(bytes);
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw ApiException.invalid(null, "path segment '" + shorten(raw) + "' is not valid UTF-8");
        }
    }

    /**
     * Checks a decoded path parameter and returns it.
     *
     * @throws ApiException 400 naming the parameter
     */
    static String validate(String name, String value) {
        if (value.isEmpty()) {
            throw ApiException.invalid(name, name + " must not be empty");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '/' || c == '\\' || c < 0x20 || c == 0x7f) {
                throw ApiException.invalid(name,
                        name + " '" + printable(value) + "' contains a path separator or control character");
            }
        }
        if (value.equals(".") || value.equals("..") || value.contains("..")) {
            throw ApiException.invalid(name, name + " '" + printable(value) + "' must not contain '..'");
        }
        switch (name) {
            case "camera" -> {
                if (!CameraConfig.isValidName(value)) {
                    throw ApiException.invalid(name, "invalid camera name '" + printable(value)
                            + "': use 1 to 63 lower case letters, digits, '_' or '-', starting with a letter or digit");
                }
            }
            case "driver" -> {
                if (!DRIVER_ID.matcher(value).matches()) {
                    throw ApiException.invalid(name, "invalid driver id '" + printable(value) + "'");
                }
            }
            case "file" -> {
                if (!FILE_NAME.matcher(value).matches()) {
                    throw ApiException.invalid(name, "invalid file name '" + printable(value)
                            + "': use letters, digits, '.', '_', '-', '+' or '@', not starting with '.'");
                }
            }
            case "setting" -> {
                if (!SETTING.matcher(value).matches()) {
                    throw ApiException.invalid(name, "invalid setting name '" + printable(value)
                            + "': use up to 128 letters, digits, '.', '_' or '-', starting with a letter or digit");
                }
            }
            case "light", "set", "sequence" -> {
                if (!PARAMETERS.get(name).matcher(value).matches()) {
                    throw ApiException.invalid(name, "invalid " + name + " name '" + printable(value)
                            + "': use letters, digits, '_' or '-', starting with a letter or digit");
                }
            }
            default -> throw new IllegalStateException("unknown parameter " + name);
        }
        return value;
    }

    /** The pattern a path parameter must match (for the OpenAPI document); '..' is refused on top of it. */
    static Pattern parameterPattern(String name) {
        Pattern p = PARAMETERS.get(name);
        if (p == null) {
            throw new IllegalArgumentException("unknown parameter " + name);
        }
        return p;
    }

    /** The parameter names of a template, in order. */
    static List<String> parameters(Route route) {
        List<String> out = new ArrayList<>();
        for (String s : route.segments()) {
            if (isParameter(s)) {
                out.add(parameterName(s));
            }
        }
        return out;
    }

    private static boolean isParameter(String templateSegment) {
        return templateSegment.startsWith("{") && templateSegment.endsWith("}");
    }

    private static String parameterName(String templateSegment) {
        return templateSegment.substring(1, templateSegment.length() - 1);
    }

    /** A value fit to quote in a message: control characters escaped, at most 80 characters. */
    static String printable(String value) {
        StringBuilder b = new StringBuilder();
        int i = 0;
        for (; i < value.length() && b.length() < 80; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return i < value.length() ? b + "..." : b.toString();
    }

    private static String shorten(String s) {
        return s == null ? "" : printable(s);
    }
}
