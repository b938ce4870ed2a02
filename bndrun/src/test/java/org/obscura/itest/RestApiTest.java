package org.obscura.itest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.obscura.itest.ObscuraServer.Response;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The REST API over real HTTP against the built-in test-pattern camera: health, drivers, cameras, a live
 * frame, and snapshots that land in the data dir and are served back byte for byte.
 */
@ExtendWith(ObscuraServer.Extension.class)
class RestApiTest {

    private static final String CAMERA = ObscuraServer.BUILTIN;

    private ObscuraServer server;

    @BeforeEach
    void setUp(ObscuraServer server) throws Exception {
        this.server = server;
        server.resetCameras();
    }

    @Test
    void healthAnswersOk() throws Exception {
        Response r = server.get("/api/v1/health");
        assertEquals(200, r.status(), r::toString);
        assertTrue(r.contentType().startsWith("application/json"), r::toString);
        JsonNode health = server.json(r);
        assertEquals("ok", health.path("status").asText(), r::toString);
        assertTrue(health.path("drivers").path("total").asInt() >= 1, r::toString);
        assertTrue(health.path("cameras").path("online").asInt() >= 1, r::toString);
    }

    @Test
    void driversListTheTestPatternDriver() throws Exception {
        Response r = server.get("/api/v1/drivers");
        assertEquals(200, r.status(), r::toString);
        JsonNode driver = find(server.json(r), "id", ObscuraServer.BUILTIN);
        assertEquals(ObscuraServer.TESTPATTERN_FACTORY_PID, driver.path("factoryPid").asText(), r::toString);
        assertTrue(driver.path("available").asBoolean(), r::toString);
        assertEquals(ObscuraServer.TESTPATTERN_BSN, driver.path("bundle").asText(), r::toString);
    }

    @Test
    void camerasListTheBuiltInCamera() throws Exception {
        Response r = server.get("/api/v1/cameras");
        assertEquals(200, r.status(), r::toString);
        JsonNode camera = find(server.json(r), "name", CAMERA);
        assertEquals(ObscuraServer.BUILTIN, camera.path("driver").asText(), r::toString);
        assertTrue(List.of("online", "streaming").contains(camera.path("state").asText()), r::toString);
        assertEquals(640, camera.path("mode").path("width").asInt(), r::toString);
        assertEquals(480, camera.path("mode").path("height").asInt(), r::toString);
        assertTrue(camera.path("urls").path("stream").asText().endsWith("/api/v1/cameras/" + CAMERA + "/stream"),
                r::toString);
    }

    @Test
    void frameIsA640x480Jpeg() throws Exception {
        Response r = server.get("/api/v1/cameras/" + CAMERA + "/frame");
        BufferedImage image = ObscuraServer.jpeg(r);
        assertEquals(640, image.getWidth());
        assertEquals(480, image.getHeight());
        assertFalse(MjpegReader.looksLikePlaceholder(image), "the frame is the 'no signal' picture");
        assertTrue(Long.parseLong(r.header("X-Frame-Index").orElseThrow()) > 0, r::toString);
    }

    @Test
    void snapshotIsStoredWithItsSidecarListedAndServed() throws Exception {
        Response first = server.post("/api/v1/cameras/" + CAMERA + "/snapshot", "");
        Response second = server.post("/api/v1/cameras/" + CAMERA + "/snapshot", Map.of("metadata", Map.of("run", "itest")));
        JsonNode older = snapshot(first);
        JsonNode newer = snapshot(second);

        Path file = server.dataDir().resolve(newer.path("path").asText()).normalize();
        assertTrue(file.startsWith(server.dataDir()), () -> file + " is outside the data dir");
        byte[] stored = Files.readAllBytes(file);
        BufferedImage image = ObscuraServer.jpeg(stored);
        assertEquals(640, image.getWidth());
        assertEquals(480, image.getHeight());
        assertEquals(stored.length, newer.path("size").asLong());

        Path sidecar = server.dataDir().resolve(newer.path("sidecar").asText()).normalize();
        assertTrue(Files.isRegularFile(sidecar), () -> "no sidecar " + sidecar);
        JsonNode meta = server.json(sidecar);
        assertEquals(CAMERA, meta.path("camera").asText(), meta::toString);
        assertEquals("itest", meta.path("run").asText(), () -> "caller metadata missing: " + meta);

        Response list = server.get("/api/v1/captures?camera=" + CAMERA);
        assertEquals(200, list.status(), list::toString);
        JsonNode items = server.json(list).path("items");
        List<String> files = new ArrayList<>();
        items.forEach(i -> files.add(i.path("file").asText()));
        int newIndex = files.indexOf(newer.path("file").asText());
        int oldIndex = files.indexOf(older.path("file").asText());
        assertTrue(newIndex >= 0 && oldIndex >= 0, () -> "captures not listed: " + files);
        assertTrue(newIndex < oldIndex, () -> "not newest first: " + files);

        Response served = server.get(newer.path("url").asText());
        assertEquals(200, served.status(), served::toString);
        assertEquals("image/jpeg", served.contentType());
        assertArrayEquals(stored, served.body(), "the served capture differs from the stored file");

        Response servedSidecar = server.get(newer.path("url").asText() + "?sidecar=true");
        assertEquals(200, servedSidecar.status(), servedSidecar::toString);
        assertEquals(CAMERA, server.json(servedSidecar).path("camera").asText(), servedSidecar::toString);
    }

    @Test
    void snapshotOfAllCamerasTakesTheBuiltInCamera() throws Exception {
        Response r = server.post("/api/v1/snapshot", "");
        assertEquals(200, r.status(), r::toString);
        JsonNode batch = server.json(r);
        assertEquals("all", batch.path("mode").asText(), r::toString);
        assertTrue(batch.path("success").asBoolean(), r::toString);
        JsonNode result = find(batch.path("results"), "camera", CAMERA);
        BufferedImage image = ObscuraServer.jpeg(Files.readAllBytes(server.dataDir().resolve(result.path("path").asText())));
        assertEquals(640, image.getWidth());
    }

    /** Checks a single-snapshot answer and that its file exists; returns it. */
    private JsonNode snapshot(Response r) throws Exception {
        assertEquals(200, r.status(), r::toString);
        JsonNode s = server.json(r);
        assertTrue(s.path("success").asBoolean(), r::toString);
        assertEquals(CAMERA, s.path("camera").asText(), r::toString);
        assertTrue(Files.isRegularFile(server.dataDir().resolve(s.path("path").asText())), r::toString);
        return s;
    }

    /** The element of a JSON array whose {@code key} is {@code value}; fails if there is none. */
    static JsonNode find(JsonNode array, String key, String value) {
        assertTrue(array.isArray(), () -> "not an array: " + array);
        for (JsonNode n : array) {
            if (value.equals(n.path(key).asText())) {
                return n;
            }
        }
        throw new AssertionError("no " + key + " '" + value + "' in " + array);
    }
}
