package org.obscura.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obscura.camera.api.CameraState;

/** Access levels enforced by the servlet, the auth routes and CORS, over HTTP in a real Jetty 12. */
class AuthHttpTest {

    private static final String BASIC = "Basic " + Base64.getEncoder()
            .encodeToString(("admin:" + Fakes.Auth.PASSWORD).getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path dir;
    private TestApi t;
    private Server server;
    private int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeEach
    void start() throws Exception {
        t = new TestApi(dir, Duration.ofMillis(500));
        t.access.admitAll = false;
        t.registry.camera(Fakes.status("left", "testpattern", CameraState.STREAMING));
        t.registry.subscriptions.put("left", new Fakes.Subscription("left"));
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        context.addServlet(new ServletHolder(new ApiServlet(t.api, t.drivers, 64 * 1024)), ApiServlet.PATTERN);
        server.setHandler(context);
        server.start();
        port = connector.getLocalPort();
    }

    @AfterEach
    void stop() throws Exception {
        t.api.close();
        server.stop();
    }

    private HttpResponse<String> send(String method, String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody());
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertUnauthorized(HttpResponse<String> r) {
        assertEquals(401, r.statusCode(), r.body());
        assertEquals(Problem.MEDIA_TYPE, r.headers().firstValue("Content-Type").orElse(""));
        assertEquals(List.of("Bearer realm=\"obscura\""), r.headers().allValues("WWW-Authenticate"),
                "a Bearer challenge only: no Basic, so browsers show no login popup");
        assertTrue(r.body().contains("admin authentication required"), r.body());
    }

    @Test
    void adminRoutesNeedTheAdministrator() throws Exception {
        assertUnauthorized(send("POST", "/api/v1/cameras/left/reset", Map.of()));
        assertUnauthorized(send("DELETE", "/api/v1/captures/left/x.jpg", Map.of()));
        HttpResponse<String> wrong = send("POST", "/api/v1/cameras/left/reset", Map.of("Authorization", "Basic "
                + Base64.getEncoder().encodeToString("admin:guess".getBytes(StandardCharsets.UTF_8))));
        assertUnauthorized(wrong);
        assertTrue(wrong.body().contains("wrong user name or password"), wrong.body());
        assertEquals(List.of(), t.registry.resets, "a refused call never reaches the handler");

        assertEquals(200, send("POST", "/api/v1/cameras/left/reset", Map.of("Authorization", BASIC)).statusCode());
        assertEquals(List.of("left"), t.registry.resets);
        assertTrue(t.access.remotes.contains("127.0.0.1"), "the client's address is passed on: " + t.access.remotes);
    }

    @Test
    void aTokenFromBasicCredentialsWorksAsBearer() throws Exception {
        assertUnauthorized(send("POST", "/api/v1/auth/token", Map.of()));
        HttpResponse<String> issued = send("POST", "/api/v1/auth/token", Map.of("Authorization", BASIC));
        assertEquals(200, issued.statusCode(), issued.body());
        assertEquals("{\"token\":\"tok-0\",\"expires\":\"2030-01-01T00:00:00Z\"}", issued.body());
        assertEquals("no-store", issued.headers().firstValue("Cache-Control").orElse(""));
        assertUnauthorized(send("POST", "/api/v1/auth/token", Map.of("Authorization", "Bearer tok-0")));

        assertEquals(200, send("POST", "/api/v1/cameras/left/reset", Map.of("Authorization", "Bearer tok-0")).statusCode());
        assertUnauthorized(send("POST", "/api/v1/cameras/left/reset", Map.of("Authorization", "Bearer tok-9")));
        assertUnauthorized(send("POST", "/api/v1/cameras/left/reset?token=tok-0", Map.of()));
    }

    @Test
    void whoAmI() throws Exception {
        HttpResponse<String> anonymous = send("GET", "/api/v1/auth", Map.of());
        assertEquals(200, anonymous.statusCode());
        assertEquals("{\"authenticated\":false,\"user\":null,\"viewing_open\":true,\"capture_needs_admin\":false}",
                anonymous.body());
        t.access.viewingOpen = false;
        assertEquals("{\"authenticated\":true,\"user\":\"admin\",\"viewing_open\":false,\"capture_needs_admin\":false}",
                send("GET", "/api/v1/auth", Map.of("Authorization", BASIC)).body());
    }

    @Test
    void viewingIsOpenByDefaultAndTakesATokenParameterWhenClosed() throws Exception {
        int open = send("GET", "/api/v1/cameras/left/frame", Map.of()).statusCode();
        assertTrue(open != 401 && open != 403, "viewing is open by default: " + open);
        assertEquals(200, send("GET", "/api/v1/cameras", Map.of()).statusCode());

        t.access.viewingOpen = false;
        t.access.tokens.add("view-token");
        assertUnauthorized(send("GET", "/api/v1/cameras/left/frame", Map.of()));
        assertUnauthorized(send("GET", "/api/v1/cameras/left/stream", Map.of()));
        assertUnauthorized(send("GET", "/api/v1/cameras/left/frame?token=nope", Map.of()));
        assertEquals(open, send("GET", "/api/v1/cameras/left/frame?token=view-token", Map.of()).statusCode());
        assertEquals(open, send("GET", "/api/v1/cameras/left/frame", Map.of("Authorization", "Bearer view-token")).statusCode());
        assertEquals(200, send("GET", "/api/v1/cameras", Map.of()).statusCode(), "lists stay open");
    }

    @Test
    void captureNeedsAdminOnlyWhenConfigured() throws Exception {
        assertEquals(200, send("POST", "/api/v1/cameras/left/snapshot", Map.of()).statusCode(), "open by default");
        t.access.captureNeedsAdmin = true;
        assertUnauthorized(send("POST", "/api/v1/cameras/left/snapshot", Map.of()));
        assertUnauthorized(send("POST", "/api/v1/snapshot/stereo", Map.of()));
        assertEquals(1, t.capture.metadata.size(), "refused captures never reach the capture service");
        assertEquals(200, send("POST", "/api/v1/cameras/left/snapshot", Map.of("Authorization", BASIC)).statusCode());
    }

    @Test
    void corsIsOffByDefault() throws Exception {
        HttpResponse<String> r = send("GET", "/api/v1/cameras", Map.of("Origin", "https://elsewhere.example"));
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().map().keySet().stream().noneMatch(h -> h.toLowerCase().startsWith("access-control-")),
                r.headers().map().toString());
        HttpResponse<String> preflight = send("OPTIONS", "/api/v1/cameras", Map.of("Origin", "https://elsewhere.example",
                "Access-Control-Request-Method", "POST"));
        assertEquals(204, preflight.statusCode());
        assertFalse(preflight.headers().firstValue("Access-Control-Allow-Origin").isPresent());
    }

