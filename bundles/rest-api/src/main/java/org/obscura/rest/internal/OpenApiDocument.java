package org.obscura.rest.internal;

import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.obscura.camera.api.ApiDescription;

/**
 * The OpenAPI 3 document of the v1 API, generated from the router's route table: every route's path and
 * method, its path parameters (from the template, with the router's own validation pattern), and the rest from
 * the {@link RouteDoc} declared next to the route. Every error answer is {@code application/problem+json} with
 * the {@code Problem} schema. A route added without a RouteDoc is left out, which the route table test catches.
 *
 * <p>Routes that other bundles serve under {@code /api/v1} with their own servlets come from their
 * {@link ApiDescription} services and are merged in: their paths and schemas are added where nothing is
 * declared yet; on a conflict the route table (then the earlier description) wins and the conflict is reported.
 *
 * <p>The server URL is relative ({@code /api}), so the document is the same behind any host.
 */
final class OpenApiDocument {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private OpenApiDocument() {
    }

    /**
     * @param base    the servlet path the routes are under, e.g. {@code /api}
     * @param version the server's version
     */
    static ObjectNode of(Router router, String base, String version) {
        return of(router, base, version, List.of(), conflict -> { });
    }

    /**
     * @param base          the servlet path the routes are under, e.g. {@code /api}
     * @param version       the server's version
     * @param contributions descriptions of routes served by other bundles, earlier ones winning conflicts
     * @param conflicts     told, in a sentence, about every declaration left out (a conflict or a malformed
     *                      fragment)
     */
    static ObjectNode of(Router router, String base, String version, List<ApiDescription> contributions,
            Consumer<String> conflicts) {
        ObjectNode doc = MAPPER.createObjectNode();
        doc.put("openapi", "3.0.3");
        ObjectNode info = doc.putObject("info");
        info.put("title", "Obscura REST API");
        info.put("version", version);
        info.put("description", "Cameras, live pictures, captures, lights, sequences and image sets. Errors are "
                + "application/problem+json. HEAD works wherever GET does; OPTIONS answers 204 with Allow. "
                + "x-obscura-access is the access level a route needs: OPEN (anybody), VIEW (anybody unless "
                + "viewing is configured closed; then the administrator, also by ?token=), CAPTURE (anybody unless "
                + "capture is configured to need the administrator), ADMIN (the administrator). Credentials: "
                + "Authorization: Bearer <token> (POST /auth/token) or Basic; 401 answers carry "
                + "WWW-Authenticate: Bearer realm=\"obscura\".");
        doc.putArray("servers").addObject().put("url", base);
        ObjectNode paths = doc.putObject("paths");
        for (Router.Route route : router.routes()) {
            RouteDoc d = route.doc();
            if (d == null) {
                continue;
            }
            ObjectNode path = paths.has(route.template()) ? (ObjectNode) paths.get(route.template())
                    : paths.putObject(route.template());
            path.set(route.method().toLowerCase(Locale.ROOT), operation(route, d));
        }
        ObjectNode components = doc.putObject("components");
        ObjectNode schemas = components.putObject("schemas");
        schemas.set("Problem", problemSchema());
        for (ApiDescription contribution : contributions) {
            merge(contribution, paths, schemas, conflicts);
        }
        ObjectNode schemes = components.putObject("securitySchemes");
        schemes.putObject("bearer").put("type", "http").put("scheme", "bearer");
        schemes.putObject("basic").put("type", "http").put("scheme", "basic");
        return doc;
    }

