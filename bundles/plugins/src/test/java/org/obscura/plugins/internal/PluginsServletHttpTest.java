package org.obscura.plugins.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obscura.camera.api.AccessControl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.servlet.MultipartConfigElement;

class PluginsServletHttpTest {

    private static final String ADMIN_AUTH = "Bearer right-token";

    @TempDir
    Path dir;

    FakeFramework framework;
    PluginsServlet servlet;
    Server server;
    String base;
    final HttpClient http = HttpClient.newHttpClient();
    final ObjectMapper mapper = new ObjectMapper();

    /** Admin for one bearer token, anonymous (with a reason) for anything else. */
    static final class FakeAccess implements AccessControl {
        @Override
        public Caller check(String authorization, String token, String remote) {
            if (ADMIN_AUTH.equals(authorization)) {
                return Caller.ADMINISTRATOR;
            }
            return authorization == null ? Caller.ANONYMOUS : new Caller(null, "token unknown or expired");
        }

        @Override
        public Optional<Token> issue(String authorization, String remote) {
            return Optional.of(new Token("right-token", Instant.now().plusSeconds(60)));
        }

        @Override
        public boolean viewingOpen() {
            return true;
        }

        @Override
        public boolean captureNeedsAdmin() {
            return false;
        }

        @Override
        public List<String> corsOrigins() {
            return List.of();
        }
    }

    @BeforeEach
    void start() throws Exception {
        framework = new FakeFramework();
        BundleInstaller installer = new BundleInstaller(framework.context, BundleInstaller.ComponentProbe.NONE, 0);
        Path features = Files.createDirectories(dir.resolve("features"));
        Path repository = Files.createDirectories(dir.resolve("repository"));
        Files.writeString(features.resolve("lights.json"), "{\"bundles\": [\"org.obscura.lights.gpio\"]}");
        FakeFramework.bundleJar(repository, "org.obscura.lights.gpio", "0.1.0");
        Plugins plugins = new Plugins(installer, new Features(new FeatureCatalog(features, repository), installer,
                DefaultConfigurations.NONE));

        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        servlet = new PluginsServlet(plugins, new FakeAccess());
        ServletHolder holder = new ServletHolder(servlet);
        holder.getRegistration().setMultipartConfig(new MultipartConfigElement(dir.toString(),
                PluginsServlet.MAX_UPLOAD_BYTES, PluginsServlet.MAX_UPLOAD_BYTES + 65536, 1 << 20));
        context.addServlet(holder, "/api/v1/bundles/*");
        context.addServlet(holder, "/api/v1/features/*");
        server.setHandler(context);
        server.start();
        base = "http://127.0.0.1:" + connector.getLocalPort();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    private HttpResponse<String> send(String method, String path, String auth, String type, byte[] body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(body));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        if (type != null) {
            b.header("Content-Type", type);
        }
        return http.send(b.build(), BodyHandlers.ofString());
    }

    private JsonNode json(HttpResponse<String> r) throws Exception {
        return mapper.readTree(r.body());
    }

