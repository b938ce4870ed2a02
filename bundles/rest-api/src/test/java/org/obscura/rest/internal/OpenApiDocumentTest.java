package org.obscura.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obscura.camera.api.ApiDescription;

/**
 * The OpenAPI document against the router's route table: every route is in it, it names no route that does
 * not exist, and every operation is complete (summary, path parameters, responses, problem answers).
 */
class OpenApiDocumentTest {

    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

    @TempDir
    Path dir;

    /** "GET /v1/cameras" for every route of a router. */
    private static Set<String> routes(Router router) {
        Set<String> out = new TreeSet<>();
        for (Router.Route r : router.routes()) {
            out.add(r.method() + " " + r.template());
        }
        return out;
    }

    /** "GET /v1/cameras" for every operation of a document. */
    private static Set<String> operations(JsonNode doc) {
        Set<String> out = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields(); paths.hasNext();) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<String> methods = path.getValue().fieldNames(); methods.hasNext();) {
                String m = methods.next();
                if (METHODS.contains(m)) {
                    out.add(m.toUpperCase() + " " + path.getKey());
                }
            }
        }
        return out;
    }

    /** What differs between the route table and the document; empty when they agree. */
    static List<String> differences(Router router, JsonNode doc) {
        Set<String> routes = routes(router);
        Set<String> documented = operations(doc);
        List<String> out = new ArrayList<>();
        for (String r : routes) {
            if (!documented.contains(r)) {
                out.add("route missing from the OpenAPI document: " + r);
            }
        }
        for (String d : documented) {
            if (!routes.contains(d)) {
                out.add("the OpenAPI document names a route that does not exist: " + d);
            }
        }
        return out;
    }

    @Test
    void documentsEveryRouteAndNoOther() {
        TestApi t = new TestApi(dir);
        ObjectNode doc = t.api.openApiDocument("/api");
        assertEquals(List.of(), differences(t.api.router(), doc));
        assertTrue(routes(t.api.router()).size() >= 37, "every v1 route: " + routes(t.api.router()));
    }

    @Test
    void theCheckCatchesAnUndocumentedRouteAndAnInventedOne() {
        TestApi t = new TestApi(dir);
        Router router = t.api.router();
        router.add("GET", "/v1/undocumented", c -> Reply.noContent());
        ObjectNode doc = OpenApiDocument.of(router, "/api", "1");
        assertEquals(List.of("route missing from the OpenAPI document: GET /v1/undocumented"), differences(router, doc));
        ObjectNode invented = OpenApiDocument.of(new TestApi(dir).api.router(), "/api", "1");
        ((ObjectNode) invented.get("paths")).putObject("/v1/nothing").putObject("delete").put("summary", "x");
        ((ObjectNode) invented.get("paths").get("/v1/cameras")).putObject("patch").put("summary", "x");
        assertEquals(List.of("the OpenAPI document names a route that does not exist: DELETE /v1/nothing",
                "the OpenAPI document names a route that does not exist: PATCH /v1/cameras"),
                differences(new TestApi(dir).api.router(), invented));
    }

    @Test
    void everyOperationIsComplete() {
        TestApi t = new TestApi(dir);
        JsonNode doc = t.api.openApiDocument("/api");
        assertEquals("3.0.3", doc.get("openapi").asText());
        assertEquals("/api", doc.get("servers").get(0).get("url").asText());
        assertTrue(doc.at("/components/schemas/Problem/properties/detail").isObject());
        Set<String> operationIds = new TreeSet<>();
        for (Router.Route r : t.api.router().routes()) {
            String where = r.method() + " " + r.template();
            JsonNode op = doc.get("paths").get(r.template()).get(r.method().toLowerCase());
            assertFalse(op.get("summary").asText().isBlank(), where);
            assertTrue(operationIds.add(op.get("operationId").asText()), "unique operationId: " + where);
            assertEquals(Access.of(r).name(), op.get("x-obscura-access").asText(), where);
            // Path parameters: exactly the template's, each with the router's pattern.
            List<String> declared = new ArrayList<>();
            for (JsonNode p : op.path("parameters")) {
                if (p.get("in").asText().equals("path")) {
                    declared.add(p.get("name").asText());
                    assertTrue(p.get("required").asBoolean(), where);
                    Pattern.compile(p.at("/schema/pattern").asText());
                }
            }
            assertEquals(Router.parameters(r), declared, where);
            JsonNode responses = op.get("responses");
            boolean success = false;
            for (Iterator<String> codes = responses.fieldNames(); codes.hasNext();) {
                String code = codes.next();
                int status = Integer.parseInt(code);
                JsonNode response = responses.get(code);
                assertFalse(response.get("description").asText().isBlank(), where + " " + code);
                if (status < 400) {
                    success = true;
                } else {
                    assertEquals("#/components/schemas/Problem",
                            response.at("/content/" + Problem.MEDIA_TYPE.replace("/", "~1") + "/schema/$ref").asText(),
                            where + " " + code + " answers a problem");
                }
            }
            assertTrue(success, where + " has a success answer");
            assertTrue(responses.has("500"), where);
            if (!Router.parameters(r).isEmpty()) {
                assertTrue(responses.has("400"), where + " refuses malformed path parameters with 400");
            }
        }
    }

    @Test
    void declaresRequestBodiesAndQueries() {
        JsonNode doc = new TestApi(dir).api.openApiDocument("/api");
        JsonNode setting = doc.at("/paths/~1v1~1cameras~1{camera}~1settings~1{setting}/put/requestBody");
        assertTrue(setting.get("required").asBoolean());
        assertEquals("value", setting.at("/content/application~1json/schema/required/0").asText());
        JsonNode sequence = doc.at("/paths/~1v1~1sequences~1photometric/post");
        assertEquals("202", sequence.get("responses").fieldNames().next());
        assertTrue(sequence.at("/requestBody/content/application~1json/schema/properties/settle_ms").isObject());
        List<String> frameQueries = new ArrayList<>();
        doc.at("/paths/~1v1~1cameras~1{camera}~1frame/get/parameters").forEach(p -> {
            if (p.get("in").asText().equals("query")) {
                frameQueries.add(p.get("name").asText());
            }
        });
        assertEquals(List.of("quality", "width", "height", "format"), frameQueries);
        assertEquals("text/event-stream", doc.at("/paths/~1v1~1events/get/responses/200/content").fieldNames().next());
    }

    @Test
    @SuppressWarnings("unchecked")
    void isServedAtItsRoute() throws Exception {
        TestApi t = new TestApi(dir);
        Map<String, Object> served = t.object(t.call("GET", "/v1/openapi.json"));
        assertEquals("0.1.0", ((Map<String, Object>) served.get("info")).get("version"));
        assertTrue(((Map<String, Object>) served.get("paths")).containsKey("/v1/lights/{light}"));
    }

    /** What another bundle serving {@code /v1/widgets} would register. */
    private static ApiDescription widgets(String summary) {
        Map<String, Object> list = Map.of("summary", summary, "x-obscura-access", "ADMIN",
                "responses", Map.of("200", Map.of("description", "the widgets", "content", Map.of("application/json",
                        Map.of("schema", Map.of("$ref", "#/components/schemas/Widgets"))))));
        return new ApiDescription() {
            @Override
            public Map<String, Object> openApiPaths() {
                return Map.of("/v1/widgets", Map.of("get", list),
                        // taken by the REST API itself: its own declaration must stay
                        "/v1/cameras", Map.of("get", Map.of("summary", "hijacked", "responses", Map.of())),
                        // not under /v1: left out
                        "/elsewhere", Map.of("get", list));
            }

            @Override
            public Map<String, Object> schemas() {
                return Map.of("Widgets", Map.of("type", "array"), "Problem", Map.of("type", "string"));
            }
        };
    }

    @Test
    @SuppressWarnings("unchecked")
    void servesTheRoutesOtherBundlesDescribeWhileTheirDescriptionIsThere() throws Exception {
        TestApi t = new TestApi(dir);
        ApiDescription widgets = widgets("Every widget");
        t.api.describe(widgets);
        Map<String, Object> served = t.object(t.call("GET", "/v1/openapi.json"));
        Map<String, Object> paths = (Map<String, Object>) served.get("paths");
        Map<String, Object> get = (Map<String, Object>) ((Map<String, Object>) paths.get("/v1/widgets")).get("get");
        assertEquals("Every widget", get.get("summary"));
        assertEquals("ADMIN", get.get("x-obscura-access"));
        Map<String, Object> schemas = (Map<String, Object>) ((Map<String, Object>) served.get("components"))
                .get("schemas");
        assertEquals(Map.of("type", "array"), schemas.get("Widgets"));
        // conflicts: the REST API's own route and schema win; a path outside /v1 is refused
        assertEquals("object", ((Map<String, Object>) schemas.get("Problem")).get("type"));
        assertFalse(((Map<String, Object>) ((Map<String, Object>) paths.get("/v1/cameras")).get("get"))
                .get("summary").equals("hijacked"));
        assertFalse(paths.containsKey("/elsewhere"));
        // everything but the described route still matches the route table exactly
        assertEquals(List.of("the OpenAPI document names a route that does not exist: GET /v1/widgets"),
                differences(t.api.router(), t.api.openApiDocument("/api")));

        // a second description of the same operation: the first one stays
        ApiDescription later = widgets("Later widgets");
        t.api.describe(later);
        assertEquals("Every widget", t.api.openApiDocument("/api").at("/paths/~1v1~1widgets/get/summary").asText());

        t.api.forget(widgets);
        assertEquals("Later widgets", t.api.openApiDocument("/api").at("/paths/~1v1~1widgets/get/summary").asText());
        t.api.forget(later);
        served = t.object(t.call("GET", "/v1/openapi.json"));
        assertFalse(((Map<String, Object>) served.get("paths")).containsKey("/v1/widgets"));
        assertFalse(((Map<String, Object>) ((Map<String, Object>) served.get("components")).get("schemas"))
                .containsKey("Widgets"));
        assertEquals(List.of(), differences(t.api.router(), t.api.openApiDocument("/api")));
    }

    @Test
    void aBrokenDescriptionIsLeftOutAndTheDocumentStillServed() throws Exception {
        TestApi t = new TestApi(dir);
        t.api.describe(() -> {
            throw new IllegalStateException("broken");
        });
        t.api.describe(() -> Map.of("/v1/odd", "not an object of operations"));
        t.api.describe(widgets("Every widget"));
        JsonNode doc = t.api.openApiDocument("/api");
        assertTrue(doc.at("/paths/~1v1~1widgets/get").isObject());
        assertFalse(doc.get("paths").has("/v1/odd"));
        assertTrue(doc.at("/paths/~1v1~1cameras/get").isObject());
    }

    @Test
    void accessLevelsFollowTheRules() {
        assertEquals(Access.Level.OPEN, Access.of("GET", "/v1/cameras"));
        assertEquals(Access.Level.OPEN, Access.of("GET", "/v1/events"));
        assertEquals(Access.Level.VIEW, Access.of("GET", "/v1/cameras/{camera}/stream"));
        assertEquals(Access.Level.CAPTURE, Access.of("POST", "/v1/snapshot"));
        assertEquals(Access.Level.CAPTURE, Access.of("POST", "/v1/sequences/photometric"));
        assertEquals(Access.Level.ADMIN, Access.of("PUT", "/v1/lights/{light}"));
        assertEquals(Access.Level.ADMIN, Access.of("DELETE", "/v1/sets/{set}"));
        assertEquals(Access.Level.ADMIN, Access.of("POST", "/v1/cameras/{camera}/reset"));
        assertEquals(Access.Level.ADMIN, Access.of("PUT", "/v1/cameras/{camera}/mode"));
    }
}
