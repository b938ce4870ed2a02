package org.obscura.camera.core.internal.jpeg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.PixelFormat;

class TurboJpegCodecTest {

    private static TurboJpegCodec codec;

    @BeforeAll
    static void load() {
        try {
            codec = TurboJpegCodec.load();
        } catch (UnsatisfiedLinkError e) {
            if (System.getenv("OBSCURA_REQUIRE_PEERS") != null) {
                throw new AssertionError("libturbojpeg0 is required here but does not load", e);
            }
            Assumptions.abort("libturbojpeg0 is not installed: " + e.getMessage());
        }
    }

    @AfterAll
    static void close() {
        if (codec != null) {
            codec.close();
        }
    }

    /** Every raw format, tight and padded rows, even and odd sizes, heap and direct buffers. */
    static List<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (PixelFormat f : PixelFormat.values()) {
            if (f == PixelFormat.JPEG) {
                continue;
            }
            all.add(Arguments.of(f, 64, 48, 0, false));
            all.add(Arguments.of(f, 64, 48, 24, true));
            all.add(Arguments.of(f, 62, 34, 10, false));
            all.add(Arguments.of(f, 61, 33, 0, true));
        }
        return all;
    }

    @ParameterizedTest(name = "{0} {1}x{2} pad {3} direct {4}")
    @MethodSource("cases")
    void encodesEveryFormatToTheRightPicture(PixelFormat format, int w, int h, int padding, boolean direct) throws IOException {
        Frame frame = Pictures.quadrants(format, w, h, padding, direct);
        byte[] jpeg = codec.encode(frame, 90);
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(jpeg));
        assertNotNull(decoded, "ImageIO reads the output");
        assertEquals(w, decoded.getWidth());
        assertEquals(h, decoded.getHeight());
        // Reference: the pure-Java conversion of the same frame.
        BufferedImage expected = RawImages.toImage(frame);
        Pictures.assertSimilar(expected, decoded, 10);
    }

    @Test
    void decodesAtTheSmallestScaleCoveringTheRequest() {
        Frame frame = Pictures.quadrants(PixelFormat.BGR24, 640, 480, 0, false);
        ByteBuffer jpeg = ByteBuffer.wrap(codec.encode(frame, 90));
        BgrImage full = codec.decode(jpeg, 0, 0);
        assertEquals(640, full.width());
        assertEquals(480, full.height());
        BgrImage quarter = codec.decode(jpeg, 100, 100);
        assertEquals(160, quarter.width(), "1/4 is the smallest scale >= 100x100 (1/8 would be 80x60)");
        assertEquals(120, quarter.height());
        Pictures.assertSimilar(RawImages.toImage(CoreFrameImages.resize(RawImages.toBgr(frame), 160, 120)),
                RawImages.toImage(quarter), 12);
        BgrImage exact = codec.decode(jpeg, 640, 1);
        assertEquals(640, exact.width());
    }

    @Test
    void encodesBgrImages() throws IOException {
        Frame frame = Pictures.quadrants(PixelFormat.BGR24, 32, 16, 0, false);
        BgrImage image = new BgrImage(32, 16, frame.toByteArray());
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(codec.encode(image, 95)));
        Pictures.assertSimilar(RawImages.toImage(frame), decoded, 10);
    }

    @Test
    void refusesBadInput() {
        Frame frame = Pictures.quadrants(PixelFormat.GREY, 16, 16, 0, false);
        CameraException e = assertThrows(CameraException.class, () -> codec.encode(frame, 0));
        assertEquals(CameraException.Kind.INVALID_ARGUMENT, e.kind());
        assertThrows(CameraException.class, () -> codec.encode(Frame.jpeg(1, 1, 0, new byte[] {1}), 80));
        CameraException garbage = assertThrows(CameraException.class,
                () -> codec.decode(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}), 0, 0));
        assertEquals(CameraException.Kind.IO, garbage.kind());
    }

    @Test
    void threadsShareTheWorkerPoolWithoutMixingFrames() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                PixelFormat f = i % 2 == 0 ? PixelFormat.YUYV : PixelFormat.NV12;
                int w = 32 + 2 * i;
                results.add(pool.submit(() -> {
                    Frame frame = Pictures.quadrants(f, w, 24, 4, false);
                    BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(codec.encode(frame, 90)));
                    assertEquals(w, decoded.getWidth());
                    Pictures.assertSimilar(RawImages.toImage(frame), decoded, 10);
                    return null;
                }));
            }
            for (Future<?> r : results) {
                r.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(codec.idleWorkers() >= 1 && codec.idleWorkers() <= TurboJpegCodec.MAX_IDLE);
    }

    @Test
    void aClosedCodecFreesItsWorkersAndStillEncodesInJava() throws IOException {
        TurboJpegCodec own = TurboJpegCodec.load();
        Frame frame = Pictures.quadrants(PixelFormat.RGB24, 40, 20, 0, true);
        own.encode(frame, 80);
        assertEquals(1, own.idleWorkers());
        own.close();
        assertEquals(0, own.idleWorkers());
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(own.encode(frame, 80)));
        assertEquals(40, decoded.getWidth());
        own.close(); // idempotent
    }

    @Test
    void aBurstOfCallersNeverMakesMoreWorkersThanTheBound() throws Exception {
        TurboJpegCodec own = TurboJpegCodec.load();
        int threads = TurboJpegCodec.MAX_WORKERS + 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int i = 0; i < threads * 3; i++) {
                PixelFormat f = i % 3 == 0 ? PixelFormat.NV12 : i % 3 == 1 ? PixelFormat.YUYV : PixelFormat.BGR24;
                results.add(pool.submit(() -> {
                    start.await();
                    Frame frame = Pictures.quadrants(f, 160, 120, 0, true);
                    BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(own.encode(frame, 80)));
                    assertEquals(160, decoded.getWidth());
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> r : results) {
                r.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            own.close();
        }
        assertTrue(own.peakWorkers() >= 1 && own.peakWorkers() <= TurboJpegCodec.MAX_WORKERS,
                "peak " + own.peakWorkers() + " workers, bound " + TurboJpegCodec.MAX_WORKERS);
        assertEquals(0, own.idleWorkers());
    }

    @Test
    void theSharedCodecIsFreedByItsComponentOnlyNotByItsUsers() throws IOException {
        TurboJpegCodec own = TurboJpegCodec.load();
        SharedJpegCodec shared = new SharedJpegCodec(own);
        Frame frame = Pictures.quadrants(PixelFormat.YUYV, 40, 20, 0, true);
        shared.encode(frame, 80);
        assertEquals(own.name(), shared.name());
        assertFalse(shared.fallback());
        shared.close(); // a user's close: nothing happens
        assertEquals(1, own.idleWorkers());
        shared.deactivate();
        assertEquals(0, own.idleWorkers());
        // A late call still gets a picture, from the pure-Java fallback.
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(shared.encode(frame, 80)));
        assertEquals(40, decoded.getWidth());
    }

    @Test
    void namesTheLibraryVersion() {
        assertTrue(codec.name().matches("libjpeg-turbo( \\d+\\.\\d+)?"), codec.name());
        assertFalse(codec.fallback());
    }

    @Test
    void fallsBackToJavaWhenTheLibraryIsMissing() {
        JpegCodec chosen = JpegCodecs.open(() -> {
            throw new UnsatisfiedLinkError("Unable to load library 'turbojpeg'");
        });
        assertSame(ImageIoJpegEncoder.INSTANCE, chosen);
        assertTrue(chosen.fallback());
        assertEquals("java-imageio", chosen.name());
        // And it works end to end, decode included.
        Frame frame = Pictures.quadrants(PixelFormat.YUYV, 32, 16, 0, false);
        BgrImage back = chosen.decode(ByteBuffer.wrap(chosen.encode(frame, 90)), 8, 8);
        assertEquals(32, back.width(), "the Java decoder does not scale");
    }

    /**
     * The splits against pixel-by-pixel references, byte for byte: odd and even widths and heights (the odd
     * width's half pair, the odd height's last row), tight and padded strides (odd padding too), heap and
     * direct buffers, random samples (every table entry is hit), and one splitter reused across sizes and
     * formats, as a codec worker reuses it.
     */
    @Test
    void splitsYuvLikeAPixelByPixelReference() {
        Random random = new Random(42);
        YuvPlanes splitter = new YuvPlanes();
        int[][] sizes = {{1, 1}, {2, 2}, {6, 3}, {7, 1}, {8, 2}, {9, 3}, {13, 5}, {15, 4}, {16, 16}, {17, 7},
            {20, 7}, {31, 9}, {64, 6}, {101, 11}, {1280, 4}, {7, 3}, {1, 1}, {33, 2}};
        for (int[] size : sizes) {
            int w = size[0];
            int h = size[1];
            for (int padding : new int[] {0, 1, 2, 7, 16}) {
                for (boolean direct : new boolean[] {false, true}) {
                    for (boolean uyvy : new boolean[] {false, true}) {
                        // Packed rows hold (w+1)/2 pixel pairs; a tight stride of an odd width cuts the last pair.
                        int stride = 2 * w + padding;
                        byte[] data = new byte[stride * h];
                        random.nextBytes(data);
                        ByteBuffer out = ByteBuffer.allocate(YuvPlanes.planeBytes(w, h));
                        splitter.fromPacked422(buffer(data, direct), w, h, stride, uyvy, out);
                        assertArrayEquals(Pictures.referencePlanes(data, w, h, stride, uyvy), out.array(),
                                (uyvy ? "UYVY " : "YUYV ") + w + "x" + h + " stride " + stride + (direct ? " direct" : ""));
                    }
                    int stride = w + padding;
                    byte[] data = new byte[stride * (h + (h + 1) / 2)];
                    random.nextBytes(data);
                    ByteBuffer out = ByteBuffer.allocateDirect(YuvPlanes.planeBytes(w, h));
                    splitter.fromNv12(buffer(data, direct), w, h, stride, out);
                    byte[] planes = new byte[out.capacity()];
                    out.get(0, planes);
                    assertArrayEquals(Pictures.referenceNv12Planes(data, w, h, stride), planes,
                            "NV12 " + w + "x" + h + " stride " + stride + (direct ? " direct" : ""));
                }
            }
        }
    }

    /** The same frame through the codec twice, and through a fresh codec: the worker's cached state changes nothing. */
    @Test
    void encodingIsDeterministicAcrossSizesAndWorkers() {
        Frame big = Pictures.quadrants(PixelFormat.YUYV, 96, 64, 8, true);
        Frame small = Pictures.quadrants(PixelFormat.YUYV, 33, 17, 0, true);
        byte[] first = codec.encode(big, 80);
        codec.encode(small, 80);
        codec.encode(Pictures.quadrants(PixelFormat.RGB24, 50, 20, 0, false), 80);
        assertArrayEquals(first, codec.encode(big, 80));
        TurboJpegCodec other = TurboJpegCodec.load();
        try {
            assertArrayEquals(first, other.encode(big, 80));
        } finally {
            other.close();
        }
    }

    private static ByteBuffer buffer(byte[] data, boolean direct) {
        ByteBuffer b = direct ? ByteBuffer.allocateDirect(data.length).put(data).flip() : ByteBuffer.wrap(data);
        return b.asReadOnlyBuffer();
    }

    static Frame frame(PixelFormat f, int w, int h, int stride, ByteBuffer data) {
        return Frame.of(f, w, h, stride, 1, System.nanoTime(), Instant.now(), data);
    }
}
