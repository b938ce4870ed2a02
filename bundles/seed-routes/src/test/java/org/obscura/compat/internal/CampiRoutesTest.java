package org.obscura.compat.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obscura.camera.api.CameraState;
import org.obscura.camera.api.DeviceInfo;
import org.obscura.camera.api.Mode;
import org.obscura.camera.api.PixelFormat;

/** campi's documented routes, request and response shapes (README "API Endpoints" 1-7). */
class CampiRoutesTest {

    @TempDir
    Path dir;
    private SeedServer s;

    @BeforeEach
    void start() throws Exception {
        s = new SeedServer(dir);
        s.registry.add(Fakes.status("left", "v4l2", CameraState.STREAMING));
        s.registry.add(Fakes.status("right", "v4l2", CameraState.ONLINE));
        s.configurations.add(Fakes.V4L2_PID, "left", Map.of("device", "/dev/video0", "format", "MJPG", "width", 640,
                "height", 480, "fps", 30.0, "felix.fileinstall.filename", "file:/conf/x.config"));
    }

    @AfterEach
    void stop() throws Exception {
        s.close();
    }

    @Test
    void videoFeedIsMjpegOfTheFirstCamera() throws Exception {
        s.start();
        HttpResponse<InputStream> r = s.open("/video_feed");
        assertEquals(200, r.statusCode());
        assertEquals("multipart/x-mixed-replace; boundary=frame", SeedServer.type(r));
        try (InputStream in = r.body()) {
            MultipartReader reader = new MultipartReader(in, "frame");
            for (int i = 0; i < 3; i++) {
                MultipartReader.Part part = reader.next();
                assertNotNull(part);
                assertEquals("image/jpeg", part.headers().get("content-type"));
                assertEquals(640, Fakes.decode(part.body()).getWidth());
            }
        }
        assertEquals("left", s.registry.subscriptions.get(0).camera());
    }

    @Test
    void losslessFrameIsPng() throws Exception {
        s.start();
        HttpResponse<byte[]> r = s.get("/lossless_frame");
        assertEquals(200, r.statusCode());
        assertEquals("image/png", SeedServer.type(r));
        byte[] signature = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        assertArrayEquals(signature, java.util.Arrays.copyOf(r.body(), 8));
        BufferedImage image = Fakes.decode(r.body());
        assertEquals(640, image.getWidth());
        assertEquals(480, image.getHeight());
        assertTrue(s.registry.allSubscriptionsClosed(), "the frame's subscription is closed after the answer");
    }

    @Test
    void rawFrameIsBgrWithNumpyHeaders() throws Exception {
        s.start();
        HttpResponse<byte[]> r = s.get("/raw_frame");
        assertEquals(200, r.statusCode());
        assertEquals("application/octet-stream", SeedServer.type(r));
        assertEquals("480", r.headers().firstValue("X-Height").orElseThrow());
        assertEquals("640", r.headers().firstValue("X-Width").orElseThrow());
        assertEquals("3", r.headers().firstValue("X-Channels").orElseThrow());
        assertEquals("uint8", r.headers().firstValue("X-Dtype").orElseThrow());
        assertEquals(480 * 640 * 3, r.body().length);
    }

    @Test
    void currentConfigHasExactlyTheDocumentedKeys() throws Exception {
        s.start();
        HttpResponse<byte[]> r = s.get("/current_config");
        assertEquals(200, r.statusCode());
        assertEquals("application/json", SeedServer.type(r));
        JsonNode j = SeedServer.json(r);
        assertEquals(List.of("device", "codec", "width", "height", "fps"), fieldNames(j));
        assertEquals("/dev/video0", j.get("device").asText());
        assertEquals("MJPG", j.get("codec").asText());
        assertEquals(640, j.get("width").intValue());
        assertEquals(480, j.get("height").intValue());
        assertTrue(j.get("fps").isIntegralNumber(), "fps 30 is printed as 30, as in the README");
        assertEquals(30, j.get("fps").intValue());
    }

