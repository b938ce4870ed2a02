package org.obscura.driver.gphoto2.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraException.Kind;
import org.obscura.camera.api.Capability;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.PixelFormat;
import org.obscura.camera.api.Setting;
import org.obscura.camera.api.SettingType;

/**
 * The driver with the real libgphoto2 against {@link VirtualPtpIpCamera} over PTP/IP on 127.0.0.1. Skipped,
 * with the reason printed, only where libgphoto2 cannot be loaded.
 */
class Gphoto2CameraTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static Gphoto2Library library;

    private byte[] still;
    private List<byte[]> previews;
    private VirtualPtpIpCamera fake;
    private final List<Gphoto2Camera> cameras = new ArrayList<>();

    @BeforeAll
    static void loadLibgphoto2() {
        String reason = Gphoto2Library.unavailableReason();
        if (reason != null) {
            System.err.println("SKIPPING the libgphoto2 tests: " + reason);
        }
        Peers.require(reason == null, reason);
        library = Gphoto2Library.load();
    }

    @BeforeEach
    void startVirtualCamera() throws IOException {
        still = TestImages.jpeg(640, 480, 1);
        previews = List.of(TestImages.jpeg(320, 240, 2), TestImages.jpeg(320, 240, 3), TestImages.jpeg(320, 240, 4));
        fake = new VirtualPtpIpCamera(still, 640, 480, previews);
    }

    @AfterEach
    void stopEverything() {
        cameras.forEach(Gphoto2Camera::close);
        if (fake != null) {
            fake.close();
        }
    }

    private Gphoto2Camera camera(Object... keyValues) {
        Map<String, Object> config = new HashMap<>();
        config.put("name", "dslr");
        config.put("port", fake.port());
        for (int i = 0; i < keyValues.length; i += 2) {
            config.put((String) keyValues[i], keyValues[i + 1]);
        }
        Gphoto2Camera camera = new Gphoto2Camera(Gphoto2Setup.from(config), library);
        cameras.add(camera);
        return camera;
    }

    private static Setting find(List<Setting> settings, String name) {
        return settings.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no setting " + name + " in " + settings));
    }

    private static CameraException fails(Kind kind, Runnable call) {
        CameraException e = assertThrows(CameraException.class, call::run);
        assertEquals(kind, e.kind(), e.getMessage());
        return e;
    }

    private long operations(int code) {
        return fake.operationLog().stream().filter(op -> op == code).count();
    }

    @Test
    void connectsOverPtpIpAndDescribesTheCamera() {
        Gphoto2Camera camera = camera();
        assertFalse(camera.settings().isEmpty());
        var d = camera.descriptor();
        assertEquals("dslr", d.name());
        assertEquals("gphoto2", d.driver());
        assertEquals(fake.port(), d.device());
        assertEquals("Obscura", d.properties().get("manufacturer"));
        assertEquals("Virtual PTP/IP Camera", d.properties().get("model"));
        assertEquals("OBS0001", d.properties().get("serial"));
        assertTrue(d.can(Capability.STILL) && d.can(Capability.STREAM) && d.can(Capability.SETTINGS));
        assertEquals(20.0, d.mode().fps(), 1e-9);
        assertEquals(1, fake.sessionsOpened());
    }

    @Test
    void mapsTheConfigurationTreeToGenericSettings() {
        List<Setting> settings = camera().settings();
        Setting iso = find(settings, "iso");
        assertEquals(SettingType.MENU, iso.type());
        assertEquals("100", iso.value());
        assertEquals(List.of("100", "200", "400", "800", "1600"), iso.options());
        assertFalse(iso.readOnly());
        assertEquals("imgsettings", iso.group());
        assertEquals("ISO Speed", iso.label());
        assertEquals(List.of("f/2.8", "f/4", "f/5.6", "f/8", "f/11"), find(settings, "f-number").options());
        assertEquals("f/5.6", find(settings, "f-number").value());
        assertEquals("Automatic", find(settings, "whitebalance").value());
        assertEquals(5, find(settings, "shutterspeed").options().size());
        Setting battery = find(settings, "batterylevel");
        assertTrue(battery.readOnly());
        assertEquals(SettingType.TEXT, battery.type());
        assertEquals("80%", battery.value());
        assertTrue(settings.stream().noneMatch(s -> s.name().equals("opcode")), "raw PTP access must stay hidden");
        Setting date = find(settings, "datetime");
        assertEquals(SettingType.TEXT, date.type());
        assertEquals("2025-01-02T03:04:05Z", date.value());
    }

    @Test
    void writesSettingsThroughToTheCameraAndReadsThemBack() {
        Gphoto2Camera camera = camera();
        assertEquals("400", camera.setSetting("iso", "400").value());
        assertEquals(400L, fake.propertyValue(VirtualPtpIpCamera.PROP_ISO));
        assertEquals("f/8", camera.setSetting("f-number", "f/8").value());
        assertEquals(800L, fake.propertyValue(VirtualPtpIpCamera.PROP_F_NUMBER));
        assertEquals("Daylight", camera.setSetting("whitebalance", "daylight").value());
        assertEquals(4L, fake.propertyValue(VirtualPtpIpCamera.PROP_WHITE_BALANCE));
        assertEquals("2024-05-06T07:08:09Z", camera.setSetting("datetime", "2024-05-06T07:08:09Z").value());
        assertEquals("20240506T070809", fake.propertyValue(VirtualPtpIpCamera.PROP_DATE_TIME));
        // the cached list shows the written values without another read
        assertEquals("400", find(camera.settings(), "iso").value());
        assertEquals("f/8", find(camera.settings(), "f-number").value());
    }

    @Test
    void refusesBadInputBeforeItReachesTheCameraAndKeepsServing() {
        Gphoto2Camera camera = camera();
        camera.settings();
        long writesBefore = operations(VirtualPtpIpCamera.SET_DEVICE_PROP_VALUE);
        CameraException unknown = fails(Kind.NOT_FOUND, () -> camera.setSetting("nosuchthing", "1"));
        assertTrue(unknown.getMessage().contains("'nosuchthing'"), unknown.getMessage());
        CameraException badValue = fails(Kind.INVALID_ARGUMENT, () -> camera.setSetting("iso", "123"));
        assertEquals("iso", badValue.field());
        assertTrue(badValue.getMessage().contains("100, 200, 400, 800, 1600"), badValue.getMessage());
        CameraException readOnly = fails(Kind.INVALID_ARGUMENT, () -> camera.setSetting("batterylevel", "100%"));
        assertTrue(readOnly.getMessage().contains("read-only"), readOnly.getMessage());
        fails(Kind.NOT_FOUND, () -> camera.setSetting("opcode", "0x100F"));
        fails(Kind.INVALID_ARGUMENT, () -> camera.setSetting("", "1"));
        fails(Kind.INVALID_ARGUMENT, () -> camera.setSetting("datetime", "yesterday"));
        assertEquals(writesBefore, operations(VirtualPtpIpCamera.SET_DEVICE_PROP_VALUE));
        assertEquals(100L, fake.propertyValue(VirtualPtpIpCamera.PROP_ISO));
        assertEquals("1600", camera.setSetting("iso", 1600).value());
        assertEquals(1600L, fake.propertyValue(VirtualPtpIpCamera.PROP_ISO));
    }

    @Test
    void servesSettingsFromMemoryUntilTheRefreshIntervalHasPassed() throws InterruptedException {
        Gphoto2Camera cached = camera("settings.refresh.seconds", 3600);
        assertEquals("100", find(cached.settings(), "iso").value());
        fake.setPropertyValue(VirtualPtpIpCamera.PROP_ISO, 1600L); // turned on the camera itself
        long readsBefore = operations(VirtualPtpIpCamera.GET_DEVICE_PROP_DESC);
        assertEquals("100", find(cached.settings(), "iso").value());
        assertEquals(readsBefore, operations(VirtualPtpIpCamera.GET_DEVICE_PROP_DESC));
        cached.close();

        Gphoto2Camera refreshing = camera("name", "dslr2", "settings.refresh.seconds", 1);
        fake.setPropertyValue(VirtualPtpIpCamera.PROP_ISO, 100L);
        assertEquals("100", find(refreshing.settings(), "iso").value());
        fake.setPropertyValue(VirtualPtpIpCamera.PROP_ISO, 800L);
        long deadline = System.nanoTime() + WAIT.toNanos();
        String seen = "100";
        while (!seen.equals("800") && System.nanoTime() < deadline) {
            Thread.sleep(100);
            seen = (String) find(refreshing.settings(), "iso").value();
        }
        assertEquals("800", seen);
    }

    @Test
    void capturesAndDownloadsTheExactBytesThenDeletesThemFromTheCard() {
        Gphoto2Camera camera = camera();
        Frame frame = camera.captureStill();
        try {
            assertArrayEquals(still, frame.toByteArray());
            assertEquals(PixelFormat.JPEG, frame.format());
            assertEquals(640, frame.width());
            assertEquals(480, frame.height());
        } finally {
            frame.release();
        }
        assertTrue(fake.objects().isEmpty(), "picture left on the card: " + fake.objects().keySet());
        assertEquals(List.of(1), fake.deletedHandles());
    }

    @Test
    void keepsPicturesOnTheCardWhenConfigured() throws IOException {
        Gphoto2Camera camera = camera("keep.on.camera", true);
        Frame first = camera.captureStill();
        byte[] second = TestImages.jpeg(800, 600, 9);
        fake.setCaptureImage(second, 800, 600);
        Frame next = camera.captureStill();
        try {
            assertArrayEquals(still, first.toByteArray());
            assertArrayEquals(second, next.toByteArray());
            assertEquals(800, next.width());
            assertTrue(next.sequence() > first.sequence());
        } finally {
            first.release();
            next.release();
        }
        assertEquals(2, fake.objects().size());
        assertTrue(fake.deletedHandles().isEmpty());
    }

    @Test
    void capturesOnTheCardWithoutDownloadingOrDeleting() {
        Gphoto2Camera camera = camera(); // keep.on.camera is false: it must not matter here
        String first = camera.captureOnDevice();
        String second = camera.captureOnDevice();
        Map<Integer, VirtualPtpIpCamera.StoredObject> onCard = fake.objects();
        assertEquals(2, onCard.size());
        assertEquals(2, fake.capturesTaken());
        assertTrue(first.startsWith("/store_") && first.endsWith("/" + onCard.get(1).fileName()), first);
        assertTrue(second.endsWith("/" + onCard.get(2).fileName()), second);
        assertEquals(0, fake.objectsDownloaded());
        assertEquals(0, operations(VirtualPtpIpCamera.GET_OBJECT));
        assertTrue(fake.deletedHandles().isEmpty());

        // a download after it still works, and deletes only its own picture
        Frame frame = camera.captureStill();
        frame.release();
        assertEquals(List.of(3), fake.deletedHandles());
        assertEquals(2, fake.objects().size());
    }

    @Test
    void resetReopensTheSessionAndLiveviewAndCaptureCarryOn() throws Exception {
        Gphoto2Camera camera = camera();
        RecordingSink sink = new RecordingSink();
        camera.start(sink);
        assertTrue(sink.awaitFrames(5, WAIT), "liveview frames did not arrive");
        long settingReadsBefore = operations(VirtualPtpIpCamera.GET_DEVICE_PROP_DESC);
        assertEquals(1, fake.sessionsOpened());

        camera.reset();
        assertEquals(2, fake.sessionsOpened(), "reset did not open a new session");
        assertTrue(operations(VirtualPtpIpCamera.CLOSE_SESSION) >= 1, "the old session was not closed");
        int afterReset = sink.frames().size();
        assertTrue(sink.awaitFrames(afterReset + 5, WAIT), "liveview did not carry on after the reset");
        Frame frame = camera.captureStill();
        try {
            assertArrayEquals(still, frame.toByteArray());
        } finally {
            frame.release();
        }
        camera.stop();
        sink.markStopped();
        assertEquals(null, sink.awaitFailure(Duration.ZERO), "liveview reported a failure");
        assertEquals(List.of(), sink.violations());
        // the settings are read from the camera again after a reset
        camera.settings();
        assertTrue(operations(VirtualPtpIpCamera.GET_DEVICE_PROP_DESC) > settingReadsBefore);
        assertEquals(2, fake.sessionsOpened());
    }

    @Test
    void resettingACameraThatIsGoneSaysSoAndWorksWhenItIsBack() {
        Gphoto2Camera camera = camera();
        camera.settings();
        fake.vanish();
        CameraException gone = fails(Kind.UNAVAILABLE, camera::reset);
        assertTrue(gone.getMessage().contains(fake.port()), gone.getMessage());
        fake.setOnline(true);
        camera.reset();
        assertEquals(2, fake.sessionsOpened());
        assertFalse(camera.settings().isEmpty());
        camera.close();
        fails(Kind.UNAVAILABLE, camera::reset);
        fails(Kind.UNAVAILABLE, camera::captureOnDevice);
    }

    @Test
    void aCaptureTheCameraNeverCompletesTimesOutAndTheCameraRecoversWhenReset() throws Exception {
        // libgphoto2 2.5.30 ignores a refused InitiateCapture and waits for capture events for ever: the
        // driver must answer in time, fail fast while libgphoto2 is stuck, and recover when the link drops
        Gphoto2Camera camera = camera("capture.timeout.seconds", 2);
        camera.settings();
        fake.setCaptureBusy(true);
        CameraException timeout = fails(Kind.TIMEOUT, camera::captureStill);
        assertTrue(timeout.getMessage().contains("capturing took longer than 2 s"), timeout.getMessage());
        CameraException fast = fails(Kind.TIMEOUT, camera::captureStill);
        assertTrue(fast.getMessage().contains("has not answered since capturing started"), fast.getMessage());

        fake.setCaptureBusy(false);
        fake.vanish(); // switched off: the stuck call returns with an I/O error
        fake.setOnline(true); // and on again
        long deadline = System.nanoTime() + WAIT.toNanos();
        Frame frame = null;
        while (frame == null) {
            try {
                frame = camera.captureStill();
            } catch (CameraException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50); // the stuck call is still returning
            }
        }
        try {
            assertArrayEquals(still, frame.toByteArray());
        } finally {
            frame.release();
        }
        assertEquals(2, fake.sessionsOpened());
    }

    @Test
    void closingAPtpIpCameraLeavesStandardInputAlone() throws IOException {
        // libgphoto2's PTP/IP disconnect also runs close(0); StdinGuard puts descriptor 0 back
        Path stdin = Path.of("/proc/self/fd/0");
        assumeTrue(Files.exists(stdin, LinkOption.NOFOLLOW_LINKS), "no /proc/self/fd/0 here");
        Path before = Files.readSymbolicLink(stdin);
        Gphoto2Camera camera = camera();
        camera.settings();
        camera.close();
        assertEquals(before, Files.readSymbolicLink(stdin));
        Gphoto2Camera unreachable = camera("name", "gone", "port", "ptpip:127.0.0.1:1:1");
        fails(Kind.UNAVAILABLE, unreachable::settings);
        assertEquals(before, Files.readSymbolicLink(stdin));
    }

    @Test
    void liveviewFramesFlowPauseForACaptureAndResumeByThemselves() throws Exception {
        Gphoto2Camera camera = camera();
        RecordingSink sink = new RecordingSink();
        camera.start(sink);
        assertTrue(sink.awaitFrames(10, WAIT), "liveview frames did not arrive");
        fails(Kind.CONFLICT, () -> camera.start(new RecordingSink()));

        Frame captured = camera.captureStill();
        try {
            assertArrayEquals(still, captured.toByteArray());
        } finally {
            captured.release();
        }
        int afterCapture = sink.frames().size();
        assertTrue(sink.awaitFrames(afterCapture + 10, WAIT), "liveview did not resume after the capture");
        camera.stop();
        sink.markStopped();
        camera.stop(); // idempotent

        List<RecordingSink.Received> frames = sink.frames();
        long previous = Long.MIN_VALUE;
        for (RecordingSink.Received f : frames) {
            assertEquals(PixelFormat.JPEG, f.format());
            assertEquals(320, f.width());
            assertEquals(240, f.height());
            assertTrue(previews.stream().anyMatch(p -> Arrays.equals(p, f.jpeg())), "frame is not a served preview");
            assertTrue(f.sequence() > previous, "sequence numbers must increase");
            previous = f.sequence();
        }
        assertEquals(320, camera.descriptor().mode().width());
        // a request after stop() runs after any preview that was in flight on the camera thread
        camera.settings();
        camera.captureStill().release();
        assertEquals(List.of(), sink.violations());
        assertEquals(1, fake.sessionsOpened());
    }

    @Test
    void aCameraThatVanishesFailsTheStreamAndIsReconnectedWhenBack() throws Exception {
        Gphoto2Camera camera = camera();
        RecordingSink sink = new RecordingSink();
        camera.start(sink);
        assertTrue(sink.awaitFrames(5, WAIT));

        fake.vanish();
        CameraException failure = sink.awaitFailure(WAIT);
        assertNotNull(failure, "liveview did not report the lost camera");
        assertTrue(failure.kind() == Kind.IO || failure.kind() == Kind.UNAVAILABLE, failure.toString());
        camera.stop(); // what the core does after failed()
        sink.markStopped();

        CameraException offline = fails(Kind.UNAVAILABLE, () -> camera.start(new RecordingSink()));
        assertTrue(offline.getMessage().contains(fake.port()), offline.getMessage());
        fails(Kind.UNAVAILABLE, camera::captureStill);

        fake.setOnline(true);
        RecordingSink again = new RecordingSink();
        camera.start(again);
        assertTrue(again.awaitFrames(5, WAIT), "liveview did not come back after reconnecting");
        camera.stop();
        assertEquals(2, fake.sessionsOpened());
        assertEquals(List.of(), sink.violations());
        assertEquals(List.of(), again.violations());
    }

    @Test
    void aLiveviewImageThatHangsFailsTheStreamAndItsConnectionIsReplaced() throws Exception {
        Gphoto2Camera camera = camera();
        // Short for the test, yet long enough that no preview of a busy machine is taken for a hung one.
        camera.previewTimeout(Duration.ofSeconds(3));
        RecordingSink sink = new RecordingSink();
        camera.start(sink);
        assertTrue(sink.awaitFrames(3, WAIT), "liveview frames did not arrive");

        fake.setStreamDelay(9000); // the camera stalls without closing the link, well past the timeout
        CameraException failure = sink.awaitFailure(WAIT);
        assertNotNull(failure, "the watchdog did not fail the stalled liveview");
        assertEquals(Kind.TIMEOUT, failure.kind(), failure.getMessage());
        assertTrue(failure.getMessage().contains("liveview"), failure.getMessage());
        camera.stop(); // what the core does after failed()
        sink.markStopped();
        int framesAtFailure = sink.frames().size();

        // when the stalled call returns (late image or error), its connection is closed by the driver, before
        // anything opens a new one; the next start then opens a new session
        fake.setStreamDelay(0);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (fake.connectionsEnded() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(1, fake.connectionsEnded(), "the stalled connection was not closed");
        assertEquals(1, fake.sessionsOpened());
        RecordingSink again = new RecordingSink();
        camera.start(again);
        assertTrue(again.awaitFrames(5, WAIT), "liveview did not come back on a new connection");
        camera.stop();
        assertEquals(2, fake.sessionsOpened());
        assertEquals(framesAtFailure, sink.frames().size(), "the late image reached the failed stream");
        // failed() comes from the watchdog while the camera thread is stuck: never at the same time as a frame
        assertTrue(sink.violations().stream().allMatch(v -> v.equals("failed from a second thread gphoto2-dslr-watchdog")),
                sink.violations().toString());
        assertEquals(List.of(), again.violations());
    }

    @Test
    void aCameraWithoutLiveviewSaysSoAndStillCaptures() throws IOException {
        fake.close();
        fake = new VirtualPtpIpCamera(still, 640, 480, List.of());
        Gphoto2Camera camera = camera();
        CameraException e = fails(Kind.UNSUPPORTED, () -> camera.start(new RecordingSink()));
        assertTrue(e.getMessage().contains("liveview"), e.getMessage());
        assertFalse(camera.descriptor().can(Capability.STREAM));
        Frame frame = camera.captureStill();
        try {
            assertArrayEquals(still, frame.toByteArray());
        } finally {
            frame.release();
        }
    }

    @Test
    void requestsFromManyThreadsShareOneOrderlyConnection() throws Exception {
        Gphoto2Camera camera = camera("keep.on.camera", true);
        RecordingSink sink = new RecordingSink();
        camera.start(sink);
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Object>> work = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String iso = List.of("200", "400", "800", "1600").get(i);
                work.add(() -> camera.setSetting("iso", iso));
                work.add(() -> {
                    Frame f = camera.captureStill();
                    try {
                        return Arrays.equals(still, f.toByteArray());
                    } finally {
                        f.release();
                    }
                });
                work.add(camera::settings);
            }
            for (Future<Object> result : clients.invokeAll(work, WAIT.toSeconds(), TimeUnit.SECONDS)) {
                Object value = result.get();
                if (value instanceof Boolean same) {
                    assertTrue(same, "a capture returned other bytes");
                }
            }
        } finally {
            clients.shutdownNow();
        }
        assertTrue(sink.awaitFrames(sink.frames().size() + 3, WAIT), "liveview stalled");
        camera.stop();
        assertEquals(4, fake.capturesTaken());
        assertEquals(1, fake.sessionsOpened(), "the connection broke under concurrent use");
        assertEquals(List.of(), sink.violations());
    }

    @Test
    void anUnreachablePortIsUnavailableAndNamesThePort() throws IOException {
        int free;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            free = s.getLocalPort();
        }
        String port = "ptpip:127.0.0.1:" + free + ":" + free;
        Gphoto2Camera camera = camera("port", port);
        CameraException e = fails(Kind.UNAVAILABLE, camera::settings);
        assertTrue(e.getMessage().contains(port), e.getMessage());
    }

    @Test
    void aClosedCameraRefusesRequests() {
        Gphoto2Camera camera = camera();
        camera.settings();
        camera.close();
        fails(Kind.UNAVAILABLE, camera::captureStill);
        fails(Kind.UNAVAILABLE, () -> camera.start(new RecordingSink()));
        camera.stop();
    }
}
