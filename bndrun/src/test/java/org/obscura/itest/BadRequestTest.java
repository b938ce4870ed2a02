package org.obscura.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.obscura.itest.ObscuraServer.Response;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What clients get wrong gets a clear 4xx {@code application/problem+json} answer naming what is at fault,
 * never a 500 or a stack trace ({@link ObscuraServer} checks every answer for those), and writes nothing.
 */
@ExtendWith(ObscuraServer.Extension.class)
class BadRequestTest {

    private ObscuraServer server;

    @BeforeEach
    void setUp(ObscuraServer server) throws Exception {
        this.server = server;
        server.resetCameras();
    }

    @AfterEach
    void nothingWasWritten() {
        assertEquals(List.of(), server.testPatternConfigurations(), "a refused request wrote a configuration");
    }

    @Test
    void unknownCameraIsNotFound() throws Exception {
        for (String path : List.of("/api/v1/cameras/nosuchcam", "/api/v1/cameras/nosuchcam/frame",
                "/api/v1/cameras/nosuchcam/stream")) {
            JsonNode problem = server.problem(server.get(path), 404, null);
            assertTrue(problem.path("detail").asText().contains("nosuchcam"), () -> path + ": " + problem);
        }
        JsonNode problem = server.problem(server.post("/api/v1/cameras/nosuchcam/snapshot", ""), 404, null);
        assertTrue(problem.path("detail").asText().contains("nosuchcam"), problem::toString);
    }

    @Test
    void invalidCameraNameIsRefused() throws Exception {
        server.problem(create(Map.of("name", "Bad Name!")), 400, "name");
        server.problem(create(Map.of("name", "../etc")), 400, "name");
        server.problem(create(Map.of("name", "")), 400, "name");
    }

    @Test
    void unknownDriverIsRefused() throws Exception {
        Response r = server.post("/api/v1/cameras", Map.of("driver", "nosuchdriver", "name", "cam1"));
        JsonNode problem = server.problem(r, 400, "driver");
        assertTrue(problem.path("detail").asText().contains("nosuchdriver"), problem::toString);
        server.problem(server.post("/api/v1/cameras", Map.of("name", "cam1")), 400, "driver");
    }

    @Test
    void unsupportedSizeIsRefusedAndNothingIsWritten() throws Exception {
        JsonNode problem = server.problem(create(Map.of("name", "huge", "width", 99999)), 400, "width");
        assertTrue(problem.path("detail").asText().contains("width"), problem::toString);
        server.problem(create(Map.of("name", "odd", "width", 321, "format", "YUYV")), 400, "width");
        server.problem(create(Map.of("name", "slow", "fps", 0)), 400, "fps");
        assertEquals(List.of(), server.testPatternConfigurations());
        assertTrue(server.camera("huge").isEmpty());
    }

    /** A user who sent a number out of range learns which numbers are allowed, not only that it was wrong. */
    @Test
    void outOfRangeAnswerSaysWhatIsAllowed() throws Exception {
        JsonNode problem = server.problem(create(Map.of("name", "huge", "width", 99999)), 400, "width");
        assertTrue(problem.path("detail").asText().contains("3840"),
                () -> "the answer does not say the largest width allowed (3840): " + problem);
    }

    @Test
    void wrongTypeIsRefused() throws Exception {
        server.problem(create(Map.of("name", "typed", "width", "abc")), 400, "width");
        server.problem(create(Map.of("name", "typed", "stereo", "maybe")), 400, "stereo");
    }

    @Test
    void malformedJsonIsRefused() throws Exception {
        server.problem(server.post("/api/v1/cameras", "{\"driver\": \"testpattern\", \"name\": "), 400, null);
        server.problem(server.post("/api/v1/cameras", "[1, 2]"), 400, null);
        server.problem(server.post("/api/v1/cameras", "not json at all"), 400, null);
        server.problem(server.post("/api/v1/cameras/" + ObscuraServer.BUILTIN + "/snapshot", "{oops"), 400, null);
    }

    @Test
    void builtInCameraIsNotConfigurable() throws Exception {
        String path = "/api/v1/cameras/" + ObscuraServer.BUILTIN;
        server.problem(server.put(path, Map.of("width", 320)), 409, null);
        server.problem(server.delete(path), 409, null);
        assertTrue(server.camera(ObscuraServer.BUILTIN).isPresent(), "the built-in camera is gone");
    }

    @Test
    void oversizedBodyIsRefused() throws Exception {
        server.problem(create(Map.of("name", "big", "label", "x".repeat(100_000))), 413, null);
    }

    @Test
    void wrongMethodIsRefusedWithTheAllowedOnes() throws Exception {
        Response r = server.send(HttpRequest.newBuilder(server.uri("/api/v1/cameras"))
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{}")));
        server.problem(r, 405, null);
        assertTrue(r.header("Allow").orElse("").contains("POST"), r::toString);
    }

    @Test
    void badCaptureNamesAreRefusedByTheApi() throws Exception {
        for (String file : List.of("..foo.jpg", ".hidden.jpg", "a..b.json")) {
            server.problem(server.get("/api/v1/captures/testpattern/" + file), 400, "file");
        }
        server.problem(server.get("/api/v1/captures/Not%20A%20Camera/x.jpg"), 400, "camera");
        server.problem(server.get("/api/v1/captures?camera=..%2f"), 400, "camera");
        server.problem(server.get("/api/v1/captures?limit=0"), 400, "limit");
        server.problem(server.get("/api/v1/captures/testpattern/nosuch.jpg"), 404, null);
    }

    @Test
    void traversalInCapturePathsNeverSucceeds() throws Exception {
        // Most of these never reach the API: Jetty refuses ambiguous paths itself (HTML 400).
        for (String path : List.of(
                "/api/v1/captures/testpattern/..%2f..%2fetc%2fpasswd",
                "/api/v1/captures/testpattern/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
                "/api/v1/captures/testpattern/%2e%2e",
                "/api/v1/captures/%2e%2e/%2e%2e",
                "/api/v1/captures/testpattern/%252e%252e%252fetc%252fpasswd",
                "/api/v1/captures/testpattern/..%5c..%5cetc%5cpasswd",
                "/api/v1/captures/testpattern/x%00.jpg",
                "/api/v1/captures/testpattern/../../../etc/passwd")) {
            Response r = server.send(HttpRequest.newBuilder(URI.create(server.uri("/").toString() + path.substring(1))).GET());
            assertTrue(r.status() == 400 || r.status() == 404, () -> path + " answered " + r);
            assertFalse(r.text().contains("root:"), () -> path + " served a system file: " + r);
        }
    }

    /** POST /api/v1/cameras of a test-pattern camera with these properties. */
    private Response create(Map<String, Object> properties) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("driver", "testpattern");
        body.putAll(properties);
        return server.post("/api/v1/cameras", body);
    }
}
