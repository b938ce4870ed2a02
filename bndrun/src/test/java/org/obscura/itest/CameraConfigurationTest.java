package org.obscura.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.obscura.itest.ObscuraServer.await;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.obscura.camera.api.CameraStatus;
import org.obscura.itest.ObscuraServer.Response;
import org.osgi.service.cm.Configuration;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Cameras made, changed and removed through the REST API: each request writes a ConfigurationAdmin factory
 * configuration, the driver runs the camera it describes, and the built-in camera steps aside while another
 * camera is there (its automatic mode).
 */
@ExtendWith(ObscuraServer.Extension.class)
class CameraConfigurationTest {

    private ObscuraServer server;

    @BeforeEach
    void setUp(ObscuraServer server) throws Exception {
        this.server = server;
        server.resetCameras();
    }

    @AfterEach
    void tearDown() throws Exception {
        server.resetCameras();
    }

    @Test
    void createChangeAndDeleteACamera() throws Exception {
        Response created = server.post("/api/v1/cameras",
                Map.of("driver", "testpattern", "name", "bench", "width", 320, "height", 240, "format", "JPEG"));
        assertEquals(201, created.status(), created::toString);
        assertTrue(created.header("Location").orElse("").endsWith("/api/v1/cameras/bench"), created::toString);
        JsonNode written = server.json(created);
        assertEquals(ObscuraServer.TESTPATTERN_FACTORY_PID, written.path("factoryPid").asText(), created::toString);
        assertEquals(320, written.path("properties").path("width").asInt(), created::toString);
        server.problem(server.post("/api/v1/cameras", Map.of("driver", "testpattern", "name", "bench")), 409, "name");
        List<Configuration> configurations = server.testPatternConfigurations();
        assertEquals(1, configurations.size(), configurations::toString);
        assertEquals("bench", configurations.get(0).getProperties().get("name"));

        await("camera 'bench' to be registered and the built-in camera withdrawn", () -> names().equals(Set.of("bench")),
                () -> names().toString());
        awaitFrameSize("bench", 320, 240);

        Response got = server.get("/api/v1/cameras/bench");
        assertEquals(200, got.status(), got::toString);
        assertTrue(server.json(got).path("configurable").asBoolean(), got::toString);

        Response changed = server.put("/api/v1/cameras/bench", Map.of("width", 640, "height", 360, "format", "JPEG"));
        assertEquals(200, changed.status(), changed::toString);
        assertEquals(640, server.json(changed).path("properties").path("width").asInt(), changed::toString);
        awaitFrameSize("bench", 640, 360);

        Response deleted = server.delete("/api/v1/cameras/bench");
        assertEquals(204, deleted.status(), deleted::toString);
        assertTrue(server.testPatternConfigurations().isEmpty(), "the configuration is still there");
        await("camera 'bench' to go and the built-in camera to come back",
                () -> names().equals(Set.of(ObscuraServer.BUILTIN)), () -> names().toString());
        server.problem(server.get("/api/v1/cameras/bench"), 404, null);
    }

    @Test
    void stereoSnapshotTakesBothCamerasTogether() throws Exception {
        for (String name : List.of("left", "right")) {
            Response r = server.post("/api/v1/cameras", Map.of("driver", "testpattern", "name", name, "width", 320,
                    "height", 240, "format", "JPEG", "stereo", true, "stereo.order", name.equals("left") ? 0 : 1));
            assertEquals(201, r.status(), r::toString);
        }
        await("cameras 'left' and 'right' to be registered", () -> names().equals(Set.of("left", "right")),
                () -> names().toString());

        Response r = server.post("/api/v1/snapshot/stereo", "");
        assertEquals(200, r.status(), r::toString);
        JsonNode batch = server.json(r);
        assertTrue(batch.path("success").asBoolean(), r::toString);
        assertTrue(batch.path("skew_ms").isNumber() && batch.path("skew_ms").asDouble() >= 0, r::toString);
        JsonNode results = batch.path("results");
        assertEquals(2, results.size(), r::toString);
        Set<String> cameras = new HashSet<>();
        for (JsonNode result : results) {
            cameras.add(result.path("camera").asText());
            Path file = server.dataDir().resolve(result.path("path").asText());
            BufferedImage image = ObscuraServer.jpeg(Files.readAllBytes(file));
            assertEquals(320, image.getWidth());
            JsonNode sidecar = server.json(server.dataDir().resolve(result.path("sidecar").asText()));
            assertEquals(result.path("camera").asText(), sidecar.path("camera").asText(), sidecar::toString);
            assertTrue(sidecar.has("stereo"), () -> "no stereo entry in the sidecar: " + sidecar);
        }
        assertEquals(Set.of("left", "right"), cameras);
    }

    private Set<String> names() {
        Set<String> names = new HashSet<>();
        for (CameraStatus s : server.registry().cameras()) {
            if (s.online()) {
                names.add(s.name());
            }
        }
        return names;
    }

    /**
     * Waits until the camera's frames have that size: a changed configuration re-registers the camera
     * asynchronously, so the first frames after a change may still be of the old size.
     */
    private void awaitFrameSize(String camera, int width, int height) {
        String[] last = {""};
        await("frames of camera '" + camera + "' at " + width + "x" + height, () -> {
            try {
                Response r = server.get("/api/v1/cameras/" + camera + "/frame");
                if (r.status() != 200) {
                    last[0] = r.toString();
                    return false;
                }
                BufferedImage image = ObscuraServer.jpeg(r);
                last[0] = image.getWidth() + "x" + image.getHeight();
                return image.getWidth() == width && image.getHeight() == height;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, () -> last[0]);
    }
}
