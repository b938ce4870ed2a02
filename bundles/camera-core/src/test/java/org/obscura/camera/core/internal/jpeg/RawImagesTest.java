package org.obscura.camera.core.internal.jpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.PixelFormat;

class RawImagesTest {

    // BT.601 limited range: white, black, and the primaries as a webcam encodes them.
    private static final int[] WHITE = {235, 128, 128};
    private static final int[] BLACK = {16, 128, 128};
    private static final int[] RED = {81, 90, 240};
    private static final int[] GREEN = {145, 54, 34};
    private static final int[] BLUE = {41, 240, 110};
    private static final int[] GREY_50 = {126, 128, 128};

    @Test
    void yuvPixelsConvertToTheExpectedRgb() {
        assertRgb(255, 255, 255, convert(WHITE), 0);
        assertRgb(0, 0, 0, convert(BLACK), 0);
        assertRgb(255, 0, 0, convert(RED), 2);
        assertRgb(0, 255, 0, convert(GREEN), 2);
        assertRgb(0, 0, 255, convert(BLUE), 2);
        assertRgb(128, 128, 128, convert(GREY_50), 1);
        // Out-of-range inputs saturate instead of wrapping.
        assertRgb(255, 255, 255, convert(new int[] {255, 128, 128}), 0);
        assertRgb(0, 0, 0, convert(new int[] {0, 128, 128}), 0);
    }

    @Test
    void yuyvFramesOfPlainColoursSurviveAJpegRoundTrip() throws Exception {
        for (int[] colour : new int[][] {WHITE, BLACK, RED, GREEN, BLUE}) {
            Frame frame = packed(PixelFormat.YUYV, 32, 16, 80, colour);
            int[] expected = convert(colour);
            assertRgb(expected[0], expected[1], expected[2], RawImages.toImage(frame).getRGB(31, 15), 0);
            BufferedImage decoded = roundTrip(frame, 90);
            assertRgb(expected[0], expected[1], expected[2], decoded.getRGB(16, 8), 8);
        }
    }

    @Test
    void uyvyIsUnderstood() {
        Frame frame = packed(PixelFormat.UYVY, 6, 2, 12, RED);
        assertRgb(255, 0, 0, RawImages.toImage(frame).getRGB(5, 1), 2);
    }