    /**
     * Adds one description's paths and schemas where nothing is declared yet. A description that throws or
     * holds something other than JSON-friendly values is left out whole, so the document stays valid.
     */
    private static void merge(ApiDescription contribution, ObjectNode paths, ObjectNode schemas,
            Consumer<String> conflicts) {
        JsonNode morePaths;
        JsonNode moreSchemas;
        try {
            morePaths = MAPPER.valueToTree(contribution.openApiPaths());
            moreSchemas = MAPPER.valueToTree(contribution.schemas());
        } catch (RuntimeException e) {
            conflicts.accept("API description " + contribution.getClass().getName() + " left out: " + e);
            return;
        }
        if (morePaths != null && !morePaths.isObject() || moreSchemas != null && !moreSchemas.isObject()) {
            conflicts.accept("API description " + contribution.getClass().getName()
                    + " left out: its paths and schemas must be JSON objects");
            return;
        }
        if (morePaths != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = morePaths.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> path = it.next();
                if (!path.getKey().startsWith("/v1/") || !path.getValue().isObject()) {
                    conflicts.accept("API path " + path.getKey() + " left out: a path starts with /v1/ and "
                            + "maps methods to operations");
                    continue;
                }
                ObjectNode target = paths.has(path.getKey()) ? (ObjectNode) paths.get(path.getKey())
                        : MAPPER.createObjectNode();
                for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext();) {
                    Map.Entry<String, JsonNode> op = ops.next();
                    if (target.has(op.getKey())) {
                        conflicts.accept("API operation " + op.getKey().toUpperCase(Locale.ROOT) + " "
                                + path.getKey() + " is declared already; the later declaration is left out");
                    } else {
                        target.set(op.getKey(), op.getValue());
                    }
                }
                if (!target.isEmpty() && !paths.has(path.getKey())) {
                    paths.set(path.getKey(), target);
                }
            }
        }
        if (moreSchemas != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = moreSchemas.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> schema = it.next();
                if (schemas.has(schema.getKey())) {
                    conflicts.accept("API schema " + schema.getKey() + " is declared already; the later "
                            + "declaration is left out");
                } else {
                    schemas.set(schema.getKey(), schema.getValue());
                }
            }
        }
    }

    private static ObjectNode operation(Router.Route route, RouteDoc d) {
        ObjectNode op = MAPPER.createObjectNode();
        op.putArray("tags").add(d.tag());
        op.put("summary", d.summary());
        if (d.description() != null) {
            op.put("description", d.description());
        }
        op.put("operationId", operationId(route));
        ArrayNode params = MAPPER.createArrayNode();
        for (String name : Router.parameters(route)) {
            ObjectNode p = params.addObject();
            p.put("name", name);
            p.put("in", "path");
            p.put("required", true);
            ObjectNode schema = p.putObject("schema");
            schema.put("type", "string");
            schema.put("pattern", "^" + Router.parameterPattern(name).pattern() + "$");
        }
        for (RouteDoc.Query q : d.queries()) {
            ObjectNode p = params.addObject();
            p.put("name", q.name());
            p.put("in", "query");
            p.put("required", false);
            p.put("description", q.description());
            p.putObject("schema").put("type", q.type());
        }
        if (!params.isEmpty()) {
            op.set("parameters", params);
        }
        if (d.body() != null) {
            ObjectNode body = op.putObject("requestBody");
            body.put("required", d.bodyRequired());
            body.putObject("content").putObject("application/json").set("schema", tree(d.body()));
        }
        ObjectNode responses = op.putObject("responses");
        ObjectNode ok = responses.putObject(String.valueOf(d.status()));
        ok.put("description", d.answer());
        if (d.schema() != null) {
            ok.putObject("content").putObject(d.mediaType()).set("schema", tree(d.schema()));
        }
        Map<Integer, String> errors = new TreeMap<>(d.errors());
        // What the router and servlet answer before any handler runs.
        if (!Router.parameters(route).isEmpty()) {
            errors.putIfAbsent(400, "a malformed path parameter; the problem's field names it");
        }
        if (d.body() != null) {
            errors.putIfAbsent(400, "malformed JSON or invalid input; the problem's field names it");
            errors.putIfAbsent(413, "request body too large");
        }
        Access.Level level = Access.of(route);
        if (level != Access.Level.OPEN) {
            errors.putIfAbsent(401, level == Access.Level.ADMIN ? "admin authentication required"
                    : "admin authentication required when the server is configured so ("
                    + (level == Access.Level.VIEW ? "viewing closed" : "capture needs admin") + ")");
            ArrayNode security = op.putArray("security");
            security.addObject().putArray("bearer");
            security.addObject().putArray("basic");
            if (level != Access.Level.ADMIN) {
                security.addObject();
            }
        }
        for (Map.Entry<Integer, String> e : errors.entrySet()) {
            problem(responses, e.getKey(), e.getValue());
        }
        problem(responses, 500, "unexpected failure; the problem's errorId is in the server log");
        op.put("x-obscura-access", level.name());
        return op;
    }

    private static void problem(ObjectNode responses, int status, String description) {
        ObjectNode r = responses.putObject(String.valueOf(status));
        r.put("description", description);
        r.putObject("content").putObject(Problem.MEDIA_TYPE).putObject("schema")
                .put("$ref", "#/components/schemas/Problem");
    }

    /** {@code GET /v1/cameras/{camera}/frame.png} -> {@code getCamerasCameraFramePng}. */
    static String operationId(Router.Route route) {
        StringBuilder b = new StringBuilder(route.method().toLowerCase(Locale.ROOT));
        for (String segment : route.segments()) {
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

    private static JsonNode tree(Map<String, Object> schema) {
        return MAPPER.valueToTree(schema);
    }

    private static ObjectNode problemSchema() {
        return (ObjectNode) tree(RouteDoc.object(List.of("type", "title", "status", "detail"),
                "type", Map.of("type", "string", "example", "urn:obscura:problem:invalid-argument"),
                "title", "string", "status", "integer", "detail", "string",
                "field", Map.of("type", "string", "description", "the input at fault"),
                "errorId", Map.of("type", "string", "description", "for 500: the id in the server log")));
    }
}