    @Test
    void infoHasTheDocumentedKeysAsFloats() throws Exception {
        s.start();
        JsonNode j = SeedServer.json(s.get("/info"));
        for (String key : List.of("codec", "device", "device_name", "fps", "height", "width")) {
            assertTrue(j.has(key), key);
        }
        assertEquals("C922 Pro Stream Webcam", j.get("device_name").asText());
        assertTrue(j.get("width").isFloatingPointNumber());
        assertEquals(640.0, j.get("width").doubleValue());
        assertEquals(480.0, j.get("height").doubleValue());
        assertEquals(30.0, j.get("fps").doubleValue());
    }

    @Test
    void devicesAreKeyedByCardNameWithFormatsResolutionsAndRates() throws Exception {
        s.registry.devices.put("v4l2", List.of(new DeviceInfo("v4l2", "/dev/video0", "C922 Pro Stream Webcam", Map.of(),
                List.of(new DeviceInfo.Format("MJPG", "Motion-JPEG", List.of(
                        new DeviceInfo.Size(1920, 1080, List.of(30.0)), new DeviceInfo.Size(1280, 720, List.of(30.0, 15.0))))))));
        s.registry.drivers.add(Fakes.driverInfo("gphoto2", "org.obscura.driver.gphoto2.camera"));
        s.start();
        HttpResponse<byte[]> r = s.get("/devices");
        assertEquals(200, r.statusCode());
        JsonNode j = SeedServer.json(r);
        assertEquals(List.of("C922_Pro_Stream_Webcam"), fieldNames(j), "a driver that cannot discover is left out");
        JsonNode cam = j.get("C922_Pro_Stream_Webcam");
        assertEquals("/dev/video0", cam.get("device").asText());
        JsonNode format = cam.get("formats").get(0);
        assertEquals("MJPG", format.get("codec").asText());
        assertEquals("Motion-JPEG", format.get("desc").asText());
        assertEquals("1920x1080", format.get("resolutions").get(0).get("resolution").asText());
        assertEquals(30.0, format.get("resolutions").get(0).get("fps").get(0).doubleValue());
        assertEquals(2, format.get("resolutions").get(1).get("fps").size());
    }

    @Test
    void configureWritesTheCamerasConfigurationAfterTheDriverChecks() throws Exception {
        // /configure waits at most the frame timeout for the camera to report the new size, and answers as soon as
        // it does: a long timeout keeps a busy machine's late reopening from ending that wait first.
        s.frameTimeout = Duration.ofSeconds(30);
        // The camera reopens in the new mode a moment after its configuration changed.
        s.configurations.onUpdate = properties -> new Thread(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
            s.registry.add(Fakes.status("left", "v4l2", CameraState.STREAMING, new Mode(PixelFormat.YUYV,
                    (Integer) properties.get("width"), (Integer) properties.get("height"), 30)));
        }).start();
        s.start();
        HttpResponse<byte[]> r = s.send("POST", "/configure",
                "{\"device\": \"/dev/video2\", \"codec\": \"yuyv\", \"resolution\": \"1280x720\", \"fps\": 30}");
        assertEquals(200, r.statusCode(), SeedServer.text(r));
        assertEquals("application/json", SeedServer.type(r));
        assertEquals("ok", SeedServer.json(r).get("status").asText());
        Map<String, Object> stored = s.configurations.byPid.get(Fakes.V4L2_PID + "~left");
        assertEquals("/dev/video2", stored.get("device"));
        assertEquals("YUYV", stored.get("format"));
        assertEquals(1280, stored.get("width"));
        assertEquals(720, stored.get("height"));
        assertEquals(30.0, stored.get("fps"));
        assertEquals("file:/conf/x.config", stored.get("felix.fileinstall.filename"), "FileInstall's link is kept");
        assertEquals(1, s.v4l2.validated.size());
        assertFalse(s.v4l2.validated.get(0).containsKey("service.pid"));