    @Test
    void packedFramesWithTwoColoursKeepThemApart() {
        // Left half white, right half black, with a padded stride whose padding must be ignored.
        int w = 8;
        int h = 2;
        int stride = 24;
        byte[] data = new byte[stride * h];
        Arrays.fill(data, (byte) 77);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x += 2) {
                int[] c = x < w / 2 ? WHITE : BLACK;
                int o = y * stride + x * 2;
                data[o] = (byte) c[0];
                data[o + 1] = (byte) c[1];
                data[o + 2] = (byte) c[0];
                data[o + 3] = (byte) c[2];
            }
        }
        BufferedImage image = RawImages.toImage(frame(PixelFormat.YUYV, w, h, stride, data));
        assertRgb(255, 255, 255, image.getRGB(3, 1), 0);
        assertRgb(0, 0, 0, image.getRGB(4, 1), 0);
    }

    @Test
    void oddWidthsAreHandled() {
        Frame frame = packed(PixelFormat.YUYV, 5, 3, 10, WHITE);
        BufferedImage image = RawImages.toImage(frame);
        assertEquals(5, image.getWidth());
        assertRgb(255, 255, 255, image.getRGB(3, 2), 0);
        // The last pixel's pair sticks out of the tight row: it keeps its luma and gets neutral chroma.
        assertRgb(255, 255, 255, image.getRGB(4, 2), 0);
    }

    @Test
    void nv12UsesTheSharedChromaOfEachTwoByTwoBlock() {
        int w = 4;
        int h = 4;
        int stride = 6;
        byte[] data = new byte[stride * h + stride * h / 2];
        Arrays.fill(data, (byte) 200); // padding
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                data[y * stride + x] = (byte) (x < 2 ? RED[0] : BLUE[0]);
            }
        }
        for (int y = 0; y < h / 2; y++) {
            int o = stride * h + y * stride;
            data[o] = (byte) RED[1];
            data[o + 1] = (byte) RED[2];
            data[o + 2] = (byte) BLUE[1];
            data[o + 3] = (byte) BLUE[2];
        }
        BufferedImage image = RawImages.toImage(frame(PixelFormat.NV12, w, h, stride, data));
        assertRgb(255, 0, 0, image.getRGB(1, 3), 2);
        assertRgb(0, 0, 255, image.getRGB(2, 3), 2);
    }

    @Test
    void greyRgbAndBgrRespectTheStride() throws Exception {
        byte[] grey = {10, 20, 30, 99, 40, 50, 60, 99};
        BufferedImage g = RawImages.toImage(frame(PixelFormat.GREY, 3, 2, 4, grey));
        assertEquals(BufferedImage.TYPE_BYTE_GRAY, g.getType());
        assertEquals(50, g.getRaster().getSample(1, 1, 0));

        byte[] rgb = {(byte) 255, 0, 0, 0, (byte) 255, 0, 9, 9, 0, 0, (byte) 255, 1, 2, 3, 9, 9};
        BufferedImage r = RawImages.toImage(frame(PixelFormat.RGB24, 2, 2, 8, rgb));
        assertRgb(255, 0, 0, r.getRGB(0, 0), 0);
        assertRgb(0, 255, 0, r.getRGB(1, 0), 0);
        assertRgb(0, 0, 255, r.getRGB(0, 1), 0);
        assertRgb(1, 2, 3, r.getRGB(1, 1), 0);

        BufferedImage b = RawImages.toImage(frame(PixelFormat.BGR24, 2, 2, 8, rgb));
        assertRgb(0, 0, 255, b.getRGB(0, 0), 0);
        assertRgb(3, 2, 1, b.getRGB(1, 1), 0);

        BufferedImage decoded = roundTrip(frame(PixelFormat.GREY, 3, 2, 4, grey), 100);
        assertEquals(3, decoded.getWidth());
    }

    @Test
    void qualityIsChecked() {
        Frame frame = packed(PixelFormat.YUYV, 2, 2, 4, WHITE);
        CameraException e = assertThrows(CameraException.class, () -> JpegEncoder.standard().encode(frame, 0));
        assertEquals("quality", e.field());
        assertThrows(CameraException.class, () -> JpegEncoder.standard().encode(frame, 101));
        CameraException compressed = assertThrows(CameraException.class,
                () -> JpegEncoder.standard().encode(Frame.jpeg(2, 2, 1, new byte[] {1}), 80));
        assertEquals(CameraException.Kind.UNSUPPORTED, compressed.kind());
    }

    @Test
    void lowerQualityGivesSmallerFiles() {
        Frame frame = noise(64, 64);
        int small = JpegEncoder.standard().encode(frame, 20).length;
        int large = JpegEncoder.standard().encode(frame, 95).length;
        assertTrue(small < large, small + " >= " + large);
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    /** The converter's output for one YUV pixel, as R, G, B. */
    private static int[] convert(int[] yuv) {
        byte[] bgr = new byte[3];
        RawImages.bgr(yuv[0], yuv[1], yuv[2], bgr, 0);
        return new int[] {bgr[2] & 0xff, bgr[1] & 0xff, bgr[0] & 0xff};
    }

    private static void assertRgb(int r, int g, int b, int[] actual, int tolerance) {
        assertRgb(r, g, b, 0xff000000 | actual[0] << 16 | actual[1] << 8 | actual[2], tolerance);
    }

    private static void assertRgb(int r, int g, int b, int argb, int tolerance) {
        int ar = argb >> 16 & 0xff;
        int ag = argb >> 8 & 0xff;
        int ab = argb & 0xff;
        String message = "expected " + r + "," + g + "," + b + " got " + ar + "," + ag + "," + ab;
        assertTrue(Math.abs(ar - r) <= tolerance && Math.abs(ag - g) <= tolerance && Math.abs(ab - b) <= tolerance,
                message);
    }

    /** A packed 4:2:2 frame of one colour; bytes past the pixels in each row are garbage. */
    private static Frame packed(PixelFormat format, int w, int h, int stride, int[] yuv) {
        byte[] data = new byte[stride * h];
        Arrays.fill(data, (byte) 0x5a);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x += 2) {
                byte[] pair = format == PixelFormat.YUYV
                        ? new byte[] {(byte) yuv[0], (byte) yuv[1], (byte) yuv[0], (byte) yuv[2]}
                        : new byte[] {(byte) yuv[1], (byte) yuv[0], (byte) yuv[2], (byte) yuv[0]};
                for (int i = 0; i < 4 && x * 2 + i < stride; i++) {
                    data[y * stride + x * 2 + i] = pair[i];
                }
            }
        }
        return frame(format, w, h, stride, data);
    }

    private static Frame noise(int w, int h) {
        byte[] data = new byte[w * h * 3];
        java.util.Random random = new java.util.Random(1);
        random.nextBytes(data);
        return frame(PixelFormat.RGB24, w, h, w * 3, data);
    }

    private static Frame frame(PixelFormat format, int w, int h, int stride, byte[] data) {
        return Frame.of(format, w, h, stride, 1, System.nanoTime(), Instant.now(), ByteBuffer.wrap(data));
    }

    private static BufferedImage roundTrip(Frame frame, int quality) throws Exception {
        byte[] jpeg = JpegEncoder.standard().encode(frame, quality);
        assertEquals((byte) 0xff, jpeg[0]);
        assertEquals((byte) 0xd8, jpeg[1]);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(jpeg));
        assertNotNull(image);
        assertEquals(frame.width(), image.getWidth());
        assertEquals(frame.height(), image.getHeight());
        return image;
    }
}
