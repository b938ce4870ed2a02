package org.obscura.sequencer.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.ImageData;
import org.obscura.camera.api.ImageSet;
import org.obscura.camera.api.ImageSetFile;

class SetFoldersTest {

    @TempDir
    Path data;
    @TempDir
    Path outside;
    private SetFolders sets;
    private volatile String running;

    @BeforeEach
    void setUp() throws IOException {
        sets = new SetFolders(new Fakes.Store(data), ZoneOffset.UTC, () -> running);
        Path old = Files.createDirectories(data.resolve("sets/old_20250101-090000"));
        Files.write(old.resolve("image_01_front.jpg"), new byte[] { 1, 2, 3 });
        Files.writeString(old.resolve("manifest.json"), "{\"status\":\"failed\"}");
        Path fresh = Files.createDirectories(data.resolve("sets/new_20261120-101530"));
        Files.write(fresh.resolve("image_02_left.jpg"), new byte[] { 4 });
        Files.write(fresh.resolve("image_01_front.jpg"), new byte[] { 5, 6 });
        Files.writeString(fresh.resolve("manifest.json"), "{\"status\":\"complete\"}");
        Files.write(fresh.resolve(".tmp-123-image_03_top.jpg"), new byte[] { 7 });
        Files.writeString(outside.resolve("secret.jpg"), "secret");
    }

    @Test
    void listsNewestFirstWithCountsAndStatus() {
        List<ImageSet> all = sets.sets();
        assertEquals(List.of("new_20261120-101530", "old_20250101-090000"), all.stream().map(ImageSet::name).toList());
        assertEquals(2, all.get(0).imageCount());
        assertEquals("complete", all.get(0).status());
        assertEquals("failed", all.get(1).status());
        assertEquals("sets/new_20261120-101530", all.get(0).path());
    }

    @Test
    void contentsListImagesInStepOrderThenTheManifestAndSkipTemporaryFiles() {
        List<ImageSetFile> files = sets.contents("new_20261120-101530");
        assertEquals(List.of("image_01_front.jpg", "image_02_left.jpg", "manifest.json"),
                files.stream().map(ImageSetFile::file).toList());
        assertEquals("sets/new_20261120-101530/image_01_front.jpg", files.get(0).path());
        assertEquals(2, files.get(0).size());
        assertEquals("application/json", files.get(2).mimeType());
        CameraException missing = assertThrows(CameraException.class, () -> sets.contents("nope_20250101-000000"));
        assertEquals(CameraException.Kind.NOT_FOUND, missing.kind());
    }

    @Test
    void readsImagesWithTheirMimeType() {
        ImageData image = sets.image("sets/new_20261120-101530/image_01_front.jpg");
        assertEquals("image/jpeg", image.mimeType());
        assertEquals("image_01_front.jpg", image.file());
        assertArrayEquals(new byte[] { 5, 6 }, image.data());
        assertEquals(CameraException.Kind.NOT_FOUND,
                assertThrows(CameraException.class, () -> sets.image("sets/new_20261120-101530/image_09_x.jpg"))
                        .kind());
    }

    @Test
    void nothingOutsideTheSetsFolderIsReachable() throws IOException {
        Files.createDirectories(data.resolve("captures/cam"));
        Files.writeString(data.resolve("captures/cam/cam_1.jpg"), "capture");
        Files.createSymbolicLink(data.resolve("sets/new_20261120-101530/link.jpg"), outside.resolve("secret.jpg"));
        Files.createSymbolicLink(data.resolve("sets/escape_20250101-000000"), outside);
        for (String bad : new String[] { "../secret.jpg", "/etc/passwd", "sets/../captures/cam/cam_1.jpg",
                "captures/cam/cam_1.jpg", "sets/new_20261120-101530/../../captures/cam/cam_1.jpg",
                "sets/new_20261120-101530/.tmp-123-image_03_top.jpg", "sets\\new_20261120-101530\\image_01_front.jpg",
                "sets/new_20261120-101530", "sets/escape_20250101-000000/secret.jpg", "", "sets//x.jpg" }) {
            CameraException e = assertThrows(CameraException.class, () -> sets.image(bad), bad);
            assertEquals(CameraException.Kind.INVALID_ARGUMENT, e.kind(), bad);
        }
        assertThrows(CameraException.class, () -> sets.image(null));
        // A link inside a set is never served, whatever it points at.
        assertThrows(CameraException.class, () -> sets.image("sets/new_20261120-101530/link.jpg"));
        for (String bad : new String[] { "..", ".", "a/b", "", "escape_20250101-000000" }) {
            assertThrows(CameraException.class, () -> sets.contents(bad), bad);
        }
        assertThrows(CameraException.class, () -> sets.delete("escape_20250101-000000"));
        assertFalse(sets.sets().stream().anyMatch(s -> s.name().startsWith("escape")), "a linked set is not listed");
        assertTrue(Files.exists(outside.resolve("secret.jpg")));
    }

    @Test
    void deletesASetButNotTheOneBeingWritten() {
        running = "new_20261120-101530";
        CameraException busy = assertThrows(CameraException.class, () -> sets.delete("new_20261120-101530"));
        assertEquals(CameraException.Kind.CONFLICT, busy.kind());
        running = null;
        assertTrue(sets.delete("new_20261120-101530"));
        assertFalse(Files.exists(data.resolve("sets/new_20261120-101530")));
        assertFalse(sets.delete("new_20261120-101530"));
        assertEquals(List.of("old_20250101-090000"), sets.sets().stream().map(ImageSet::name).toList());
        assertNull(SetNames.stampOf("plain", ZoneOffset.UTC));
    }
}
