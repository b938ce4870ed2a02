package org.obscura.camera.core.internal.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obscura.camera.api.BatchResult;
import org.obscura.camera.api.CameraConfig;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CaptureResult;
import org.obscura.camera.api.CapturedImage;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.FrameSubscription;
import org.obscura.camera.api.MetadataProvider;
import org.obscura.camera.api.ObscuraEvents;
import org.obscura.camera.api.PixelFormat;
import org.obscura.camera.api.Setting;
import org.obscura.camera.api.SettingType;
import org.obscura.camera.core.internal.CoreCameraRegistry;
import org.obscura.camera.core.internal.FakeCamera;
import org.obscura.camera.core.internal.RecordingEvents;
import org.obscura.camera.core.internal.hub.HubSettings;
import org.obscura.camera.core.internal.jpeg.ImageIoJpegEncoder;
import org.obscura.camera.core.internal.jpeg.JpegEncoder;
import org.obscura.camera.core.internal.store.FileImageStore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class CoreCaptureServiceTest {

    @TempDir
    Path temp;
    private Path log;
    private Path root;
    private InterruptServices interrupts;
    private final RecordingEvents events = new RecordingEvents();
    private final CoreCameraRegistry registry = new CoreCameraRegistry(HubSettings.DEFAULTS, JpegEncoder.standard(),
            events);
    private final List<FakeCamera> cameras = new ArrayList<>();
    private CoreCaptureService service;

    @BeforeEach
    void setUp() throws IOException {
        log = temp.resolve("systemctl.log");
        Path script = temp.resolve("fake-systemctl.sh");
        // Records its arguments; "bad*" services fail like systemctl does, "slow*" ones hang.
        Files.writeString(script, String.join("\n",
                "echo \"$@\" >> '" + log + "'",
                "case \"$2\" in",
                "  bad*) echo \"Failed to $1 $2: Unit $2 not found.\" >&2; exit 5;;",
                "  slow*) sleep 30;;",
                "esac",
                "exit 0", ""));
        interrupts = new InterruptServices(List.of("sh", script.toString()), Duration.ofSeconds(20));
        root = temp.resolve("data");
        service = new CoreCaptureService(registry, new FileImageStore(root, ZoneOffset.UTC), JpegEncoder.standard(),
                interrupts, 95, events);
    }

    @AfterEach
    void tearDown() {
        registry.deactivate();
        cameras.forEach(FakeCamera::stop);
    }

    private FakeCamera camera(String name, boolean stereo, int order, String interruptService) {
        FakeCamera c = new FakeCamera(name, "fake", stereo, order, interruptService);
        cameras.add(c);
        registry.addDevice(c, Map.of(CameraConfig.CAMERA_NAME, name));
        return c;
    }

    @Test
    void aRawStillIsEncodedAndDescribed() throws Exception {
        FakeCamera left = camera("left", false, 0, null);
        left.settings = List.of(new Setting("brightness", null, SettingType.INTEGER, 5L, null, 0, 10, 1, false, null),
                new Setting("reset", null, SettingType.BUTTON, null, null, null, null, null, false, null));
        service.addProvider(provider("imu", () -> Map.of("heading", 12.5)));
        service.addProvider(provider("gps", () -> {
            throw new IllegalStateException("no fix");
        }));

        CapturedImage image = service.take("left", Map.of("light", "north", "capture", "not allowed to override"));

        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(image.jpeg()));
        assertEquals(64, decoded.getWidth());
        assertEquals(48, decoded.getHeight());
        assertEquals(64, image.width());
        Map<String, Object> m = image.metadata();
        assertEquals("single", m.get("capture"));
        assertEquals("fake", m.get("driver"));
        assertEquals("/dev/fake-left", m.get("device"));
        assertEquals("YUYV", ((Map<?, ?>) m.get("mode")).get("format"));
        assertEquals(5L, ((Map<?, ?>) m.get("settings")).get("brightness"));
        assertTrue(((Map<?, ?>) m.get("settings")).containsKey("reset"));
        assertEquals(12.5, ((Map<?, ?>) m.get("imu")).get("heading"));
        assertEquals(Map.of("error", "no fix"), m.get("gps"));
        assertEquals("north", m.get("light"));
        assertEquals(left.created.get(), left.recycled.get(), "the still was released");

        left.settingsFailure = new CameraException(CameraException.Kind.IO, "camera busy");
        assertEquals(Map.of("error", "camera busy"), service.take("left", Map.of()).metadata().get("settings"));
    }

    @Test
    void aJpegStillIsStoredAsItIsWithASidecarAndAnEvent() throws Exception {
        FakeCamera left = camera("left", false, 0, null);
        byte[] jpeg = ImageIoJpegEncoder.write(new BufferedImage(20, 10, BufferedImage.TYPE_3BYTE_BGR), 70);
        left.still = () -> Frame.jpeg(20, 10, 7, jpeg);

        CaptureResult result = service.capture("left", Map.of("note", "hello"));

        assertArrayEquals(jpeg, Files.readAllBytes(root.resolve(result.stored().path())));
        JsonNode sidecar = new ObjectMapper().readTree(root.resolve(result.stored().sidecar()).toFile());
        assertEquals("left", sidecar.get("camera").asText());
        assertEquals(20, sidecar.get("width").asInt());
        assertEquals("JPEG", sidecar.get("format").asText());
        assertEquals("hello", sidecar.get("note").asText());
        assertEquals(result.timestamp().toString(), sidecar.get("timestamp").asText());
        RecordingEvents.Posted done = events.all().stream()
                .filter(e -> e.topic().equals(ObscuraEvents.CAPTURE_DONE)).findFirst().orElseThrow();
        assertEquals("left", done.properties().get(ObscuraEvents.CAMERA));
        assertEquals(result.stored().path(), done.properties().get(ObscuraEvents.PATH));
        assertEquals(result.stored().url(), done.properties().get(ObscuraEvents.URL));
    }

    @Test
    void unknownAndOfflineCamerasAreRefused() {
        assertEquals(CameraException.Kind.NOT_FOUND,
                assertThrows(CameraException.class, () -> service.capture("nobody", Map.of())).kind());
        FakeCamera left = camera("left", false, 0, null);
        FrameSubscription viewer = registry.subscribe("left", null);
        registry.removeDevice(left);
        CameraException offline = assertThrows(CameraException.class, () -> service.capture("left", Map.of()));
        assertEquals(CameraException.Kind.UNAVAILABLE, offline.kind());
        assertTrue(offline.getMessage().contains("offline"), offline.getMessage());
        viewer.close();
    }

    @Test
    void aSingleCaptureStopsAndRestartsItsInterruptServiceEvenWhenItFails() throws IOException {
        FakeCamera left = camera("left", false, 0, "mjpg-streamer@left.service");
        service.capture("left", Map.of());
        assertEquals(List.of("stop mjpg-streamer@left.service", "restart mjpg-streamer@left.service"), logged());

        left.still = () -> {
            throw new CameraException(CameraException.Kind.TIMEOUT, "no answer");
        };
        assertEquals(CameraException.Kind.TIMEOUT,
                assertThrows(CameraException.class, () -> service.capture("left", Map.of())).kind());
        assertEquals("restart mjpg-streamer@left.service", logged().get(3));
    }

    @Test
    void aStillKeptOnTheDeviceIsNeitherStoredNorAnnouncedAndStopsItsInterruptService() throws IOException {
        FakeCamera left = camera("left", false, 0, "mjpg-streamer@left.service");
        left.onDevice = () -> "/store_00010001/DCIM/100CANON/IMG_0001.JPG";
        assertEquals("/store_00010001/DCIM/100CANON/IMG_0001.JPG", service.captureOnDevice("left"));
        assertEquals(1, left.stills.get());
        assertEquals(List.of("stop mjpg-streamer@left.service", "restart mjpg-streamer@left.service"), logged());
        try (var stored = Files.walk(root)) {
            assertEquals(List.of(), stored.filter(Files::isRegularFile).toList(),
                    "nothing may be stored for a still left on the device");
        }
        assertFalse(events.topics("left").contains("DONE"), events.topics("left").toString());

        left.onDevice = () -> "";
        assertEquals(CameraException.Kind.IO,
                assertThrows(CameraException.class, () -> service.captureOnDevice("left")).kind());
        left.onDevice = () -> {
            throw new IllegalStateException("card full");
        };
        CameraException failed = assertThrows(CameraException.class, () -> service.captureOnDevice("left"));
        assertEquals(CameraException.Kind.IO, failed.kind());
        assertTrue(failed.getMessage().contains("card full"), failed.getMessage());
        assertEquals("restart mjpg-streamer@left.service", logged().get(logged().size() - 1));
    }

    @Test
    void stillsOnTheDeviceAreRefusedWhereTheyCannotBeTaken() {
        assertEquals(CameraException.Kind.NOT_FOUND,
                assertThrows(CameraException.class, () -> service.captureOnDevice("nobody")).kind());
        FakeCamera webcam = camera("webcam", false, 0, null); // the SPI's default: no storage of its own
        CameraException unsupported = assertThrows(CameraException.class, () -> service.captureOnDevice("webcam"));
        assertEquals(CameraException.Kind.UNSUPPORTED, unsupported.kind());
        assertTrue(unsupported.getMessage().contains("'webcam'"), unsupported.getMessage());
        FrameSubscription viewer = registry.subscribe("webcam", null);
        registry.removeDevice(webcam);
        assertEquals(CameraException.Kind.UNAVAILABLE,
                assertThrows(CameraException.class, () -> service.captureOnDevice("webcam")).kind());
        viewer.close();
    }

    @Test
    void stillsOnTheDeviceAreSerialisedWithTheCamerasOtherCaptures() throws Exception {
        FakeCamera left = camera("left", false, 0, null);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        left.onDevice = () -> {
            if (inside.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            entered.countDown();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inside.decrementAndGet();
            return "/store_00010001/IMG_0001.JPG";
        };
        left.still = () -> {
            if (inside.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            inside.decrementAndGet();
            return left.frame();
        };
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            var onDevice = pool.submit(() -> service.captureOnDevice("left"));
            assertTrue(entered.await(20, TimeUnit.SECONDS));
            var downloaded = pool.submit(() -> service.take("left", Map.of()));
            // the download waits for the lock the still on the device holds: it cannot finish before release
            // (a broken lock would let it through within this wait; a working one can never fail here)
            assertThrows(TimeoutException.class, () -> downloaded.get(500, TimeUnit.MILLISECONDS));
            release.countDown();
            assertEquals("/store_00010001/IMG_0001.JPG", onDevice.get(20, TimeUnit.SECONDS));
            assertNotNull(downloaded.get(20, TimeUnit.SECONDS));
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
        assertEquals(0, overlaps.get(), "two captures ran on the camera at once");
    }

    @Test
    void captureAllStopsEachInterruptServiceOnceForTheWholeBatch() throws IOException {
        camera("a", false, 0, "stream.service");
        camera("b", false, 0, "stream.service");
        camera("c", false, 0, "other.service");
        FakeCamera d = camera("d", false, 0, null);
        d.still = () -> {
            throw new IllegalStateException("jammed");
        };

        BatchResult batch = service.captureAll(Map.of());

        assertEquals("all", batch.mode());
        assertEquals(List.of("a", "b", "c"), batch.results().stream().map(CaptureResult::camera).toList());
        assertEquals(java.util.Set.of("d"), batch.errors().keySet());
        assertTrue(batch.errors().get("d").contains("jammed"), batch.errors().toString());
        assertFalse(batch.success());
        assertNull(batch.skewNanos());
        assertEquals(List.of("stop stream.service", "stop other.service", "restart stream.service",
                "restart other.service"), logged());
        for (CaptureResult r : batch.results()) {
            assertTrue(Files.exists(root.resolve(r.stored().path())));
        }
    }

    @Test
    void aServiceThatWillNotStopFailsOnlyItsCamerasAndIsStillRestarted() throws IOException {
        camera("a", false, 0, "bad.service");
        camera("b", false, 0, "stream.service");

        BatchResult batch = service.captureAll(Map.of());

        assertEquals(List.of("b"), batch.results().stream().map(CaptureResult::camera).toList());
        String error = batch.errors().get("a");
        assertTrue(error.contains("exit code 5") && error.contains("Unit bad.service not found"), error);
        assertEquals(List.of("stop bad.service", "stop stream.service", "restart bad.service", "restart stream.service"),
                logged());
    }

    @Test
    void stereoStillsAreTriggeredTogetherAndTheirSkewIsReported() throws Exception {
        FakeCamera left = camera("left", true, 1, null);
        FakeCamera right = camera("right", true, 0, null);
        FakeCamera other = camera("other", false, 0, null);
        // Each still waits for the other: this only completes if both cameras are triggered at the same time.
        CyclicBarrier together = new CyclicBarrier(2);
        Map<String, Long> taken = new ConcurrentHashMap<>();
        left.still = () -> stillAfter(together, "left", taken);
        right.still = () -> stillAfter(together, "right", taken);

        BatchResult batch = service.captureStereo(Map.of("session", 3));

        assertEquals("stereo", batch.mode());
        assertEquals(Map.of(), batch.errors());
        assertTrue(batch.success());
        assertEquals(List.of("right", "left"), batch.results().stream().map(CaptureResult::camera).toList());
        long expected = Math.abs(taken.get("left") - taken.get("right"));
        assertEquals(expected, batch.skewNanos());
        assertEquals(0, other.stills.get());
        JsonNode sidecar = new ObjectMapper().readTree(root.resolve(batch.results().get(1).stored().sidecar()).toFile());
        assertEquals(expected, sidecar.at("/stereo/skewNanos").asLong());
        assertEquals(1, sidecar.at("/stereo/position").asInt());
        assertEquals("right", sidecar.at("/stereo/cameras/0").asText());
        assertEquals("stereo", sidecar.get("capture").asText());
        assertEquals(3, sidecar.get("session").asInt());
    }

    @Test
    void stereoNeedsTwoCameras() {
        camera("left", true, 0, null);
        camera("other", false, 0, null);
        CameraException e = assertThrows(CameraException.class, () -> service.captureStereo(Map.of()));
        assertEquals(CameraException.Kind.UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().contains("at least two"), e.getMessage());
    }

    @Test
    void stereoStopsInterruptServicesOnceAndReportsAFailedCamera() throws IOException {
        camera("left", true, 0, "stream.service");
        FakeCamera right = camera("right", true, 1, "stream.service");
        right.still = () -> {
            throw new CameraException(CameraException.Kind.BUSY, "right is busy");
        };
        BatchResult batch = service.captureStereo(Map.of());
        assertEquals(List.of("left"), batch.results().stream().map(CaptureResult::camera).toList());
        assertEquals(Map.of("right", "right is busy"), batch.errors());
        assertNull(batch.skewNanos(), "no skew with a single still");
        assertEquals(List.of("stop stream.service", "restart stream.service"), logged());
    }

    @Test
    void interruptServiceNamesAreChecked() {
        for (String bad : new String[] {"", "-x", "--now", "a b", "a;reboot", "a/b", "$(id)", "a\nb"}) {
            CameraException e = assertThrows(CameraException.class, () -> interrupts.stop(bad), bad);
            assertEquals(CameraException.Kind.INVALID_ARGUMENT, e.kind());
            assertEquals(CameraConfig.INTERRUPT_SERVICE, e.field());
        }
        InterruptServices.validate("mjpg-streamer@video0.service");
        InterruptServices.validate("ustreamer");
    }

    @Test
    void interruptFailuresCarryTheCommandsErrorOutputAndTimeOut() throws IOException {
        CameraException failed = assertThrows(CameraException.class, () -> interrupts.restart("bad.service"));
        assertEquals(CameraException.Kind.UNAVAILABLE, failed.kind());
        assertTrue(failed.getMessage().contains("Failed to restart bad.service"), failed.getMessage());

        Path script = temp.resolve("fake-systemctl.sh");
        InterruptServices impatient = new InterruptServices(List.of("sh", script.toString()), Duration.ofMillis(300));
        CameraException slow = assertThrows(CameraException.class, () -> impatient.stop("slow.service"));
        assertTrue(slow.getMessage().contains("did not finish"), slow.getMessage());

        InterruptServices missing = new InterruptServices(List.of(temp.resolve("no-such-program").toString()),
                Duration.ofSeconds(5));
        assertEquals(CameraException.Kind.UNAVAILABLE,
                assertThrows(CameraException.class, () -> missing.stop("x.service")).kind());
    }

    @Test
    void skewIsLargestMinusSmallest() {
        assertEquals(30L, CoreCaptureService.skew(new Frame[] {at(100), null, at(130), at(110)}));
        assertNull(CoreCaptureService.skew(new Frame[] {at(100), null}));
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private List<String> logged() throws IOException {
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    private static Frame stillAfter(CyclicBarrier barrier, String name, Map<String, Long> taken) {
        try {
            barrier.await(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new CameraException(CameraException.Kind.TIMEOUT, "the other camera was not triggered: " + e);
        }
        long now = System.nanoTime();
        taken.put(name, now);
        return Frame.of(PixelFormat.GREY, 8, 8, 8, 1, now, Instant.now(), ByteBuffer.wrap(new byte[64]));
    }

    private static Frame at(long nanos) {
        return Frame.of(PixelFormat.GREY, 1, 1, 1, 1, nanos, Instant.now(), ByteBuffer.wrap(new byte[1]));
    }

    private static MetadataProvider provider(String name, java.util.function.Supplier<Map<String, Object>> data) {
        return new MetadataProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Map<String, Object> metadata(String camera) {
                assertNotNull(camera);
                return data.get();
            }
        };
    }
}
