package org.obscura.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;

import org.obscura.camera.api.Frame;
import org.obscura.camera.api.PixelFormat;
import org.obscura.camera.core.internal.jpeg.JpegCodec;
import org.obscura.camera.core.internal.jpeg.JpegCodecs;

/**
 * The benchmark picture: a deterministic 1280x720 scene (gradients, discs, fine stripes and text-like blocks,
 * plus a little sensor-like noise) so that the JPEG encoders see camera-like entropy rather than a flat
 * colour, and every run and every tool (JMH, the C reference, both MJPEG servers) works on the same pixels.
 *
 * <p>Command line:
 * <pre>
 *   TestFrames raw DIR          writes DIR/frame-1280x720.rgb, .yuyv and .nv12 (RGB24, YUYV, NV12)
 *   TestFrames jpegs DIR COUNT  writes COUNT moving 1280x720 JPEGs (q80, 4:2:0) DIR/frame-000.jpg ...
 * </pre>
 */
public final class TestFrames {

    public static final int WIDTH = 1280;
    public static final int HEIGHT = 720;

    private TestFrames() {
    }

    /** Packed RGB24 pixels of the scene shifted by {@code t} (0 for the still benchmark frame). */
    public static byte[] rgb(int w, int h, int t) {
        byte[] rgb = new byte[w * h * 3];
        long seed = 0x9E3779B97F4A7C15L ^ t;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int xs = x + 7 * t;
                double r = 60 + 150.0 * x / w;
                double g = 40 + 170.0 * y / h;
                double b = 128 + 100 * Math.sin((xs + y) / 90.0);
                // discs
                for (int k = 0; k < 5; k++) {
                    int cx = (200 + 230 * k + 5 * t) % w;
                    int cy = 150 + 90 * (k % 4);
                    int dx = x - cx;
                    int dy = y - cy;
                    if (dx * dx + dy * dy < 70 * 70) {
                        r = 255 - 40 * k;
                        g = 30 * k;
                        b = 90 + 30 * k;
                    }
                }
                // fine stripes in the lower third, "text" blocks in the upper band
                if (y > 2 * h / 3 && ((xs / 3) & 1) == 0) {
                    r *= 0.6;
                    g *= 0.6;
                    b *= 0.6;
                }
                if (y > 40 && y < 100 && ((xs / 8 + y / 10) % 5 == 0 || ((xs * 31 + y * 17) & 63) < 6)) {
                    r = g = b = 20;
                }
                seed ^= seed << 13;
                seed ^= seed >>> 7;
                seed ^= seed << 17;
                int noise = (int) (seed & 7) - 3;
                int o = (y * w + x) * 3;
                rgb[o] = clamp(r + noise);
                rgb[o + 1] = clamp(g + noise);
                rgb[o + 2] = clamp(b + noise);
            }
        }
        return rgb;
    }

    /** BT.601 limited-range YUYV (what V4L2 webcams deliver) of packed RGB24; chroma of each pixel pair averaged. */
    public static byte[] yuyv(byte[] rgb, int w, int h) {
        byte[] out = new byte[w * h * 2];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x += 2) {
                int o = (y * w + x) * 3;
                int r0 = rgb[o] & 0xff, g0 = rgb[o + 1] & 0xff, b0 = rgb[o + 2] & 0xff;
                int r1 = rgb[o + 3] & 0xff, g1 = rgb[o + 4] & 0xff, b1 = rgb[o + 5] & 0xff;
                int d = (y * w + x) * 2;
                out[d] = luma(r0, g0, b0);
                out[d + 1] = cb((r0 + r1) / 2.0, (g0 + g1) / 2.0, (b0 + b1) / 2.0);
                out[d + 2] = luma(r1, g1, b1);
                out[d + 3] = cr((r0 + r1) / 2.0, (g0 + g1) / 2.0, (b0 + b1) / 2.0);
            }
        }
        return out;
    }

    /** BT.601 limited-range NV12 of packed RGB24; chroma of each 2x2 block averaged. */
    public static byte[] nv12(byte[] rgb, int w, int h) {
        byte[] out = new byte[w * h + w * (h / 2)];
        for (int i = 0; i < w * h; i++) {
            out[i] = luma(rgb[3 * i] & 0xff, rgb[3 * i + 1] & 0xff, rgb[3 * i + 2] & 0xff);
        }
        for (int y = 0; y < h; y += 2) {
            for (int x = 0; x < w; x += 2) {
                double r = 0, g = 0, b = 0;
                for (int k = 0; k < 4; k++) {
                    int o = ((y + k / 2) * w + x + (k & 1)) * 3;
                    r += rgb[o] & 0xff;
                    g += rgb[o + 1] & 0xff;
                    b += rgb[o + 2] & 0xff;
                }
                int d = w * h + (y / 2) * w + x;
                out[d] = cb(r / 4, g / 4, b / 4);
                out[d + 1] = cr(r / 4, g / 4, b / 4);
            }
        }
        return out;
    }

    /** The benchmark frame in {@code format} (YUYV, NV12 or RGB24), its pixels in a direct buffer like a driver's. */
    public static Frame frame(PixelFormat format) {
        byte[] rgb = rgb(WIDTH, HEIGHT, 0);
        byte[] pixels = switch (format) {
            case RGB24 -> rgb;
            case YUYV -> yuyv(rgb, WIDTH, HEIGHT);
            case NV12 -> nv12(rgb, WIDTH, HEIGHT);
            default -> throw new IllegalArgumentException("no benchmark frame in " + format);
        };
        ByteBuffer data = ByteBuffer.allocateDirect(pixels.length).put(pixels).flip();
        return Frame.of(format, WIDTH, HEIGHT, WIDTH * format.bytesPerPixel(), 0, System.nanoTime(), Instant.now(), data);
    }

    private static byte luma(double r, double g, double b) {
        return clamp(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255);
    }

    private static byte cb(double r, double g, double b) {
        return clamp(128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255);
    }

    private static byte cr(double r, double g, double b) {
        return clamp(128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255);
    }

    private static byte clamp(double v) {
        return (byte) Math.max(0, Math.min(255, (int) Math.round(v)));
    }

    public static void main(String[] args) throws IOException {
        if (args.length >= 2 && args[0].equals("raw")) {
            Path dir = Files.createDirectories(Path.of(args[1]));
            byte[] rgb = rgb(WIDTH, HEIGHT, 0);
            Files.write(dir.resolve("frame-1280x720.rgb"), rgb);
            Files.write(dir.resolve("frame-1280x720.yuyv"), yuyv(rgb, WIDTH, HEIGHT));
            Files.write(dir.resolve("frame-1280x720.nv12"), nv12(rgb, WIDTH, HEIGHT));
        } else if (args.length >= 3 && args[0].equals("jpegs")) {
            Path dir = Files.createDirectories(Path.of(args[1]));
            int count = Integer.parseInt(args[2]);
            long bytes = 0;
            try (JpegCodec codec = JpegCodecs.open()) {
                for (int t = 0; t < count; t++) {
                    byte[] rgb = rgb(WIDTH, HEIGHT, t);
                    Frame frame = Frame.of(PixelFormat.RGB24, WIDTH, HEIGHT, WIDTH * 3, t, System.nanoTime(),
                            Instant.now(), ByteBuffer.wrap(rgb));
                    byte[] jpeg = codec.encode(frame, 80);
                    bytes += jpeg.length;
                    Files.write(dir.resolve(String.format(Locale.ROOT, "frame-%03d.jpg", t)), jpeg);
                }
            }
            System.out.printf(Locale.ROOT, "%d JPEGs of %dx%d, %.1f KB on average, in %s%n", count, WIDTH, HEIGHT,
                    bytes / 1024.0 / count, dir);
        } else {
            System.err.println("usage: TestFrames raw DIR | TestFrames jpegs DIR COUNT");
            System.exit(2);
        }
    }
}
