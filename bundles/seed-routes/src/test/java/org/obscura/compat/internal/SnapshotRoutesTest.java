package org.obscura.compat.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraState;

/**
 * The Snapshot Server's API as its Python client uses it: get_cameras() reads a list whose items have a
 * 'name'; snapshot_camera() reads success, filename and image_url_path, and get_image_url() joins the base URL
 * with image_url_path.
 */
class SnapshotRoutesTest {

    @TempDir
    Path dir;
    private SeedServer s;

    @BeforeEach
    void setUp() throws Exception {
        s = new SeedServer(dir.resolve("data"));
        s.registry.add(Fakes.status("left", "v4l2", CameraState.ONLINE));
        s.registry.add(Fakes.status("right", "v4l2", CameraState.OFFLINE));
        s.store.knownCameras.addAll(List.of("left", "right"));
        Files.writeString(dir.resolve("secret.txt"), "outside the data dir");
    }

    @AfterEach
    void stop() throws Exception {
        s.close();
    }

    @Test
    void camerasIsAListOfNamedCameras() throws Exception {
        s.start();
        HttpResponse<byte[]> r = s.get("/api/cameras");
        assertEquals(200, r.statusCode());
        assertEquals("application/json", SeedServer.type(r));
        JsonNode j = SeedServer.json(r);
        assertTrue(j.isArray());
        assertEquals("left", j.get(0).get("name").asText());
        assertEquals("right", j.get(1).get("name").asText());
        assertEquals("/dev/video0", j.get(0).get("device").asText());
        assertEquals("v4l2", j.get(0).get("type").asText());
        assertEquals("MJPG", j.get(0).get("pixel_format").asText());
        assertFalse(j.get(1).get("online").booleanValue());
    }

    @Test
    void singleSnapshotAnswersSuccessFilenameAndAnImageUrlPathThatServesTheImage() throws Exception {
        s.prefix = "/compat";
        s.start();
        HttpResponse<byte[]> r = s.send("POST", "/compat/api/snapshot/left", null);
        assertEquals(200, r.statusCode(), SeedServer.text(r));
        JsonNode j = SeedServer.json(r);
        assertTrue(j.get("success").booleanValue());
        String file = j.get("filename").asText();
        assertTrue(file.startsWith("left_") && file.endsWith(".jpg"), file);
        assertEquals("/compat/snapshots/left/" + file, j.get("image_url_path").asText());

        HttpResponse<byte[]> image = s.get(j.get("image_url_path").asText());
        assertEquals(200, image.statusCode());
        assertEquals("image/jpeg", SeedServer.type(image));
        assertArrayEquals(s.capture.still, image.body());

        HttpResponse<byte[]> sidecar = s.get(j.get("image_url_path").asText() + ".json");
        assertEquals(200, sidecar.statusCode());
        assertEquals("application/json", SeedServer.type(sidecar));
    }

    @Test
    void snapshotFailuresAreSuccessFalseWithAnError() throws Exception {
        s.start();
        HttpResponse<byte[]> r = s.send("POST", "/api/snapshot/nobody", null);
        assertEquals(404, r.statusCode());
        JsonNode j = SeedServer.json(r);
        assertFalse(j.get("success").booleanValue());
        assertTrue(j.get("error").asText().contains("nobody"));

        assertEquals(400, s.send("POST", "/api/snapshot/Bad%20Name", null).statusCode());
        assertEquals(400, s.send("POST", "/api/snapshot/left/extra", null).statusCode());

        s.capture.failure = new CameraException(CameraException.Kind.BUSY, "camera 'left' is busy");
        r = s.send("POST", "/api/snapshot/left", null);
        assertEquals(503, r.statusCode());
        assertEquals("camera 'left' is busy", SeedServer.json(r).get("error").asText());
    }

    @Test
    void allAndStereoReportEveryCamera() throws Exception {
        s.capture.batchCameras.addAll(List.of("left"));
        s.capture.batchErrors.put("right", "camera 'right' is offline");
        s.start();
        HttpResponse<byte[]> r = s.send("POST", "/api/snapshot_all", null);
        assertEquals(200, r.statusCode());
        JsonNode j = SeedServer.json(r);
        assertFalse(j.get("success").booleanValue(), "one camera failed");
        assertEquals("all", j.get("mode").asText());
        assertEquals(1, j.get("results").size());
        assertTrue(j.get("results").get(0).get("success").booleanValue());
        assertTrue(j.get("results").get(0).get("image_url_path").asText().startsWith("/snapshots/left/"));
        assertEquals("camera 'right' is offline", j.get("errors").get("right").asText());

        s.capture.batchErrors.clear();
        s.capture.batchCameras.add("right");
        j = SeedServer.json(s.send("POST", "/api/snapshot_stereo", null));
        assertTrue(j.get("success").booleanValue());
        assertEquals("stereo", j.get("mode").asText());
        assertEquals(1.235, j.get("skew_ms").doubleValue());
    }

    @Test
    void aBatchWithoutAnyPictureIs503() throws Exception {
        s.capture.batchErrors.put("left", "camera 'left' is offline");
        s.start();
        HttpResponse<byte[]> r = s.send("POST", "/api/snapshot_stereo", null);
        assertEquals(503, r.statusCode());
        JsonNode j = SeedServer.json(r);
        assertFalse(j.get("success").booleanValue());
        assertFalse(j.get("error").asText().isBlank());
    }

    @Test
    void imagePathsCannotLeaveTheStore() throws Exception {
        s.start();
        for (String path : List.of("/snapshots/left/..%2F..%2Fsecret.txt", "/snapshots/..%2Fsecret.txt/x",
                "/snapshots/left/%2e%2e", "/snapshots/left", "/snapshots/left/a/b", "/snapshots/left/.hidden",
                "/snapshots/left/x%00.jpg", "/snapshots/left/missing.jpg", "/snapshots/LEFT/x.jpg")) {
            HttpResponse<byte[]> r = s.get(path);
            assertTrue(r.statusCode() == 400 || r.statusCode() == 404, path + " -> " + r.statusCode());
            assertFalse(SeedServer.text(r).contains("outside the data dir"), path);
        }
    }
}
