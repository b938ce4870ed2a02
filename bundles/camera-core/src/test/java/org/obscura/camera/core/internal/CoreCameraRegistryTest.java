package org.obscura.camera.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.obscura.camera.api.CameraConfig;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraState;
import org.obscura.camera.api.CameraStatus;
import org.obscura.camera.api.DeviceInfo;
import org.obscura.camera.api.DriverInfo;
import org.obscura.camera.api.FrameSubscription;
import org.obscura.camera.api.LiveFrame;
import org.obscura.camera.api.Setting;
import org.obscura.camera.api.SettingType;
import org.obscura.camera.core.internal.hub.HubSettings;
import org.obscura.camera.core.internal.jpeg.JpegEncoder;
import org.obscura.camera.spi.CameraDriver;

class CoreCameraRegistryTest {

    private static final HubSettings FAST = new HubSettings(Duration.ofMillis(100), 80, true, Duration.ofMillis(100),
            Duration.ofMillis(50), Duration.ofSeconds(1));

    private final RecordingEvents events = new RecordingEvents();
    private final CoreCameraRegistry registry = new CoreCameraRegistry(FAST, JpegEncoder.standard(), events);
    private final List<FakeCamera> cameras = new ArrayList<>();

    @AfterEach
    void tearDown() {
        registry.deactivate();
        cameras.forEach(FakeCamera::stop);
    }

    private FakeCamera camera(String name) {
        FakeCamera c = new FakeCamera(name);
        cameras.add(c);
        return c;
    }

    @Test
    void devicesAreCamerasByName() {
        FakeCamera left = camera("left");
        FakeCamera right = camera("right");
        registry.addDevice(right, Map.of());
        registry.addDevice(left, Map.of(CameraConfig.CAMERA_NAME, "left"));
        List<CameraStatus> all = registry.cameras();
        assertEquals(List.of("left", "right"), all.stream().map(CameraStatus::name).toList());
        assertEquals(CameraState.ONLINE, all.get(0).state());
        assertEquals("fake", all.get(0).descriptor().driver());
        assertEquals(0, all.get(0).viewers());
        assertSame(left, registry.device("left"));
        assertEquals(List.of("left", "right"), List.copyOf(registry.online().keySet()));
        assertEquals(List.of("ADDED", "ONLINE"), events.topics("left"));

        CameraException unknown = assertThrows(CameraException.class, () -> registry.subscribe("nobody", null));
        assertEquals(CameraException.Kind.NOT_FOUND, unknown.kind());
        assertTrue(registry.camera("nobody").isEmpty());
    }

    @Test
    void aSecondDeviceWithTheSameNameWaitsUntilTheFirstGoes() {
        FakeCamera first = camera("left");
        FakeCamera second = camera("left");
        registry.addDevice(first, Map.of());
        registry.addDevice(second, Map.of());
        assertSame(first, registry.device("left"));
        registry.removeDevice(second);
        assertSame(first, registry.device("left"));
        registry.addDevice(second, Map.of());
        registry.removeDevice(first);
        assertSame(second, registry.device("left"));
        registry.removeDevice(second);
        assertTrue(registry.cameras().isEmpty());
        assertEquals("REMOVED", events.topics("left").get(events.topics("left").size() - 1));
    }

