package org.obscura.driver.testpattern.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraException.Kind;
import org.obscura.camera.api.DeviceInfo;

class TestPatternDriverTest {

    @TempDir
    Path root;
    private final ManualScheduler scheduler = new ManualScheduler();
    private BuiltinCamera builtin;

    private TestPatternDriver driver(Path foldersRoot) {
        builtin = new BuiltinCamera(BuiltinCamera.Mode.OFF, (camera, properties) -> () -> { }, scheduler,
                BuiltinCamera::defaultCamera, 0);
        return new TestPatternDriver(foldersRoot, builtin);
    }

    @AfterEach
    void close() {
        if (builtin != null) {
            builtin.close();
        }
    }

    private static Map<String, Object> config(Object... keyValues) {
        Map<String, Object> p = new HashMap<>();
        p.put("name", "cam1");
        for (int i = 0; i < keyValues.length; i += 2) {
            p.put((String) keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    @Test
    void identity() {
        TestPatternDriver driver = driver(null);
        assertEquals("testpattern", driver.id());
        assertEquals("Test pattern and JPEG folder", driver.displayName());
        assertEquals("org.obscura.driver.testpattern.camera", driver.factoryPid());
        assertTrue(driver.available());
        assertEquals("ready", driver.status());
    }

    @Test
    void discoversThePatternWithItsModes() {
        List<DeviceInfo> devices = driver(null).discover();
        assertEquals(1, devices.size());
        DeviceInfo pattern = devices.get(0);
        assertEquals("testpattern", pattern.driver());
        assertEquals("pattern", pattern.device());
        assertEquals(List.of("YUYV", "MJPG"), pattern.formats().stream().map(DeviceInfo.Format::fourcc).toList());
        for (DeviceInfo.Format f : pattern.formats()) {
            assertEquals(List.of("320x240", "640x360", "640x480", "1280x720", "1920x1080"),
                    f.sizes().stream().map(s -> s.width() + "x" + s.height()).toList());
            for (DeviceInfo.Size s : f.sizes()) {
                assertEquals(List.of(60.0, 30.0, 25.0, 15.0, 10.0, 5.0, 1.0), s.fps());
            }
        }
    }

    @Test
    void discoversFoldersOfJpegsUnderTheRoot() throws IOException {
        Path one = Files.createDirectory(root.resolve("one"));
        JpegFiles.write(one.resolve("1.jpg"), 40, 30, 0);
        JpegFiles.write(one.resolve("2.jpg"), 40, 30, 0);
        Path two = Files.createDirectory(root.resolve("two"));
        Files.writeString(two.resolve("readme.txt"), "no pictures here");
        Path three = Files.createDirectory(root.resolve("three"));
        JpegFiles.write(three.resolve("x.jpeg"), 80, 60, 0);

        List<DeviceInfo> devices = driver(root).discover();
        assertEquals(List.of("pattern", "folder:" + one.toAbsolutePath(), "folder:" + three.toAbsolutePath()),
                devices.stream().map(DeviceInfo::device).toList());
        DeviceInfo first = devices.get(1);
        assertEquals(2, first.properties().get("files"));
        assertEquals(one.toAbsolutePath().toString(), first.properties().get("path"));
        DeviceInfo.Format format = first.formats().get(0);
        assertEquals("MJPG", format.fourcc());
        assertEquals(40, format.sizes().get(0).width());
        assertEquals(30, format.sizes().get(0).height());
        assertEquals(80, devices.get(2).formats().get(0).sizes().get(0).width());

        // a discovered device is a valid camera configuration
        TestPatternDriver driver = driver(root);
        assertDoesNotThrow(() -> driver.validate(config("device", devices.get(1).device())));
    }

    @Test
    void aMissingRootStillDiscoversThePatternAndSaysSo() {
        TestPatternDriver driver = driver(root.resolve("nope"));
        assertEquals(1, driver.discover().size());
        assertTrue(driver.status().contains("nope"), driver.status());
    }

    @Test
    void acceptsGoodConfigurationsWhateverTheValueTypes() {
        TestPatternDriver driver = driver(null);
        assertDoesNotThrow(() -> driver.validate(config()));
        assertDoesNotThrow(() -> driver.validate(config("width", "1280", "height", 720L, "fps", "7.5",
                "format", "jpeg", "pattern", "Gradient", "jpeg.quality", 90.0, "stereo", "true", "enabled", false)));
        assertDoesNotThrow(() -> driver.validate(config("width", 3840, "height", 2160, "fps", 120)));
        assertDoesNotThrow(() -> driver.validate(config("width", 16, "height", 16, "fps", 0.1)));
        assertDoesNotThrow(() -> driver.validate(config("width", 321, "format", "JPEG")), "odd width is fine in JPEG");
        assertDoesNotThrow(() -> driver.validate(config("device", "pattern", "folder", "")));
    }

    static Stream<Arguments> badFields() {
        return Stream.of(
                Arguments.of("name", "Bad Name", "name", "lower-case"),
                Arguments.of("name", "", "name", "required"),
                Arguments.of("width", 15, "width", "16 to 3840"),
                Arguments.of("width", 3841, "width", "16 to 3840"),
                Arguments.of("width", "wide", "width", "whole number"),
                Arguments.of("width", 641, "width", "even"),
                Arguments.of("height", 15, "height", "16 to 2160"),
                Arguments.of("height", 2161, "height", "16 to 2160"),
                Arguments.of("fps", 0.05, "fps", "0.1 to 120"),
                Arguments.of("fps", 121, "fps", "0.1 to 120"),
                Arguments.of("fps", "fast", "fps", "number"),
                Arguments.of("format", "NV12", "format", "YUYV or JPEG"),
                Arguments.of("pattern", "plaid", "pattern", "bars, gradient, checkers"),
                Arguments.of("jpeg.quality", 0, "jpeg.quality", "1 to 100"),
                Arguments.of("jpeg.quality", 101, "jpeg.quality", "1 to 100"),
                Arguments.of("stereo", "yes", "stereo", "true or false"),
                Arguments.of("stereo.order", 1.5, "stereo.order", "whole number"),
                Arguments.of("device", "/dev/video0", "device", "'pattern' or 'folder:"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("badFields")
    void refusesEachBadFieldNamingItAndWhatIsAllowed(String key, Object value, String field, String allowed) {
        CameraException e = assertThrows(CameraException.class, () -> driver(null).validate(config(key, value)));
        assertEquals(Kind.INVALID_ARGUMENT, e.kind());
        assertEquals(field, e.field());
        assertTrue(e.getMessage().contains(allowed), e.getMessage());
    }

    @Test
    void refusesAMissingName() {
        CameraException e = assertThrows(CameraException.class, () -> driver(null).validate(Map.of("width", 640)));
        assertEquals("name", e.field());
        assertEquals("name", assertThrows(CameraException.class, () -> driver(null).validate(null)).field());
    }

    @Test
    void refusesFoldersThatAreMissingOrHoldNoJpeg() throws IOException {
        TestPatternDriver driver = driver(null);
        CameraException missing = assertThrows(CameraException.class,
                () -> driver.validate(config("folder", root.resolve("missing").toString())));
        assertEquals("folder", missing.field());
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());

        Path empty = Files.createDirectory(root.resolve("empty"));
        Files.writeString(empty.resolve("fake.jpg"), "not a jpeg");
        CameraException noJpeg = assertThrows(CameraException.class,
                () -> driver.validate(config("folder", empty.toString())));
        assertEquals("folder", noJpeg.field());
        assertTrue(noJpeg.getMessage().contains("no readable JPEG"), noJpeg.getMessage());

        CameraException viaDevice = assertThrows(CameraException.class,
                () -> driver.validate(config("device", "folder:" + root.resolve("missing"))));
        assertEquals("device", viaDevice.field());

        JpegFiles.write(empty.resolve("real.jpg"), 16, 16, 0);
        assertDoesNotThrow(() -> driver.validate(config("folder", empty.toString())));
    }
}
