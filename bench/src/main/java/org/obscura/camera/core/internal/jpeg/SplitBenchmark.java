package org.obscura.camera.core.internal.jpeg;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import org.obscura.bench.TestFrames;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.PixelFormat;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The plane split alone, the Java share of encoding a YUYV or NV12 frame: the 1280x720 benchmark frame from a
 * direct buffer (as a driver's) into direct plane memory (as the codec's). {@code core}: camera-core's
 * {@link YuvPlanes} (eight bytes at a time in a {@code long}). {@code rows}: rows copied to the heap in bulk and
 * converted with byte loops like C's (measured and not taken, see below). {@code scalar}: byte by byte straight on the buffers
 * ({@code ByteBuffer.get/put(int)}), the way bench/c/tj_ref.c splits in C. Lives in camera-core's package to
 * reach the package-private splitter.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx256m"})
public class SplitBenchmark {

    @Param({"YUYV", "NV12"})
    public String format;

    @Param({"core", "rows", "scalar"})
    public String split;

    private Frame frame;
    private ByteBuffer planes;
    private final YuvPlanes splitter = new YuvPlanes();

    @Setup(Level.Trial)
    public void setUp() {
        frame = TestFrames.frame(PixelFormat.valueOf(format));
        planes = ByteBuffer.allocateDirect(YuvPlanes.planeBytes(frame.width(), frame.height()));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        frame.release();
    }

    @Benchmark
    public ByteBuffer splitFrame() {
        ByteBuffer src = frame.data();
        int w = frame.width();
        int h = frame.height();
        boolean nv12 = frame.format() == PixelFormat.NV12;
        switch (split) {
            case "core" -> {
                if (nv12) {
                    splitter.fromNv12(src, w, h, frame.stride(), planes);
                } else {
                    splitter.fromPacked422(src, w, h, frame.stride(), false, planes);
                }
            }
            case "rows" -> {
                if (nv12) {
                    rowsNv12(src, w, h, frame.stride(), planes);
                } else {
                    rowsYuyv(src, w, h, frame.stride(), planes);
                }
            }
            default -> {
                if (nv12) {
                    scalarNv12(src, w, h, frame.stride(), planes);
                } else {
                    scalarYuyv(src, w, h, frame.stride(), planes);
                }
            }
        }
        return planes;
    }

    private final byte[] ra = new byte[4096];
    private final byte[] rb = new byte[4096];
    private final byte[] ya = new byte[4096];
    private final byte[] yb = new byte[4096];
    private final byte[] uu = new byte[4096];
    private final byte[] vv = new byte[4096];

    /**
     * The row-copy alternative, measured and not taken: two source rows copied to heap arrays in bulk, converted
     * with byte loops like C's, the converted rows written back in bulk. The same bytes as camera-core's split
     * (even sizes only). Faster than camera-core's split on a frame that is in the cache (this benchmark), slower
     * inside a real encode (see docs/benchmarks.md).
     */
    private void rowsYuyv(ByteBuffer src, int w, int h, int stride, ByteBuffer out) {
        int cw = w / 2;
        int uPlane = w * h;
        int vPlane = uPlane + cw * (h / 2);
        byte[] luma = YuvPlanes.LUMA;
        byte[] chroma = YuvPlanes.CHROMA;
        byte[] a = ra;
        byte[] b = rb;
        byte[] y0 = ya;
        byte[] y1 = yb;
        byte[] u = uu;
        byte[] v = vv;
        int n = w * 2;
        for (int r = 0; r < h; r += 2) {
            src.get(r * stride, a, 0, n);
            src.get((r + 1) * stride, b, 0, n);
            for (int p = 0; p < cw; p++) {
                int i = p * 4;
                int x = p * 2;
                y0[x] = luma[a[i] & 0xff];
                y0[x + 1] = luma[a[i + 2] & 0xff];
                y1[x] = luma[b[i] & 0xff];
                y1[x + 1] = luma[b[i + 2] & 0xff];
                u[p] = chroma[((a[i + 1] & 0xff) + (b[i + 1] & 0xff) + 1) >> 1];
                v[p] = chroma[((a[i + 3] & 0xff) + (b[i + 3] & 0xff) + 1) >> 1];
            }
            out.put(r * w, y0, 0, w);
            out.put((r + 1) * w, y1, 0, w);
            out.put(uPlane + (r / 2) * cw, u, 0, cw);
            out.put(vPlane + (r / 2) * cw, v, 0, cw);
        }
    }

