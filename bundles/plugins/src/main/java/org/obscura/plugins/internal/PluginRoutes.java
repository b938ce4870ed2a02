package org.obscura.plugins.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

import org.obscura.camera.api.CameraException;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The route table of {@link PluginsServlet}: what it dispatches on and, from the same entries, the OpenAPI
 * operations it describes to the REST API's document. Each route is declared with its {@link Doc} next to its
 * handler, so a route cannot be served without being documented.
 *
 * <p>Templates are relative to the API base {@code /api} ({@code /v1/bundles/{id}}); a {@code {name}} segment
 * matches any one non-empty segment, the handler validates it. Built once, read-only afterwards
 * (thread-safe for reading).
 */
final class PluginRoutes {

    /** Serves one matched request; failures are thrown ({@link CameraException}, {@link PluginsServlet.HttpProblem}). */
    interface Handler {
        void handle(HttpServletRequest request, HttpServletResponse response, Map<String, String> params)
                throws IOException, ServletException;
    }

    record Route(String method, String template, List<String> segments, Handler handler, Doc doc) {
    }

    /** A matched route and its path parameters by name. */
    record Match(Route route, Map<String, String> params) {
    }

    private final List<Route> routes = new ArrayList<>();

    PluginRoutes add(String method, String template, Handler handler, Doc doc) {
        if (!template.startsWith("/v1/")) {
            throw new IllegalArgumentException("a route template starts with /v1/: " + template);
        }
        for (Route r : routes) {
            if (r.method().equals(method) && r.template().equals(template)) {
                throw new IllegalArgumentException("declared twice: " + method + " " + template);
            }
        }
        routes.add(new Route(method, template, List.of(template.substring(1).split("/")), handler, doc));
        return this;
    }

    List<Route> routes() {
        return Collections.unmodifiableList(routes);
    }

    /**
     * The route for a request.
     *
     * @param path the request path below {@code /api}, e.g. {@code /v1/bundles/3/start}
     * @throws CameraException               NOT_FOUND when no route has this path
     * @throws PluginsServlet.HttpProblem 405 naming the allowed methods when routes have it, none this method
     */
    Match match(String method, String path) {
        List<String> segments = path.startsWith("/") ? List.of(path.substring(1).split("/", -1)) : List.of();
        Set<String> allowed = new LinkedHashSet<>();
        for (Route r : routes) {
            Map<String, String> params = params(r.segments(), segments);
            if (params == null) {
                continue;
            }
            if (r.method().equals(method)) {
                return new Match(r, params);
            }
            allowed.add(r.method());
        }
        if (allowed.isEmpty()) {
            throw CameraException.notFound("no such route: /api" + path);
        }
        throw new PluginsServlet.HttpProblem(405, "method-not-allowed", "Method not allowed",
                "allowed here: " + String.join(", ", allowed));
    }