    @Test
    void corsForConfiguredOriginsOnlyIncludingPreflightAndErrors() throws Exception {
        t.access.cors = List.of("https://ui.example");
        HttpResponse<String> preflight = send("OPTIONS", "/api/v1/cameras/left/reset", Map.of(
                "Origin", "https://ui.example", "Access-Control-Request-Method", "POST",
                "Access-Control-Request-Headers", "authorization"));
        assertEquals(204, preflight.statusCode());
        assertEquals("https://ui.example", preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
        assertTrue(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("POST"));
        assertTrue(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("").contains("Authorization"));

        HttpResponse<String> refused = send("POST", "/api/v1/cameras/left/reset", Map.of("Origin", "https://ui.example"));
        assertUnauthorized(refused);
        assertEquals("https://ui.example", refused.headers().firstValue("Access-Control-Allow-Origin").orElse(""),
                "a page must be able to read the 401");
        assertTrue(refused.headers().firstValue("Access-Control-Expose-Headers").orElse("").contains("WWW-Authenticate"));

        HttpResponse<String> other = send("GET", "/api/v1/cameras", Map.of("Origin", "https://evil.example"));
        assertFalse(other.headers().firstValue("Access-Control-Allow-Origin").isPresent());

        t.access.cors = List.of("*");
        assertEquals("https://evil.example", send("GET", "/api/v1/cameras", Map.of("Origin", "https://evil.example"))
                .headers().firstValue("Access-Control-Allow-Origin").orElse(""));
    }

    @Test
    void theOpenApiDocumentDescribesTheAuthRoutesAndWhoNeedsCredentials() {
        com.fasterxml.jackson.databind.JsonNode doc = t.api.openApiDocument("/api");
        assertEquals("http", doc.at("/components/securitySchemes/bearer/type").asText());
        assertEquals("bearer", doc.at("/components/securitySchemes/bearer/scheme").asText());
        assertEquals("OPEN", doc.at("/paths/~1v1~1auth~1token/post/x-obscura-access").asText());
        assertTrue(doc.at("/paths/~1v1~1auth~1token/post/responses/401").isObject());
        assertEquals("OPEN", doc.at("/paths/~1v1~1auth/get/x-obscura-access").asText());
        assertTrue(doc.at("/paths/~1v1~1cameras/post/responses/401").isObject());
        assertEquals(2, doc.at("/paths/~1v1~1cameras/post/security").size(), "bearer or basic");
        assertEquals(3, doc.at("/paths/~1v1~1snapshot/post/security").size(), "bearer, basic or none");
        assertTrue(doc.at("/paths/~1v1~1cameras/get/security").isMissingNode(), "open routes need nothing");
        assertTrue(doc.at("/paths/~1v1~1cameras/get/responses/401").isMissingNode());
    }
}