    @Test
    void viewersStayConnectedWhileTheDeviceIsAwayAndSeeNoSignal() throws Exception {
        FakeCamera first = camera("left");
        first.width = 96;
        first.height = 64;
        registry.addDevice(first, Map.of());
        FrameSubscription subscription = registry.subscribe("left", null);
        long lastReal;
        try (LiveFrame frame = subscription.next(20, TimeUnit.SECONDS)) {
            assertNotNull(frame);
            lastReal = frame.index();
        }
        Await.until("streaming", () -> registry.camera("left").orElseThrow().state() == CameraState.STREAMING);
        assertEquals(1, registry.camera("left").orElseThrow().viewers());

        registry.removeDevice(first);
        CameraStatus away = registry.camera("left").orElseThrow();
        assertEquals(CameraState.OFFLINE, away.state(), "listed as offline while a viewer waits");
        assertEquals("left", away.descriptor().name(), "the last descriptor is kept");
        assertEquals(CameraState.OFFLINE, subscription.state());
        Await.until("the departed device was stopped", () -> first.stops.get() == 1);
        CameraException offline = assertThrows(CameraException.class, () -> registry.settings("left"));
        assertEquals(CameraException.Kind.UNAVAILABLE, offline.kind());

        long placeholderIndex = 0;
        for (int i = 0; i < 2; i++) {
            try (LiveFrame frame = subscription.next(20, TimeUnit.SECONDS)) {
                assertNotNull(frame, "placeholders keep coming");
                assertTrue(frame.placeholder());
                assertTrue(frame.index() > Math.max(lastReal, placeholderIndex));
                placeholderIndex = frame.index();
                BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes(frame.jpeg())));
                assertEquals(96, image.getWidth(), "no-signal picture at the last frame size");
                assertEquals(64, image.getHeight());
            }
        }

        FakeCamera second = camera("left");
        registry.addDevice(second, Map.of());
        LiveFrame real = null;
        for (int i = 0; i < 100 && real == null; i++) {
            LiveFrame frame = subscription.next(20, TimeUnit.SECONDS);
            assertNotNull(frame);
            if (frame.placeholder()) {
                frame.close();
            } else {
                real = frame;
            }
        }
        assertNotNull(real, "real frames resume");
        assertTrue(real.index() > placeholderIndex);
        real.close();
        assertEquals(1, second.starts.get());
        assertEquals(List.of("ADDED", "ONLINE", "OFFLINE", "ONLINE"), events.topics("left"));

        subscription.close();
        Await.until("stopped after the linger", () -> second.stops.get() == 1);
        assertEquals(first.created.get(), first.recycled.get());
        Await.until("all frames back", () -> second.created.get() == second.recycled.get());
    }

    @Test
    void aHubWithNeitherDeviceNorViewerIsDropped() {
        FakeCamera c = camera("left");
        registry.addDevice(c, Map.of());
        FrameSubscription subscription = registry.subscribe("left", null);
        registry.removeDevice(c);
        assertEquals(1, registry.cameras().size());
        subscription.close();
        assertTrue(registry.cameras().isEmpty());
        assertEquals(List.of("ADDED", "ONLINE", "OFFLINE", "REMOVED"), events.topics("left"));
        assertEquals(CameraException.Kind.NOT_FOUND,
                assertThrows(CameraException.class, () -> registry.device("left")).kind());
    }

    @Test
    void settingsAreDelegatedWithClearErrors() {
        FakeCamera c = camera("left");
        c.settings = List.of(new Setting("brightness", "Brightness", SettingType.INTEGER, 5L, null, 0, 10, 1, false,
                "user"));
        registry.addDevice(c, Map.of());
        assertEquals(5L, registry.settings("left").get(0).value());
        assertEquals(CameraException.Kind.NOT_FOUND,
                assertThrows(CameraException.class, () -> registry.settings("nobody")).kind());
        CameraException unsupported = assertThrows(CameraException.class,
                () -> registry.setSetting("left", "zoom", 3));
        assertEquals(CameraException.Kind.NOT_FOUND, unsupported.kind());
        assertEquals("setting", assertThrows(CameraException.class, () -> registry.setSetting("left", " ", 3)).field());

        c.settingsFailure = new IllegalStateException("ioctl failed");
        CameraException wrapped = assertThrows(CameraException.class, () -> registry.settings("left"));
        assertEquals(CameraException.Kind.IO, wrapped.kind());
        assertTrue(wrapped.getMessage().contains("ioctl failed"), wrapped.getMessage());
    }

    @Test
    void resetGoesToTheDeviceWithClearErrors() {
        FakeCamera c = camera("left");
        registry.addDevice(c, Map.of());
        CameraException unsupported = assertThrows(CameraException.class, () -> registry.reset("left"));
        assertEquals(CameraException.Kind.UNSUPPORTED, unsupported.kind());
        assertTrue(unsupported.getMessage().contains("'left'"), unsupported.getMessage());

        c.resetAction = () -> { };
        registry.reset("left");
        assertEquals(1, c.resets.get());
        assertEquals(CameraException.Kind.NOT_FOUND,
                assertThrows(CameraException.class, () -> registry.reset("nobody")).kind());

        c.resetAction = () -> {
            throw new IllegalStateException("usb reset refused");
        };
        CameraException wrapped = assertThrows(CameraException.class, () -> registry.reset("left"));
        assertEquals(CameraException.Kind.IO, wrapped.kind());
        assertTrue(wrapped.getMessage().contains("usb reset refused"), wrapped.getMessage());

        FrameSubscription viewer = registry.subscribe("left", null);
        registry.removeDevice(c);
        assertEquals(CameraException.Kind.UNAVAILABLE,
                assertThrows(CameraException.class, () -> registry.reset("left")).kind());
        viewer.close();
    }

    @Test
    void driversAreListedWithTheirBundleAndDiscoverDelegates() {
        CameraDriver driver = new CameraDriver() {
            @Override
            public String id() {
                return "fake";
            }

            @Override
            public String displayName() {
                return "Fake cameras";
            }

            @Override
            public String factoryPid() {
                return "org.obscura.driver.fake.camera";
            }

            @Override
            public List<DeviceInfo> discover() {
                return List.of(new DeviceInfo("fake", "/dev/fake0", "Fake 0", null, null));
            }
        };
        registry.addDriver(driver, "fake", "org.obscura.driver.fake", "1.2.3");
        DriverInfo info = registry.driver("fake").orElseThrow();
        assertEquals("Fake cameras", info.name());
        assertEquals("org.obscura.driver.fake", info.bundle());
        assertEquals("1.2.3", info.version());
        assertTrue(info.available());
        assertEquals("ready", info.status());
        assertEquals("/dev/fake0", registry.discover("fake").get(0).device());
        assertEquals(CameraException.Kind.NOT_FOUND,
                assertThrows(CameraException.class, () -> registry.discover("v4l2")).kind());
        registry.removeDriver(driver);
        assertTrue(registry.drivers().isEmpty());
    }

    @Test
    void devicesWithInvalidNamesAreIgnored() {
        registry.addDevice(camera("left"), Map.of(CameraConfig.CAMERA_NAME, "Left Camera"));
        assertTrue(registry.cameras().isEmpty());
        assertFalse(registry.camera("Left Camera").isPresent());
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] b = new byte[buffer.remaining()];
        buffer.duplicate().get(b);
        return b;
    }
}