        // The answer came once the camera reported the new size: /current_config right after shows it.
        JsonNode now = SeedServer.json(s.get("/current_config"));
        assertEquals(1280, now.get("width").intValue());
        assertEquals("YUYV", now.get("codec").asText());
    }

    @Test
    void configureAnswers400WithTheMessageForBadInput() throws Exception {
        s.start();
        List<String> bodies = List.of("not json", "[1]", "{}", "{\"resolution\": \"big\"}", "{\"resolution\": \"0x720\"}",
                "{\"fps\": -1}", "{\"fps\": \"fast\"}", "{\"fps\": true}", "{\"codec\": 42}", "{\"codec\": \"../../x\"}",
                "{\"device\": \"\"}", "{\"device\": \"a\\u0000b\"}");
        for (String body : bodies) {
            HttpResponse<byte[]> r = s.send("POST", "/configure", body);
            assertEquals(400, r.statusCode(), body);
            JsonNode j = SeedServer.json(r);
            assertEquals("error", j.get("status").asText(), body);
            assertFalse(j.get("message").asText().isBlank(), body);
        }
        HttpResponse<byte[]> r = s.send("POST", "/configure", "{\"resolution\": \"5000x720\"}");
        assertEquals(400, r.statusCode());
        assertTrue(SeedServer.json(r).get("message").asText().contains("1920"), "the driver's own message");
        assertEquals(0, s.configurations.updates.get(), "nothing written for refused input");
        assertEquals(413, s.send("POST", "/configure", "{\"device\": \"" + "x".repeat(70_000) + "\"}").statusCode());
    }

    @Test
    void configureOfACameraWithoutConfigurationOrWithoutConfigAdminIsRefused() throws Exception {
        s.camera = "right";
        s.start();
        HttpResponse<byte[]> r = s.send("POST", "/configure", "{\"resolution\": \"1280x720\"}");
        assertEquals(409, r.statusCode());
        assertTrue(SeedServer.json(r).get("message").asText().contains("no configuration"));
        s.configurationAdminPresent = false;
        assertEquals(503, s.send("POST", "/configure", "{\"resolution\": \"1280x720\"}").statusCode());
    }

    @Test
    void configureIsPostOnly() throws Exception {
        s.start();
        HttpResponse<byte[]> r = s.get("/configure");
        assertEquals(405, r.statusCode());
        assertTrue(r.headers().firstValue("Allow").orElseThrow().contains("POST"));
    }

    @Test
    void missingAndOfflineCamerasAndSilentOnesAreClearErrorsNever500() throws Exception {
        s.frameTimeout = Duration.ofSeconds(1);
        s.camera = "ghost";
        s.start();
        HttpResponse<byte[]> r = s.get("/current_config");
        assertEquals(404, r.statusCode());
        assertTrue(SeedServer.json(r).get("message").asText().contains("ghost"));
        s.close();

        s = new SeedServer(dir);
        s.frameTimeout = Duration.ofSeconds(1);
        s.registry.add(Fakes.status("left", "v4l2", CameraState.OFFLINE));
        s.start();
        assertEquals(503, s.get("/lossless_frame").statusCode());
        s.close();

        s = new SeedServer(dir);
        s.frameTimeout = Duration.ofSeconds(1);
        s.registry.add(Fakes.status("left", "v4l2", CameraState.ONLINE));
        s.registry.framePeriodMillis = 0;
        s.start();
        r = s.get("/raw_frame");
        assertEquals(504, r.statusCode());
        assertTrue(SeedServer.json(r).get("message").asText().contains("no picture"));
    }

    @Test
    void placeholdersAreNeverServedAsPictures() throws Exception {
        s.registry.placeholders = 3;
        s.start();
        assertEquals(200, s.get("/lossless_frame").statusCode());
        // Three placeholders were skipped before the picture.
        Fakes.Subscription sub = s.registry.subscriptions.get(0);
        assertEquals(4, sub.index.get());
    }

    static List<String> fieldNames(JsonNode j) {
        List<String> names = new ArrayList<>();
        j.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