    private void rowsNv12(ByteBuffer src, int w, int h, int stride, ByteBuffer out) {
        byte[] luma = YuvPlanes.LUMA;
        byte[] chroma = YuvPlanes.CHROMA;
        byte[] a = ra;
        byte[] y0 = ya;
        for (int y = 0; y < h; y++) {
            src.get(y * stride, a, 0, w);
            for (int x = 0; x < w; x++) {
                y0[x] = luma[a[x] & 0xff];
            }
            out.put(y * w, y0, 0, w);
        }
        int cw = w / 2;
        int uPlane = w * h;
        int vPlane = uPlane + cw * (h / 2);
        byte[] u = uu;
        byte[] v = vv;
        for (int y = 0; y < h / 2; y++) {
            src.get(stride * h + y * stride, a, 0, w);
            for (int x = 0; x < cw; x++) {
                u[x] = chroma[a[2 * x] & 0xff];
                v[x] = chroma[a[2 * x + 1] & 0xff];
            }
            out.put(uPlane + y * cw, u, 0, cw);
            out.put(vPlane + y * cw, v, 0, cw);
        }
    }

    /** Even sizes only, like the C reference. */
    private static void scalarYuyv(ByteBuffer src, int w, int h, int stride, ByteBuffer out) {
        int cw = w / 2;
        int uPlane = w * h;
        int vPlane = uPlane + cw * (h / 2);
        byte[] luma = YuvPlanes.LUMA;
        byte[] chroma = YuvPlanes.CHROMA;
        for (int r = 0; r < h; r += 2) {
            int a = r * stride;
            int b = a + stride;
            int ya = r * w;
            int yb = ya + w;
            int c = (r / 2) * cw;
            for (int p = 0, i = 0; p < cw; p++, i += 4) {
                out.put(ya + 2 * p, luma[src.get(a + i) & 0xff]);
                out.put(ya + 2 * p + 1, luma[src.get(a + i + 2) & 0xff]);
                out.put(yb + 2 * p, luma[src.get(b + i) & 0xff]);
                out.put(yb + 2 * p + 1, luma[src.get(b + i + 2) & 0xff]);
                out.put(uPlane + c + p, chroma[((src.get(a + i + 1) & 0xff) + (src.get(b + i + 1) & 0xff) + 1) >> 1]);
                out.put(vPlane + c + p, chroma[((src.get(a + i + 3) & 0xff) + (src.get(b + i + 3) & 0xff) + 1) >> 1]);
            }
        }
    }

    private static void scalarNv12(ByteBuffer src, int w, int h, int stride, ByteBuffer out) {
        byte[] luma = YuvPlanes.LUMA;
        byte[] chroma = YuvPlanes.CHROMA;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                out.put(y * w + x, luma[src.get(y * stride + x) & 0xff]);
            }
        }
        int cw = w / 2;
        int uPlane = w * h;
        int vPlane = uPlane + cw * (h / 2);
        for (int y = 0; y < h / 2; y++) {
            int r = stride * h + y * stride;
            for (int x = 0; x < cw; x++) {
                out.put(uPlane + y * cw + x, chroma[src.get(r + 2 * x) & 0xff]);
                out.put(vPlane + y * cw + x, chroma[src.get(r + 2 * x + 1) & 0xff]);
            }
        }
    }
}
