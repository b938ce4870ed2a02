package org.obscura.camera.core.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CaptureResult;
import org.obscura.camera.api.CapturedImage;
import org.obscura.camera.api.Page;
import org.obscura.camera.api.StoredCapture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class FileImageStoreTest {

    private static final ZoneId ZONE = ZoneId.of("Europe/Paris");
    private static final Instant T0 = Instant.parse("2026-03-14T09:26:53.589Z");

    @TempDir
    Path temp;
    private Path root;
    private FileImageStore store;

    @BeforeEach
    void setUp() {
        root = temp.resolve("data");
        store = new FileImageStore(root, ZONE);
    }

    @Test
    void theDataDirComesFromTheEnvironmentThenTheConfiguration() {
        assertEquals(Path.of("/srv/obscura").toAbsolutePath(), FileImageStore.dataDir("data", "/srv/obscura"));
        assertEquals(Path.of("mine").toAbsolutePath(), FileImageStore.dataDir("mine", " "));
        assertEquals(Path.of("data").toAbsolutePath(), FileImageStore.dataDir(null, null));
        assertEquals(Path.of("a").toAbsolutePath(), FileImageStore.dataDir("x/../a", null));
        assertTrue(store.root().isAbsolute());
    }

    @Test
    void pathsThatCouldLeaveTheDataDirAreRefused() {
        for (String bad : new String[] {"", "../x", "a/../../x", "a/..", "/etc/passwd", "a\\b", "..\\x", "a\0b",
                "a//b", "a/", "./a", "a/./b"}) {
            CameraException e = assertThrows(CameraException.class, () -> store.resolve(bad), bad);
            assertEquals(CameraException.Kind.INVALID_ARGUMENT, e.kind(), bad);
            assertEquals("path", e.field());
        }
        assertThrows(CameraException.class, () -> store.resolve(null));
        assertEquals(root.resolve("captures/left/x.jpg"), store.resolve("captures/left/x.jpg"));
        assertEquals(root.resolve("..x/y"), store.resolve("..x/y"), "dots inside a name are fine");
    }

    @Test
    void aSymbolicLinkCannotLeadOutOfTheDataDir() throws IOException {
        Path outside = Files.createDirectories(temp.resolve("outside"));
        Files.createDirectories(root.resolve("captures"));
        Files.createSymbolicLink(root.resolve("captures/evil"), outside);
        Files.createSymbolicLink(root.resolve("dangling"), temp.resolve("nowhere"));
        Files.createDirectories(root.resolve("real"));
        Files.createSymbolicLink(root.resolve("inside"), root.resolve("real"));

        assertThrows(CameraException.class, () -> store.resolve("captures/evil/x.jpg"));
        assertThrows(CameraException.class, () -> store.resolve("captures/evil"));
        assertThrows(CameraException.class, () -> store.write("captures/evil/x.jpg", new byte[] {1}));
        assertThrows(CameraException.class, () -> store.write("dangling/x", new byte[] {1}));
        assertThrows(CameraException.class, () -> store.captures("evil", 0, 10));
        try (Stream<Path> files = Files.list(outside)) {
            assertEquals(0, files.count(), "nothing was written outside");
        }
        store.write("inside/ok.txt", new byte[] {1});
        assertTrue(Files.exists(root.resolve("real/ok.txt")), "links that stay inside are fine");
    }

    @Test
    void writesAreAtomicAndLeaveNoTemporaryFiles() throws IOException {
        Path written = store.write("sets/a/manifest.json", "{}".getBytes(StandardCharsets.UTF_8));
        assertEquals("{}", Files.readString(written));
        store.write("sets/a/manifest.json", "{\"v\":2}".getBytes(StandardCharsets.UTF_8));
        assertEquals("{\"v\":2}", Files.readString(written));
        assertEquals(List.of("manifest.json"), names(root.resolve("sets/a")));

        // The rename fails (the target is a folder that is not empty): the error is clear and no temp file stays.
        Files.createDirectories(root.resolve("sets/a/blocked/child"));
        CameraException e = assertThrows(CameraException.class, () -> store.write("sets/a/blocked", new byte[] {1, 2}));
        assertEquals(CameraException.Kind.IO, e.kind());
        assertTrue(e.getMessage().contains("sets/a/blocked"), e.getMessage());
        assertEquals(List.of("blocked", "manifest.json"), names(root.resolve("sets/a")));
    }

    @Test
    void aStoredCaptureHasItsJpegAndSidecar() throws IOException {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("mode", Map.of("format", "YUYV", "width", 4, "height", 2));
        metadata.put("settings", Map.of("brightness", 10));
        metadata.put("imu", Map.of("heading", 12.5));
        metadata.put("camera", "not allowed to override");
        CapturedImage image = new CapturedImage("left", new byte[] {(byte) 0xff, (byte) 0xd8, 7}, 4, 2, T0, 123456789L,
                metadata);
        CaptureResult result = store.store(image, Map.of("light", "north", "when", Instant.EPOCH));

        StoredCapture stored = result.stored();
        assertEquals("left_20260314-102653-589.jpg", stored.file(), "local time in the name");
        assertEquals("captures/left/left_20260314-102653-589.jpg", stored.path());
        assertEquals("/api/v1/captures/left/left_20260314-102653-589.jpg", stored.url());
        assertEquals("captures/left/left_20260314-102653-589.json", stored.sidecar());
        assertEquals(3, stored.size());
        assertEquals(T0, stored.timestamp());
        assertEquals(123456789L, result.monotonicNanos());
        assertArrayEquals(image.jpeg(), Files.readAllBytes(root.resolve(stored.path())));

        JsonNode json = new ObjectMapper().readTree(root.resolve(stored.sidecar()).toFile());
        assertEquals("left", json.get("camera").asText());
        assertEquals(stored.file(), json.get("file").asText());
        assertEquals(4, json.get("width").asInt());
        assertEquals(2, json.get("height").asInt());
        assertEquals(3, json.get("size").asInt());
        assertEquals("2026-03-14T09:26:53.589Z", json.get("timestamp").asText());
        assertEquals(123456789L, json.get("monotonicNanos").asLong());
        assertEquals("YUYV", json.at("/mode/format").asText());
        assertEquals(10, json.at("/settings/brightness").asInt());
        assertEquals(12.5, json.at("/imu/heading").asDouble());
        assertEquals("north", json.get("light").asText());
        assertEquals("1970-01-01T00:00:00Z", json.get("when").asText());
        assertEquals(List.of("left_20260314-102653-589.jpg", "left_20260314-102653-589.json"),
                names(root.resolve("captures/left")), "no temporary file left");
    }

    @Test
    void stillsOfTheSameMillisecondGetDistinctNames() {
        CapturedImage image = image("left", T0);
        assertEquals("left_20260314-102653-589.jpg", store.store(image, Map.of()).stored().file());
        assertEquals("left_20260314-102653-589-1.jpg", store.store(image, Map.of()).stored().file());
        assertEquals("left_20260314-102653-589-2.jpg", store.store(image, Map.of()).stored().file());
    }

    @Test
    void listingsAreNewestFirstAndPaged() throws IOException {
        store.store(image("left", T0), Map.of());
        store.store(image("left", T0.plusSeconds(2)), Map.of());
        store.store(image("right", T0.plusSeconds(1)), Map.of());
        store.store(image("left", T0.plusSeconds(2)), Map.of()); // same millisecond: "-1", newer
        Files.writeString(root.resolve("captures/left/notes.txt"), "ignored");
        Files.writeString(root.resolve("captures/left/.tmp-123-x.jpg"), "ignored");
        Files.createDirectories(root.resolve("captures/Not_A_Camera"));

        Page<StoredCapture> all = store.captures(null, 0, 10);
        assertEquals(4, all.total());
        assertEquals(List.of("left_20260314-102655-589-1.jpg", "left_20260314-102655-589.jpg",
                "right_20260314-102654-589.jpg", "left_20260314-102653-589.jpg"),
                all.items().stream().map(StoredCapture::file).toList());
        assertEquals(T0.plusSeconds(1), all.items().get(2).timestamp());

        Page<StoredCapture> second = store.captures(null, 1, 2);
        assertEquals(4, second.total());
        assertEquals(List.of("left_20260314-102655-589.jpg", "right_20260314-102654-589.jpg"),
                second.items().stream().map(StoredCapture::file).toList());
        assertEquals(0, store.captures(null, 10, 5).items().size());

        Page<StoredCapture> left = store.captures("left", 0, 1000);
        assertEquals(3, left.total());
        assertTrue(left.items().stream().allMatch(c -> c.camera().equals("left")));
        assertEquals(0, store.captures("nobody", 0, 10).total());

        assertEquals("camera", assertThrows(CameraException.class, () -> store.captures("Bad", 0, 10)).field());
        assertEquals("offset", assertThrows(CameraException.class, () -> store.captures(null, -1, 10)).field());
        assertEquals("limit", assertThrows(CameraException.class, () -> store.captures(null, 0, 0)).field());
        assertEquals("limit", assertThrows(CameraException.class, () -> store.captures(null, 0, 1001)).field());
    }

    @Test
    void foreignJpegNamesAreListedByModificationTime() throws IOException {
        store.store(image("left", T0), Map.of());
        Path foreign = root.resolve("captures/left/holiday.jpg");
        Files.write(foreign, new byte[] {1});
        Files.setLastModifiedTime(foreign, java.nio.file.attribute.FileTime.from(T0.plusSeconds(60)));
        Page<StoredCapture> page = store.captures("left", 0, 10);
        assertEquals("holiday.jpg", page.items().get(0).file());
        assertNull(page.items().get(0).sidecar());
        assertEquals(T0.plusSeconds(60), page.items().get(0).timestamp());
    }

    @Test
    void oneCaptureCanBeReadAndDeletedWithItsSidecar() {
        StoredCapture stored = store.store(image("left", T0), Map.of()).stored();
        StoredCapture found = store.capture("left", stored.file()).orElseThrow();
        assertEquals(stored.path(), found.path());
        assertEquals(stored.sidecar(), found.sidecar());
        assertEquals(T0, found.timestamp());
        assertTrue(store.capture("left", "other.jpg").isEmpty());

        for (String bad : new String[] {"../x.jpg", "x.png", ".hidden.jpg", "a..jpg", "a/b.jpg", "a\\b.jpg", "x.jpg\0"}) {
            assertEquals("file", assertThrows(CameraException.class, () -> store.capture("left", bad), bad).field());
            assertThrows(CameraException.class, () -> store.deleteCapture("left", bad), bad);
        }
        assertThrows(CameraException.class, () -> store.capture("../left", stored.file()));

        assertTrue(store.deleteCapture("left", stored.file()));
        assertFalse(Files.exists(root.resolve(stored.path())));
        assertFalse(Files.exists(root.resolve(stored.sidecar())));
        assertFalse(store.deleteCapture("left", stored.file()));
    }

    @Test
    void badCameraNamesCannotBeStored() {
        CameraException e = assertThrows(CameraException.class, () -> store.store(image("../x", T0), Map.of()));
        assertEquals("camera", e.field());
    }

    private static CapturedImage image(String camera, Instant at) {
        return new CapturedImage(camera, new byte[] {(byte) 0xff, (byte) 0xd8}, 2, 2, at, 1, Map.of());
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
