package org.obscura.compat.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraState;
import org.obscura.camera.api.DeviceInfo;
import org.obscura.camera.api.Setting;
import org.obscura.camera.api.SettingType;

/** Camera Server for FourCutTogether: /preview, /capture, /reset, /cmd with the status codes of its tables. */
class FourCutRoutesTest {

    @TempDir
    Path dir;
    private SeedServer s;

    @BeforeEach
    void setUp() {
        s = new SeedServer(dir);
        s.registry.add(Fakes.status("dslr", "gphoto2", CameraState.ONLINE));
        s.registry.drivers.add(Fakes.driverInfo("gphoto2", "org.obscura.driver.gphoto2.camera"));
        s.registry.devices.put("gphoto2", List.of(new DeviceInfo("gphoto2", "usb:001,007", "Canon EOS 700D", Map.of(), List.of())));
        s.registry.settings.put("dslr", List.of(
                new Setting("iso", "ISO Speed", SettingType.MENU, "100", List.of("Auto", "100", "200"), null, null, null,
                        false, "imgsettings"),
                new Setting("batterylevel", "Battery Level", SettingType.TEXT, "100%", List.of(), null, null, null, true,
                        "status")));
    }

    @AfterEach
    void stop() throws Exception {
        s.close();
    }

    @Test
    void previewStreamsJpegPartsWithBoundaryFrameAndEndsAfterTheTimeout() throws Exception {
        s.start();
        long started = System.nanoTime();
        HttpResponse<InputStream> r = s.open("/preview?timeout=1");
        assertEquals(200, r.statusCode());
        assertEquals("multipart/x-mixed-replace; boundary=frame", SeedServer.type(r));
        int parts = 0;
        try (InputStream in = r.body()) {
            MultipartReader reader = new MultipartReader(in, "frame");
            MultipartReader.Part part;
            while ((part = reader.next()) != null) {
                assertEquals("image/jpeg", part.headers().get("content-type"));
                assertEquals(0xFF, part.body()[0] & 0xFF);
                assertEquals(0xD8, part.body()[1] & 0xFF);
                parts++;
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        assertTrue(parts >= 1, "at least the first picture");
        assertTrue(seconds >= 0.9, "the stream lasted the timeout: " + seconds);
        assertTrue(seconds < 20, "and then ended: " + seconds);
        assertTrue(s.registry.allSubscriptionsClosed());
    }

    @Test
    void previewRefusesABadTimeoutWith400TextPlain() throws Exception {
        s.start();
        for (String t : List.of("abc", "-1", "0", "NaN", "1e9", "")) {
            HttpResponse<byte[]> r = s.get("/preview?timeout=" + URLEncoder.encode(t, StandardCharsets.UTF_8));
            assertEquals(400, r.statusCode(), t);
            assertTrue(SeedServer.type(r).startsWith("text/plain"), t);
            assertTrue(SeedServer.text(r).contains("timeout"), t);
        }
    }

    @Test
    void previewWithoutCameraIs504TextPlain() throws Exception {
        s.registry.cameras.clear();
        s.start();
        HttpResponse<byte[]> r = s.get("/preview");
        assertEquals(504, r.statusCode());
        assertTrue(SeedServer.type(r).startsWith("text/plain"));
        assertTrue(SeedServer.text(r).startsWith("*** Error: "));
    }

    @Test
    void previewOfAnOfflineOrSilentCameraIs504() throws Exception {
        s.registry.add(Fakes.status("dslr", "gphoto2", CameraState.OFFLINE));
        s.frameTimeout = Duration.ofSeconds(1);
        s.start();
        assertEquals(504, s.get("/preview").statusCode());
        s.registry.add(Fakes.status("dslr", "gphoto2", CameraState.ONLINE));
        s.registry.framePeriodMillis = 0;
        HttpResponse<byte[]> r = s.get("/preview?timeout=5");
        assertEquals(504, r.statusCode());
        assertTrue(SeedServer.text(r).contains("no picture"));
        assertTrue(s.registry.allSubscriptionsClosed());
    }

    @Test
    void captureAnswersTheFreshStillAsJpeg() throws Exception {
        s.start();
        HttpResponse<byte[]> r = s.get("/capture");
        assertEquals(200, r.statusCode());
        assertEquals("image/jpeg", SeedServer.type(r));
        assertArrayEquals(s.capture.still, r.body());
        assertEquals(List.of("dslr"), s.capture.taken);
    }

    @Test
    void captureFailuresAre503TextPlainAsInTheSeedTable() throws Exception {
        s.start();
        for (CameraException.Kind kind : List.of(CameraException.Kind.BUSY, CameraException.Kind.NOT_FOUND,
                CameraException.Kind.UNAVAILABLE, CameraException.Kind.TIMEOUT, CameraException.Kind.IO)) {
            s.capture.failure = new CameraException(kind, "Could not claim the USB device");
            HttpResponse<byte[]> r = s.get("/capture");
            assertEquals(503, r.statusCode(), kind.name());
            assertTrue(SeedServer.type(r).startsWith("text/plain"));
            assertTrue(SeedServer.text(r).contains("Could not claim the USB device"));
        }
    }

    @Test
    void resetAnswersTheSeedsSentence() throws Exception {
        s.start();
        HttpResponse<byte[]> r = s.get("/reset");
        assertEquals(200, r.statusCode());
        assertTrue(SeedServer.type(r).startsWith("text/html"));
        assertEquals("Camera has been reset.", SeedServer.text(r));
        assertEquals(List.of("dslr"), s.registry.resets);
    }

    @Test
    void resetMapsBusyTo503AndMissingTo504() throws Exception {
        s.start();
        s.registry.resetFailure = new CameraException(CameraException.Kind.BUSY, "device busy");
        assertEquals(503, s.get("/reset").statusCode());
        s.registry.resetFailure = new CameraException(CameraException.Kind.UNAVAILABLE, "camera is offline");
        HttpResponse<byte[]> r = s.get("/reset");
        assertEquals(504, r.statusCode());
        assertTrue(SeedServer.type(r).startsWith("text/plain"));
        s.registry.resetFailure = new CameraException(CameraException.Kind.UNSUPPORTED, "cannot reset");
        assertEquals(501, s.get("/reset").statusCode());
    }

    @Test
    void cmdIsOffUnlessEnabled() throws Exception {
        s.start();
        HttpResponse<byte[]> r = s.get("/cmd?arg=--auto-detect");
        assertEquals(403, r.statusCode());
        assertTrue(SeedServer.text(r).contains("cmd.enabled"));
    }

    @Test
    void cmdIsForAdministratorsOnly() throws Exception {
        s.cmdEnabled = true;
        s.admin = request -> false;
        s.start();
        HttpResponse<byte[]> r = s.get("/cmd?arg=--auto-detect");
        assertEquals(401, r.statusCode());
        assertEquals("Bearer realm=\"obscura\"", r.headers().firstValue("WWW-Authenticate").orElse(""));
        assertTrue(SeedServer.text(r).contains("admin authentication required"), SeedServer.text(r));
    }

    @Test
    void cmdAutoDetectPrintsGphoto2sTable() throws Exception {
        s.cmdEnabled = true;
        s.start();
        HttpResponse<byte[]> r = s.get("/cmd?arg=--auto-detect");
        assertEquals(200, r.statusCode());
        assertTrue(SeedServer.type(r).startsWith("text/plain"));
        String[] lines = SeedServer.text(r).split("\n");
        assertEquals("Model                          Port", lines[0].stripTrailing());
        assertEquals("----------------------------------------------------------", lines[1]);
        assertEquals("Canon EOS 700D                 usb:001,007", lines[2]);
    }

    @Test
    void cmdReadOnlyArgumentsAnswerFromTheServedCamera() throws Exception {
        s.cmdEnabled = true;
        s.start();
        assertTrue(SeedServer.text(s.get("/cmd?arg=--summary")).startsWith("Camera summary:\n"));
        assertTrue(SeedServer.text(s.get("/cmd?arg=--abilities")).startsWith("Abilities for camera"));
        assertEquals("/main/imgsettings/iso\n/main/status/batterylevel\n", SeedServer.text(s.get("/cmd?arg=--list-config")));
        String iso = SeedServer.text(s.get("/cmd?arg=--get-config=/main/imgsettings/iso"));
        assertEquals("Label: ISO Speed\nReadonly: 0\nType: RADIO\nCurrent: 100\nChoice: 0 Auto\nChoice: 1 100\n"
                + "Choice: 2 200\nEND\n", iso);
        assertEquals(404, s.get("/cmd?arg=--get-config=shutterspeed").statusCode());
    }

    @Test
    void cmdRefusesEverythingOffTheListAndNeverRunsIt() throws Exception {
        s.cmdEnabled = true;
        s.start();
        for (String arg : List.of("--capture-image-and-download", "--set-config iso=200", "--reset", "; rm -rf /",
                "$(reboot)", "--auto-detect; ls", "--get-config=../../etc", "--get-config", "--delete-all-files", "")) {
            HttpResponse<byte[]> r = s.get("/cmd?arg=" + URLEncoder.encode(arg, StandardCharsets.UTF_8));
            assertEquals(400, r.statusCode(), arg);
            assertTrue(SeedServer.type(r).startsWith("text/plain"), arg);
            assertFalse(SeedServer.text(r).isBlank());
        }
        assertEquals(400, s.get("/cmd").statusCode());
        assertTrue(s.registry.resets.isEmpty());
        assertTrue(s.capture.taken.isEmpty());
    }

    @Test
    void routesAreGetOnly() throws Exception {
        s.start();
        HttpResponse<byte[]> r = s.send("POST", "/capture", "");
        assertEquals(405, r.statusCode());
        assertNotNull(r.headers().firstValue("Allow").orElse(null));
        assertTrue(s.capture.taken.isEmpty());
    }
}