    private static Map<String, String> params(List<String> template, List<String> segments) {
        if (template.size() != segments.size()) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < template.size(); i++) {
            String t = template.get(i);
            String s = segments.get(i);
            if (isParameter(t)) {
                if (s.isEmpty()) {
                    return null;
                }
                params.put(t.substring(1, t.length() - 1), s);
            } else if (!t.equals(s)) {
                return null;
            }
        }
        return params;
    }

    private static boolean isParameter(String segment) {
        return segment.startsWith("{") && segment.endsWith("}");
    }

    /** The path parameter names of a template, in order. */
    static List<String> parameters(String template) {
        List<String> out = new ArrayList<>();
        for (String s : template.substring(1).split("/")) {
            if (isParameter(s)) {
                out.add(s.substring(1, s.length() - 1));
            }
        }
        return out;
    }

    /**
     * The OpenAPI 3 "paths" fragment of every route: template -> lower-case method -> operation. Every route
     * is for the administrator ({@code x-obscura-access: ADMIN}, bearer or basic) and answers errors as
     * {@code application/problem+json} with the document's {@code Problem} schema.
     *
     * @param parameterSchemas the JSON schema of each path parameter name
     */
    Map<String, Object> openApiPaths(Map<String, Map<String, Object>> parameterSchemas) {
        Map<String, Object> paths = new TreeMap<>();
        for (Route r : routes) {
            @SuppressWarnings("unchecked")
            Map<String, Object> path = (Map<String, Object>) paths.computeIfAbsent(r.template(),
                    t -> new TreeMap<String, Object>());
            path.put(r.method().toLowerCase(Locale.ROOT), operation(r, parameterSchemas));
        }
        return paths;
    }

    private static Map<String, Object> operation(Route r, Map<String, Map<String, Object>> parameterSchemas) {
        Doc d = r.doc();
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("tags", List.of(d.tag));
        op.put("summary", d.summary);
        if (d.description != null) {
            op.put("description", d.description);
        }
        op.put("operationId", operationId(r));
        List<Object> params = new ArrayList<>();
        for (String name : parameters(r.template())) {
            Map<String, Object> schema = parameterSchemas.get(name);
            if (schema == null) {
                throw new IllegalStateException("no schema for path parameter " + name + " of " + r.template());
            }
            params.add(Map.of("name", name, "in", "path", "required", true, "schema", schema));
        }
        for (String[] q : d.queries) {
            params.add(Map.of("name", q[0], "in", "query", "required", false, "description", q[2],
                    "schema", Map.of("type", q[1])));
        }
        if (!params.isEmpty()) {
            op.put("parameters", params);
        }
        if (d.body != null) {
            op.put("requestBody", Map.of("required", true, "description", d.body, "content", JAR_BODY));
        }
        Map<String, Object> responses = new LinkedHashMap<>();
        for (Map.Entry<Integer, Object[]> ok : d.answers.entrySet()) {
            Map<String, Object> response = new LinkedHashMap<>();
            response.put("description", ok.getValue()[0]);
            response.put("content", Map.of("application/json", Map.of("schema", ok.getValue()[1])));
            responses.put(String.valueOf(ok.getKey()), response);
        }
        SortedMap<Integer, String> errors = new TreeMap<>(d.errors);
        errors.putIfAbsent(401, "admin authentication required");
        errors.putIfAbsent(405, "the path exists, the method does not; the problem names the allowed ones");
        errors.putIfAbsent(500, "unexpected failure; the problem's errorId is in the server log");
        for (Map.Entry<Integer, String> e : errors.entrySet()) {
            responses.put(String.valueOf(e.getKey()), Map.of("description", e.getValue(), "content",
                    Map.of(PluginsServlet.PROBLEM, Map.of("schema", Map.of("$ref", "#/components/schemas/Problem")))));
        }
        op.put("responses", responses);
        op.put("security", List.of(Map.of("bearer", List.of()), Map.of("basic", List.of())));
        op.put("x-obscura-access", "ADMIN");
        return op;
    }

    /** An uploaded jar: raw or as the first file of a form. */
    private static final Map<String, Object> JAR_BODY = Map.of(
            "application/java-archive", Map.of("schema", Map.of("type", "string", "format", "binary")),
            "application/octet-stream", Map.of("schema", Map.of("type", "string", "format", "binary")),
            "multipart/form-data", Map.of("schema", Map.of("type", "object", "properties",
                    Map.of("bundle", Map.of("type", "string", "format", "binary")))));

    /** {@code POST /v1/bundles/{id}/start} -> {@code postBundlesIdStart}, like the REST API's own ids. */
    static String operationId(Route r) {
        StringBuilder b = new StringBuilder(r.method().toLowerCase(Locale.ROOT));
        for (String segment : r.segments()) {
            if (segment.equals("v1")) {
                continue;
            }
            boolean upper = true;
            for (char c : segment.toCharArray()) {
                if (Character.isLetterOrDigit(c)) {
                    b.append(upper ? Character.toUpperCase(c) : c);
                    upper = false;
                } else {
                    upper = true;
                }
            }
        }
        return b.toString();
    }

    /** What the OpenAPI document says about one route, declared next to it. Built once, then only read. */
    static final class Doc {
        private final String tag;
        private final String summary;
        private String description;
        private final List<String[]> queries = new ArrayList<>();
        private String body;
        private final SortedMap<Integer, Object[]> answers = new TreeMap<>();
        private final SortedMap<Integer, String> errors = new TreeMap<>();

        private Doc(String tag, String summary) {
            this.tag = tag;
            this.summary = summary;
        }

        static Doc of(String tag, String summary) {
            return new Doc(tag, summary);
        }

        Doc description(String text) {
            this.description = text;
            return this;
        }

        /** A query parameter; {@code type} is a JSON schema type. */
        Doc query(String name, String type, String text) {
            queries.add(new String[] {name, type, text});
            return this;
        }

        /** The request body is a bundle jar (raw, or the first file of a multipart form). */
        Doc jarBody(String text) {
            this.body = text;
            return this;
        }

        /** A success answer: a JSON document with this schema. */
        Doc answers(int status, String text, Map<String, Object> schema) {
            answers.put(status, new Object[] {text, schema});
            return this;
        }

        /** An error answer ({@code application/problem+json}) and what it means here. */
        Doc error(int status, String text) {
            errors.put(status, text);
            return this;
        }
    }
}
