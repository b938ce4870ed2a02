package org.obscura.compat.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obscura.camera.api.CameraState;

/** CamServe: /stream, /api/status, /api/frame and the 320x320 /api/smframe. */
class CamServeRoutesTest {

    @TempDir
    Path dir;
    private SeedServer s;

    @BeforeEach
    void setUp() {
        s = new SeedServer(dir);
        s.registry.add(Fakes.status("a-cam", "v4l2", CameraState.ONLINE));
        s.registry.add(Fakes.status("b-cam", "v4l2", CameraState.STREAMING));
    }

    @AfterEach
    void stop() throws Exception {
        s.close();
    }

    @Test
    void streamIsMjpegWithBoundaryFrame() throws Exception {
        s.start();
        HttpResponse<InputStream> r = s.open("/stream");
        assertEquals(200, r.statusCode());
        assertEquals("multipart/x-mixed-replace; boundary=frame", SeedServer.type(r));
        try (InputStream in = r.body()) {
            MultipartReader.Part part = new MultipartReader(in, "frame").next();
            assertNotNull(part);
            assertEquals("image/jpeg", part.headers().get("content-type"));
        }
    }

    @Test
    void statusHasTheDocumentedKeysAndTypes() throws Exception {
        s.camera = "b-cam";
        s.start();
        HttpResponse<byte[]> r = s.get("/api/status");
        assertEquals(200, r.statusCode());
        assertEquals("application/json", SeedServer.type(r));
        JsonNode j = SeedServer.json(r);
        for (String key : new String[] {"camera_id", "width", "height", "fps", "is_running", "frame_available",
                "smframe_available"}) {
            assertTrue(j.has(key), key);
        }
        assertEquals(1, j.get("camera_id").intValue(), "position of b-cam among the cameras by name");
        assertTrue(j.get("camera_id").isInt());
        assertEquals(640, j.get("width").intValue());
        assertEquals(480, j.get("height").intValue());
        assertTrue(j.get("fps").isFloatingPointNumber());
        assertEquals(30.0, j.get("fps").doubleValue());
        assertTrue(j.get("is_running").booleanValue());
        assertTrue(j.get("frame_available").booleanValue());
        assertTrue(j.get("smframe_available").booleanValue());
    }

    @Test
    void statusOfAnOfflineCameraSaysNotRunning() throws Exception {
        s.registry.add(Fakes.status("a-cam", "v4l2", CameraState.OFFLINE));
        s.start();
        JsonNode j = SeedServer.json(s.get("/api/status"));
        assertEquals(0, j.get("camera_id").intValue());
        assertEquals(false, j.get("is_running").booleanValue());
        assertEquals(false, j.get("frame_available").booleanValue());
        HttpResponse<byte[]> frame = s.get("/api/frame");
        assertEquals(503, frame.statusCode());
        assertTrue(SeedServer.json(frame).get("error").asText().contains("offline"));
    }

    @Test
    void frameIsTheCamerasJpeg() throws Exception {
        s.start();
        HttpResponse<byte[]> r = s.get("/api/frame");
        assertEquals(200, r.statusCode());
        assertEquals("image/jpeg", SeedServer.type(r));
        assertArrayEquals(s.registry.subscriptions.get(0).jpeg, r.body());
    }

    @Test
    void smallFrameIs320By320() throws Exception {
        s.start();
        HttpResponse<byte[]> r = s.get("/api/smframe");
        assertEquals(200, r.statusCode());
        assertEquals("image/jpeg", SeedServer.type(r));
        BufferedImage image = Fakes.decode(r.body());
        assertEquals(320, image.getWidth());
        assertEquals(320, image.getHeight());
    }

    @Test
    void noCameraIs404Json() throws Exception {
        s.registry.cameras.clear();
        s.start();
        HttpResponse<byte[]> r = s.get("/api/status");
        assertEquals(404, r.statusCode());
        assertEquals("no camera is registered", SeedServer.json(r).get("error").asText());
    }
}
