package org.obscura.driver.testpattern.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraException.Kind;
import org.obscura.camera.api.Capability;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.PixelFormat;

class FolderSourceTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private byte[] a;
    private byte[] b;
    private byte[] c;
    private final List<TestPatternCamera> cameras = new ArrayList<>();

    @BeforeEach
    void files() throws IOException {
        // name order: a.jpeg, b.jpg, broken.jpg (skipped), c.JPG; notes.txt is no JPEG name
        b = JpegFiles.write(dir.resolve("b.jpg"), 64, 48, 0x00FF00);
        a = JpegFiles.write(dir.resolve("a.jpeg"), 32, 16, 0xFF0000);
        c = JpegFiles.write(dir.resolve("c.JPG"), 48, 32, 0x0000FF);
        Files.writeString(dir.resolve("broken.jpg"), "not a jpeg");
        Files.writeString(dir.resolve("notes.txt"), "hello");
        Files.createDirectory(dir.resolve("sub.jpg"));
    }

    @AfterEach
    void closeCameras() {
        cameras.forEach(TestPatternCamera::close);
    }

    private TestPatternCamera camera(Path folder, double fps) {
        TestPatternCamera camera = new TestPatternCamera(CameraSetup.parse(Map.of("name", "folder1", "folder",
                folder.toString(), "fps", fps, "width", 641, "format", "YUYV")), false, ZoneOffset.UTC);
        cameras.add(camera);
        return camera;
    }

    @Test
    void listsJpegFilesByName() throws IOException {
        assertEquals(List.of("a.jpeg", "b.jpg", "broken.jpg", "c.JPG"),
                JpegFolder.list(dir).stream().map(p -> p.getFileName().toString()).toList());
    }

    @Test
    void loopsTheFilesInNameOrderPassingTheirBytesThrough() throws Exception {
        TestPatternCamera camera = camera(dir, 60);
        RecordingSink sink = new RecordingSink(7);
        camera.start(sink);
        List<RecordingSink.Received> frames = sink.awaitFrames(7, WAIT);
        camera.stop();
        sink.markStopped();

        List<byte[]> expected = List.of(a, b, c, a, b, c, a);
        int[][] sizes = { { 32, 16 }, { 64, 48 }, { 48, 32 } };
        for (int i = 0; i < 7; i++) {
            RecordingSink.Received f = frames.get(i);
            assertEquals(PixelFormat.JPEG, f.format());
            assertArrayEquals(expected.get(i), f.data(), "frame " + i + " is the file, byte for byte");
            assertEquals(sizes[i % 3][0], f.width(), "width of frame " + i);
            assertEquals(sizes[i % 3][1], f.height(), "height of frame " + i);
            if (i > 0) {
                assertTrue(f.sequence() > frames.get(i - 1).sequence());
            }
        }
        frames.get(0).thread().join(WAIT.toMillis());
        assertEquals(0, sink.callsAfterStop());
    }

    @Test
    void describesAFolderCamera() {
        TestPatternCamera camera = camera(dir, 5);
        assertEquals("folder:" + dir.toAbsolutePath().normalize(), camera.descriptor().device());
        assertEquals(PixelFormat.JPEG, camera.descriptor().mode().format());
        assertEquals("32x16", camera.descriptor().mode().resolution(), "size of the first file, not the configured one");
        assertEquals(Set.of(Capability.STREAM, Capability.STILL), camera.descriptor().capabilities());
        assertEquals(List.of(), camera.settings());
        assertEquals(Kind.NOT_FOUND,
                assertThrows(CameraException.class, () -> camera.setSetting("brightness", 1)).kind());
    }

    @Test
    void stillIsTheCurrentFile() throws Exception {
        TestPatternCamera camera = camera(dir, 60);
        Frame first = camera.captureStill();
        assertArrayEquals(a, first.toByteArray());
        assertEquals(32, first.width());
        first.release();
        Frame again = camera.captureStill();
        assertArrayEquals(a, again.toByteArray(), "a still does not advance the loop");
        again.release();

        RecordingSink sink = new RecordingSink(10_000);
        camera.start(sink);
        sink.awaitFrames(2, WAIT);
        camera.stop();
        List<RecordingSink.Received> frames = sink.awaitFrames(2, WAIT);
        RecordingSink.Received last = frames.get(frames.size() - 1);
        Frame still = camera.captureStill();
        assertArrayEquals(last.data(), still.toByteArray(), "the file last streamed");
        assertEquals(last.width(), camera.descriptor().mode().width(), "mode follows the file shown");
        still.release();
    }

    @Test
    void newFilesJoinTheLoop() throws Exception {
        TestPatternCamera camera = camera(dir, 60);
        RecordingSink sink = new RecordingSink(10_000);
        camera.start(sink);
        sink.awaitFrames(3, WAIT);
        byte[] d = JpegFiles.write(dir.resolve("d.jpg"), 16, 16, 0xFFFFFF);
        long deadline = System.nanoTime() + WAIT.toNanos();
        boolean seen = false;
        while (!seen && System.nanoTime() < deadline) {
            List<RecordingSink.Received> frames = sink.awaitFrames(sink.count() + 1, WAIT);
            seen = frames.stream().anyMatch(f -> Arrays.equals(d, f.data()));
        }
        camera.stop();
        assertTrue(seen, "d.jpg never shown");
    }

    @Test
    void aFolderEmptiedWhileStreamingIsReportedAsFailure() throws Exception {
        Path own = Files.createDirectory(dir.resolve("own"));
        JpegFiles.write(own.resolve("x.jpg"), 16, 16, 0);
        TestPatternCamera camera = camera(own, 60);
        RecordingSink sink = new RecordingSink(1);
        camera.start(sink);
        sink.awaitFrames(1, WAIT);
        Files.delete(own.resolve("x.jpg"));
        CameraException failure = sink.awaitFailure(WAIT);
        assertEquals(Kind.UNAVAILABLE, failure.kind());
        assertTrue(failure.getMessage().contains(own.toString()), failure.getMessage());
        camera.stop();
    }

    @Test
    void startFailsAtOnceOnAFolderWithoutJpegs() throws IOException {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        TestPatternCamera camera = camera(empty, 5);
        CameraException e = assertThrows(CameraException.class, () -> camera.start(new RecordingSink(1)));
        assertEquals(Kind.UNAVAILABLE, e.kind());
        CameraException gone = assertThrows(CameraException.class,
                () -> camera(dir.resolve("missing"), 5).start(new RecordingSink(1)));
        assertEquals(Kind.UNAVAILABLE, gone.kind());
    }

    @Test
    void readsTheSizeFromTheFrameHeader() {
        JpegFolder.Size size = JpegFolder.sizeOf(JpegFiles.jpeg(1234, 567, 0x808080));
        assertEquals(1234, size.width());
        assertEquals(567, size.height());
        assertNull(JpegFolder.sizeOf(new byte[0]));
        assertNull(JpegFolder.sizeOf("not a jpeg".getBytes()));
        assertNull(JpegFolder.sizeOf(new byte[] { (byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 0 }));
        byte[] whole = JpegFiles.jpeg(100, 50, 0);
        assertNull(JpegFolder.sizeOf(Arrays.copyOf(whole, 20)), "cut before the frame header");
    }
}