    private void assertProblem(HttpResponse<String> r, int status, String detailPart) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(PluginsServlet.PROBLEM, r.headers().firstValue("Content-Type").orElse("").split(";")[0]);
        JsonNode p = json(r);
        assertEquals(status, p.path("status").asInt());
        assertTrue(p.path("type").asText().startsWith("urn:obscura:problem:"), r.body());
        assertTrue(p.path("detail").asText().contains(detailPart), r.body());
    }

    @Test
    void everyRouteNeedsTheAdministrator() throws Exception {
        for (String[] call : new String[][] { { "GET", "/api/v1/bundles" }, { "POST", "/api/v1/bundles" },
                { "DELETE", "/api/v1/bundles/1" }, { "GET", "/api/v1/features" }, { "POST", "/api/v1/features/lights" } }) {
            HttpResponse<String> r = send(call[0], call[1], null, null, null);
            assertProblem(r, 401, AccessControl.ADMIN_REQUIRED);
            assertEquals("Bearer realm=\"obscura\"", r.headers().firstValue("WWW-Authenticate").orElse(""));
        }
        assertProblem(send("GET", "/api/v1/bundles", "Bearer stale", null, null), 401, "token unknown or expired");
        assertEquals(2, framework.bundles.size(), "nothing happened");
    }

    @Test
    void installsARawJarAndManagesIt() throws Exception {
        byte[] jar = Files.readAllBytes(FakeFramework.bundleJar(dir, "org.acme.driver", "1.0.0"));
        HttpResponse<String> r = send("POST", "/api/v1/bundles", ADMIN_AUTH, "application/java-archive", jar);
        assertEquals(201, r.statusCode(), r.body());
        long id = json(r).path("id").asLong();
        assertEquals("/api/v1/bundles/" + id, r.headers().firstValue("Location").orElse(""));
        assertEquals("active", json(r).path("state").asText());

        JsonNode list = json(send("GET", "/api/v1/bundles", ADMIN_AUTH, null, null)).path("bundles");
        assertTrue(list.findValuesAsText("symbolicName").contains("org.acme.driver"), list.toString());
        assertEquals("resolved", json(send("POST", "/api/v1/bundles/" + id + "/stop", ADMIN_AUTH, null, null)).path("state").asText());
        assertEquals("active", json(send("POST", "/api/v1/bundles/" + id + "/start", ADMIN_AUTH, null, null)).path("state").asText());
        byte[] newer = Files.readAllBytes(FakeFramework.bundleJar(dir, "org.acme.driver", "1.1.0"));
        HttpResponse<String> updated = send("PUT", "/api/v1/bundles/" + id, ADMIN_AUTH, "application/java-archive", newer);
        assertEquals("1.1.0", json(updated).path("version").asText(), updated.body());
        assertEquals("uninstalled", json(send("DELETE", "/api/v1/bundles/" + id, ADMIN_AUTH, null, null)).path("state").asText());
        assertProblem(send("GET", "/api/v1/bundles/" + id, ADMIN_AUTH, null, null), 404, "there is no bundle " + id);
    }

    @Test
    void installsTheFileOfAMultipartForm() throws Exception {
        byte[] jar = Files.readAllBytes(FakeFramework.bundleJar(dir, "org.acme.form", "1.0.0"));
        String boundary = "----obscura-test";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"bundle\"; filename=\"form.jar\"\r\n"
                + "Content-Type: application/java-archive\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        body.write(jar);
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.ISO_8859_1));
        HttpResponse<String> r = send("POST", "/api/v1/bundles", ADMIN_AUTH, "multipart/form-data; boundary=" + boundary,
                body.toByteArray());
        assertEquals(201, r.statusCode(), r.body());
        assertEquals("org.acme.form", json(r).path("symbolicName").asText());
        JsonNode steps = json(r).path("steps");
        assertEquals("installing org.acme.form 1.0.0", steps.get(1).asText(), r.body());
        assertTrue(steps.get(steps.size() - 1).asText().startsWith("org.acme.form 1.0.0 installed (id "), r.body());
    }

    @Test
    void badBundlesAreClientErrorsAndLeaveNothingBehind() throws Exception {
        int before = framework.bundles.size();
        HttpResponse<String> notJar = send("POST", "/api/v1/bundles", ADMIN_AUTH, "application/java-archive",
                "hello".getBytes(StandardCharsets.UTF_8));
        assertProblem(notJar, 400, "not a jar");
        assertEquals("bundle", json(notJar).path("field").asText());
        byte[] plain = Files.readAllBytes(FakeFramework.jar(dir, "plain.jar", Map.of("Created-By", "hand")));
        assertProblem(send("POST", "/api/v1/bundles", ADMIN_AUTH, "application/java-archive", plain), 400,
                "no Bundle-SymbolicName");
        byte[] needy = Files.readAllBytes(FakeFramework.bundleJar(dir, "org.acme.needy", "1.0.0", "Import-Package",
                "org.acme.nowhere"));
        HttpResponse<String> unresolved = send("POST", "/api/v1/bundles", ADMIN_AUTH, "application/java-archive", needy);
        assertProblem(unresolved, 409, "missing requirement package org.acme.nowhere");
        // the problem lists the steps up to the failure and what was undone
        List<String> steps = new java.util.ArrayList<>();
        json(unresolved).path("steps").forEach(n -> steps.add(n.asText()));
        assertEquals(List.of("checking the upload", "installing org.acme.needy 1.0.0", "resolving org.acme.needy 1.0.0",
                "uninstalling org.acme.needy 1.0.0 again"), steps.subList(0, 4), steps::toString);
        assertTrue(steps.get(4).startsWith("failed: org.acme.needy 1.0.0 does not resolve"), steps::toString);
        byte[] failing = Files.readAllBytes(FakeFramework.bundleJar(dir, "org.acme.failing", "1.0.0", "X-Fail-Start",
                "boom at start"));
        assertProblem(send("POST", "/api/v1/bundles", ADMIN_AUTH, "application/java-archive", failing), 409, "boom at start");
        assertProblem(send("POST", "/api/v1/bundles", ADMIN_AUTH, "application/java-archive", new byte[0]), 400, "no body");
        assertEquals(before, framework.bundles.size());

        assertProblem(send("DELETE", "/api/v1/bundles/abc", ADMIN_AUTH, null, null), 400, "whole number");
        assertProblem(send("DELETE", "/api/v1/bundles/0", ADMIN_AUTH, null, null), 409, "framework");
        assertProblem(send("PATCH", "/api/v1/bundles", ADMIN_AUTH, null, null), 405, "GET, POST");
        assertProblem(send("GET", "/api/v1/bundles/1/other", ADMIN_AUTH, null, null), 404, "no such route");
    }

    @Test
    void featuresInstallOnceAndUninstall() throws Exception {
        JsonNode list = json(send("GET", "/api/v1/features", ADMIN_AUTH, null, null));
        assertEquals("lights", list.path("features").get(0).path("name").asText());
        assertFalse(list.path("features").get(0).path("installed").asBoolean());
        HttpResponse<String> first = send("POST", "/api/v1/features/lights", ADMIN_AUTH, null, null);
        assertEquals(201, first.statusCode(), first.body());
        assertEquals("org.obscura.lights.gpio", json(first).path("installed").get(0).path("symbolicName").asText());
        JsonNode steps = json(first).path("steps");
        assertEquals("resolving feature 'lights': bundles org.obscura.lights.gpio", steps.get(0).asText(), first.body());
        assertTrue(steps.get(1).asText().startsWith("installing org.obscura.lights.gpio "), first.body());
        assertEquals("feature 'lights' installed: 1 bundle from the repository, 0 configurations created",
                steps.get(steps.size() - 1).asText(), first.body());
        HttpResponse<String> again = send("POST", "/api/v1/features/lights", ADMIN_AUTH, null, null);
        assertEquals(200, again.statusCode());
        assertTrue(json(again).path("alreadyInstalled").asBoolean());
        assertEquals("[\"feature 'lights' is already installed\"]", json(again).path("steps").toString());
        assertTrue(json(send("GET", "/api/v1/features/lights", ADMIN_AUTH, null, null)).path("installed").asBoolean());
        HttpResponse<String> removed = send("DELETE", "/api/v1/features/lights", ADMIN_AUTH, null, null);
        assertEquals(200, removed.statusCode(), removed.body());
        assertEquals(1, json(removed).path("uninstalled").size());
        assertProblem(send("DELETE", "/api/v1/features/lights", ADMIN_AUTH, null, null), 409, "not installed");
        HttpResponse<String> unknown = send("POST", "/api/v1/features/unknown", ADMIN_AUTH, null, null);
        assertProblem(unknown, 404, "features: lights");
        assertTrue(json(unknown).path("steps").get(0).asText().startsWith("failed: there is no feature 'unknown'"),
                unknown.body());
        assertProblem(send("POST", "/api/v1/features/Not_A_Name", ADMIN_AUTH, null, null), 404, "no feature");
    }

    // ---- the OpenAPI description against what the servlet serves ----

    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH");

    /** "GET /v1/bundles" for every operation of the description, through JSON as the REST API reads it. */
    private Set<String> described() {
        Set<String> out = new TreeSet<>();
        JsonNode paths = mapper.valueToTree(servlet.openApiPaths());
        for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> path = it.next();
            path.getValue().fieldNames().forEachRemaining(m -> out.add(m.toUpperCase() + " " + path.getKey()));
        }
        return out;
    }

    /** A described template with its parameters filled in: a bundle and a feature that do not exist. */
    private static String concrete(String template) {
        return "/api" + template.replace("{id}", "999999").replace("{name}", "nosuch");
    }

    @Test
    void describesExactlyTheRoutesItDispatches() throws Exception {
        Set<String> table = new TreeSet<>();
        for (PluginRoutes.Route r : new PluginsServlet(null, new FakeAccess()).routesForTest()) {
            table.add(r.method() + " " + r.template());
        }
        assertEquals(table, described(), "the route table and its description");
        assertEquals(11, table.size(), table.toString());

        Map<String, Set<String>> methodsByPath = new java.util.TreeMap<>();
        for (String op : described()) {
            String[] mp = op.split(" ");
            methodsByPath.computeIfAbsent(mp[1], k -> new TreeSet<>()).add(mp[0]);
        }
        List<String> differences = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : methodsByPath.entrySet()) {
            for (String method : METHODS) {
                HttpResponse<String> r = send(method, concrete(e.getKey()), ADMIN_AUTH, null, null);
                boolean served = r.statusCode() != 405 && !json(r).path("detail").asText().contains("no such route");
                if (served && !e.getValue().contains(method)) {
                    differences.add("served but not described: " + method + " " + e.getKey() + " -> " + r.statusCode());
                } else if (!served && e.getValue().contains(method)) {
                    differences.add("described but not served: " + method + " " + e.getKey() + " -> " + r.body());
                } else if (!served) {
                    // the 405 names exactly the described methods
                    Set<String> allowed = new TreeSet<>(List.of(json(r).path("detail").asText()
                            .replace("allowed here: ", "").split(", ")));
                    if (!allowed.equals(e.getValue())) {
                        differences.add(method + " " + e.getKey() + " allows " + allowed + ", described "
                                + e.getValue());
                    }
                }
                if (r.statusCode() == 500) {
                    differences.add(method + " " + e.getKey() + " failed: " + r.body());
                }
            }
        }
        // paths next to the described ones are no routes at all
        for (String path : List.of("/api/v1/bundles/1/other", "/api/v1/bundles/1/start/now", "/api/v1/features/a/b",
                "/api/v1/features/lights/install")) {
            for (String method : METHODS) {
                HttpResponse<String> r = send(method, path, ADMIN_AUTH, null, null);
                if (r.statusCode() != 404 || !json(r).path("detail").asText().contains("no such route")) {
                    differences.add("served but not described: " + method + " " + path + " -> " + r.statusCode());
                }
            }
        }
        assertEquals(List.of(), differences);
    }

    @Test
    void everyDescribedOperationIsComplete() {
        JsonNode paths = mapper.valueToTree(servlet.openApiPaths());
        JsonNode schemas = mapper.valueToTree(servlet.schemas());
        Set<String> operationIds = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> path = it.next();
            assertTrue(path.getKey().startsWith("/v1/"), path.getKey());
            for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext();) {
                Map.Entry<String, JsonNode> e = ops.next();
                String where = e.getKey() + " " + path.getKey();
                JsonNode op = e.getValue();
                assertFalse(op.path("summary").asText().isBlank(), where);
                assertTrue(operationIds.add(op.path("operationId").asText()), "unique operationId: " + where);
                assertEquals("ADMIN", op.path("x-obscura-access").asText(), where);
                assertEquals("bearer", op.path("security").get(0).fieldNames().next(), where);
                List<String> declared = new ArrayList<>();
                op.path("parameters").forEach(p -> {
                    if (p.path("in").asText().equals("path")) {
                        declared.add(p.path("name").asText());
                        assertTrue(p.path("schema").isObject(), where);
                    }
                });
                assertEquals(PluginRoutes.parameters(path.getKey()), declared, where);
                JsonNode responses = op.path("responses");
                assertTrue(responses.has("401") && responses.has("500"), where);
                assertTrue(responses.fieldNames().next().startsWith("2"), where + " has a success answer first");
                // every reference resolves: to the document's Problem or to a schema described here
                for (JsonNode ref : op.findValues("$ref")) {
                    String name = ref.asText().replace("#/components/schemas/", "");
                    assertTrue(name.equals("Problem") || schemas.has(name), where + " references " + ref);
                }
            }
        }
        for (JsonNode ref : schemas.findValues("$ref")) {
            assertTrue(schemas.has(ref.asText().replace("#/components/schemas/", "")), "schema reference " + ref);
        }
        assertEquals("integer", paths.at("/~1v1~1bundles~1{id}/get/parameters/0/schema/type").asText());
        assertTrue(paths.at("/~1v1~1bundles/post/requestBody/content").has("multipart/form-data"));
    }
}
