package org.obscura.camera.core.internal.jpeg;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.time.Instant;

import org.obscura.camera.api.Frame;
import org.obscura.camera.api.PixelFormat;

/** Test pictures in every raw format, and ways to compare decoded pictures. */
final class Pictures {

    // Four moderate colours (no clipping), as R G B and as BT.601 limited-range Y U V.
    private static final int[][] RGB = {{200, 60, 40}, {40, 160, 60}, {50, 70, 200}, {180, 180, 180}};
    private static final int[][] YUV = {{60, 90, 160}, {120, 160, 90}, {170, 110, 140}, {210, 150, 110}};

    private Pictures() {
    }

    /** Four flat quadrants; rows padded by {@code padding} bytes; data on the heap or direct. */
    static Frame quadrants(PixelFormat format, int w, int h, int padding, boolean direct) {
        int stride = w * format.bytesPerPixel() + padding;
        int length = format.minimumLength(w, h, stride);
        byte[] data = new byte[length];
        java.util.Arrays.fill(data, (byte) 0x5a); // padding garbage that must not show
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int q = (x < w / 2 ? 0 : 1) + (y < h / 2 ? 0 : 2);
                int[] rgb = RGB[q];
                int[] yuv = YUV[q];
                int row = y * stride;
                switch (format) {
                    case GREY -> data[row + x] = (byte) yuv[0];
                    case RGB24 -> put(data, row + x * 3, rgb[0], rgb[1], rgb[2]);
                    case BGR24 -> put(data, row + x * 3, rgb[2], rgb[1], rgb[0]);
                    case YUYV, UYVY -> {
                        boolean uyvy = format == PixelFormat.UYVY;
                        int pair = row + (x / 2) * 4;
                        data[pair + (uyvy ? 1 : 0) + (x % 2) * 2] = (byte) yuv[0];
                        data[pair + (uyvy ? 0 : 1)] = (byte) yuv[1];
                        if (pair + (uyvy ? 2 : 3) < row + stride) {
                            data[pair + (uyvy ? 2 : 3)] = (byte) yuv[2];
                        }
                    }
                    case NV12 -> {
                        data[row + x] = (byte) yuv[0];
                        int c = stride * h + (y / 2) * stride + (x / 2) * 2;
                        data[c] = (byte) yuv[1];
                        if ((x / 2) * 2 + 1 < stride) {
                            data[c + 1] = (byte) yuv[2];
                        }
                    }
                    default -> throw new IllegalArgumentException(format.toString());
                }
            }
        }
        ByteBuffer buffer = direct ? ByteBuffer.allocateDirect(length).put(data).flip() : ByteBuffer.wrap(data);
        return Frame.of(format, w, h, stride, 1, System.nanoTime(), Instant.now(), buffer);
    }

    private static void put(byte[] data, int at, int a, int b, int c) {
        data[at] = (byte) a;
        data[at + 1] = (byte) b;
        data[at + 2] = (byte) c;
    }

    /**
     * Lossy-compression tolerance: the mean absolute difference per channel over the picture is at most
     * {@code tolerance / 2}, and at the quadrant centres (away from edges) at most {@code tolerance}.
     */
    static void assertSimilar(BufferedImage expected, BufferedImage actual, int tolerance) {
        int w = expected.getWidth();
        int h = expected.getHeight();
        assertTrue(w == actual.getWidth() && h == actual.getHeight(),
                "size " + actual.getWidth() + "x" + actual.getHeight() + ", expected " + w + "x" + h);
        long sum = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                sum += difference(expected.getRGB(x, y), actual.getRGB(x, y));
            }
        }
        double mean = sum / (3.0 * w * h);
        assertTrue(mean <= tolerance / 2.0, "mean difference " + mean);
        for (int[] p : new int[][] {{w / 4, h / 4}, {3 * w / 4, h / 4}, {w / 4, 3 * h / 4}, {3 * w / 4, 3 * h / 4}}) {
            int e = expected.getRGB(p[0], p[1]);
            int a = actual.getRGB(p[0], p[1]);
            int worst = Math.max(Math.abs(((e >> 16) & 0xff) - ((a >> 16) & 0xff)),
                    Math.max(Math.abs(((e >> 8) & 0xff) - ((a >> 8) & 0xff)), Math.abs((e & 0xff) - (a & 0xff))));
            assertTrue(worst <= tolerance, "at " + p[0] + "," + p[1] + ": " + Integer.toHexString(a)
                    + " expected " + Integer.toHexString(e));
        }
    }

    private static int difference(int e, int a) {
        return Math.abs(((e >> 16) & 0xff) - ((a >> 16) & 0xff)) + Math.abs(((e >> 8) & 0xff) - ((a >> 8) & 0xff))
                + Math.abs((e & 0xff) - (a & 0xff));
    }

    /** Pixel-by-pixel I420 split of packed 4:2:2, chroma of row pairs averaged, bytes past a row's end neutral, range expanded. */
    static byte[] referencePlanes(byte[] data, int w, int h, int stride, boolean uyvy) {
        int cw = (w + 1) / 2;
        int ch = (h + 1) / 2;
        byte[] out = new byte[w * h + 2 * cw * ch];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                out[y * w + x] = YuvPlanes.LUMA[data[y * stride + (x / 2) * 4 + (uyvy ? 1 : 0) + (x % 2) * 2] & 0xff];
            }
        }
        for (int cy = 0; cy < ch; cy++) {
            int r0 = cy * 2 * stride;
            int r1 = Math.min(cy * 2 + 1, h - 1) * stride;
            for (int cx = 0; cx < cw; cx++) {
                int u = cx * 4 + (uyvy ? 0 : 1);
                int v = cx * 4 + (uyvy ? 2 : 3);
                out[w * h + cy * cw + cx] = YuvPlanes.CHROMA[(at(data, r0, u, stride) + at(data, r1, u, stride) + 1) >> 1];
                out[w * h + cw * ch + cy * cw + cx] = YuvPlanes.CHROMA[(at(data, r0, v, stride) + at(data, r1, v, stride) + 1) >> 1];
            }
        }
        return out;
    }

    /** Pixel-by-pixel I420 split of NV12, bytes past a chroma row's end neutral, range expanded. */
    static byte[] referenceNv12Planes(byte[] data, int w, int h, int stride) {
        int cw = (w + 1) / 2;
        int ch = (h + 1) / 2;
        byte[] out = new byte[w * h + 2 * cw * ch];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                out[y * w + x] = YuvPlanes.LUMA[data[y * stride + x] & 0xff];
            }
        }
        for (int cy = 0; cy < ch; cy++) {
            int row = stride * h + cy * stride;
            for (int cx = 0; cx < cw; cx++) {
                out[w * h + cy * cw + cx] = YuvPlanes.CHROMA[at(data, row, 2 * cx, stride)];
                out[w * h + cw * ch + cy * cw + cx] = YuvPlanes.CHROMA[at(data, row, 2 * cx + 1, stride)];
            }
        }
        return out;
    }

    private static int at(byte[] data, int row, int offset, int stride) {
        return offset < stride && row + offset < data.length ? data[row + offset] & 0xff : 128;
    }
}
