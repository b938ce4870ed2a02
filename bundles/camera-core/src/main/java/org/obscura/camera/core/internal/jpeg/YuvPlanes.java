package org.obscura.camera.core.internal.jpeg;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Splits the YUV frames cameras deliver (packed 4:2:2 YUYV/UYVY, semi-planar NV12) into the full-range I420
 * planes {@code tjCompressFromYUVPlanes} takes: Y (w x h), then U and V ((w+1)/2 x (h+1)/2 each), back to back.
 * The one pass over the samples does all the work there is: de-interleaving, averaging the chroma of each row
 * pair (rounded, as libjpeg's own 2x2 downsampling does) and expanding the camera's limited range to JFIF's full
 * range through lookup tables.
 *
 * <p>This is on the path of every live frame, so it is written for the JIT: eight source bytes are read at a
 * time as one little-endian {@code long} ({@link ByteBuffer#getLong(int)}, a plain load for direct and heap
 * buffers alike), the samples are picked out with shifts, the chroma of two rows is averaged four lanes at a
 * time inside a {@code long} (SWAR), and the converted samples, looked up in tables that hold them already
 * shifted into place, are assembled into {@code int} stores. The inner loops have no branches and no per-byte
 * buffer calls (table indexes are masked to 0..255, the buffer checks are per word). Whatever does not fill a
 * whole group of 8 pixels at the right edge goes through a scalar loop with the same arithmetic, so the result
 * is identical to a pixel-by-pixel conversion, byte for byte. (Copying rows to the heap in bulk and converting
 * them with byte loops, as C does, was measured too: faster for NV12 on a frame already in the cache, but not
 * faster for YUYV, and no better in the whole encode, where libjpeg's pass has just pushed the frame out of the
 * cache; see docs/benchmarks.md.)
 *
 * <p>Stateless; an instance per codec worker keeps the door open for per-worker state. Both methods set the
 * byte order of {@code src} and {@code out} to little-endian (positions and limits stay untouched) and read
 * {@code src} and write {@code out} by absolute index from 0.
 */
final class YuvPlanes {

    /**
     * Limited-range ("studio swing", what V4L2 and UVC cameras deliver) to the full range JFIF defines: luma
     * 16..235 to 0..255, chroma 16..240 around 128 to 0..255. Without it every picture would come out greyish.
     */
    static final byte[] LUMA = new byte[256];
    static final byte[] CHROMA = new byte[256];
    /**
     * The same tables as ints, once per byte position of an {@code int}: {@code LUMA_1[i] == LUMA[i] << 8}. A
     * converted sample comes out of the table already in its place, so that four of them make a word with three
     * ORs: the loops are bound by ALU operations, and this saves one per sample.
     */
    private static final int[] LUMA_0 = new int[256];
    private static final int[] LUMA_1 = new int[256];
    private static final int[] LUMA_2 = new int[256];
    private static final int[] LUMA_3 = new int[256];
    private static final int[] CHROMA_0 = new int[256];
    private static final int[] CHROMA_1 = new int[256];
    private static final int[] CHROMA_2 = new int[256];
    private static final int[] CHROMA_3 = new int[256];

    /** The low byte of each 16-bit lane. */
    private static final long LANES = 0x00FF00FF00FF00FFL;
    /** 1 in each 16-bit lane: the rounding term of the chroma average. */
    private static final long ROUND = 0x0001000100010001L;

    static {
        for (int i = 0; i < 256; i++) {
            LUMA[i] = (byte) Math.max(0, Math.min(255, Math.round((i - 16) * 255.0 / 219.0)));
            CHROMA[i] = (byte) Math.max(0, Math.min(255, Math.round((i - 128) * 255.0 / 224.0 + 128)));
            int luma = LUMA[i] & 0xff;
            int chroma = CHROMA[i] & 0xff;
            LUMA_0[i] = luma;
            LUMA_1[i] = luma << 8;
            LUMA_2[i] = luma << 16;
            LUMA_3[i] = luma << 24;
            CHROMA_0[i] = chroma;
            CHROMA_1[i] = chroma << 8;
            CHROMA_2[i] = chroma << 16;
            CHROMA_3[i] = chroma << 24;
        }
    }

    /** Bytes of the I420 planes of a w x h image. */
    static int planeBytes(int w, int h) {
        return w * h + 2 * ((w + 1) / 2) * ((h + 1) / 2);
    }

    /**
     * Packed 4:2:2 rows (YUYV: Y0 U Y1 V; UYVY: U Y0 V Y1) to I420 planes in {@code out}. A last odd row pairs
     * with itself; bytes past a row's readable end (odd width with a tight stride) count as neutral 128.
     *
     * @param src    at least {@code stride * h} bytes from index 0
     * @param stride bytes per source row, at least {@code 2 * w}
     * @param out    at least {@link #planeBytes} bytes from index 0
     */
    void fromPacked422(ByteBuffer src, int w, int h, int stride, boolean uyvy, ByteBuffer out) {
        src.order(ByteOrder.LITTLE_ENDIAN);
        out.order(ByteOrder.LITTLE_ENDIAN);
        int cw = (w + 1) / 2;
        int ch = (h + 1) / 2;
        int uPlane = w * h;
        int vPlane = uPlane + cw * ch;
        // In a little-endian long of 8 source bytes, luma is in the low byte of each 16-bit lane after shifting
        // by lumaShift, chroma (U, V, U, V in lanes 0..3) after shifting by chromaShift.
        int lumaShift = uyvy ? 8 : 0;
        int chromaShift = uyvy ? 0 : 8;
        // Whole groups of 8 pixels: 16 source bytes per row, all within the row's 2 * w bytes.
        int groups = w >>> 3;
        int tailPair = groups * 4;
        int readable = Math.min(stride, cw * 4);
        for (int cy = 0; cy < ch; cy++) {
            int y0 = cy * 2;
            int y1 = Math.min(y0 + 1, h - 1);
            int ra = y0 * stride;
            int rb = y1 * stride;
            int ya = y0 * w;
            int yb = y1 * w;
            int uo = uPlane + cy * cw;
            int vo = vPlane + cy * cw;
            for (int g = 0; g < groups; g++) {
                int s = g * 16;
                long a0 = src.getLong(ra + s);
                long a1 = src.getLong(ra + s + 8);
                long b0 = src.getLong(rb + s);
                long b1 = src.getLong(rb + s + 8);
                out.putInt(ya + g * 8, luma4(a0 >>> lumaShift));
                out.putInt(ya + g * 8 + 4, luma4(a1 >>> lumaShift));
                out.putInt(yb + g * 8, luma4(b0 >>> lumaShift));
                out.putInt(yb + g * 8 + 4, luma4(b1 >>> lumaShift));
                // Per 16-bit lane: (a + b + 1) >> 1 of the chroma bytes; sums up to 511 never carry into the next lane.
                long c0 = ((((a0 >>> chromaShift) & LANES) + ((b0 >>> chromaShift) & LANES) + ROUND) >>> 1) & LANES;
                long c1 = ((((a1 >>> chromaShift) & LANES) + ((b1 >>> chromaShift) & LANES) + ROUND) >>> 1) & LANES;
                out.putInt(uo + g * 4, CHROMA_0[(int) c0 & 0xff] | CHROMA_1[(int) (c0 >>> 32) & 0xff]
                        | CHROMA_2[(int) c1 & 0xff] | CHROMA_3[(int) (c1 >>> 32) & 0xff]);
                out.putInt(vo + g * 4, CHROMA_0[(int) (c0 >>> 16) & 0xff] | CHROMA_1[(int) (c0 >>> 48) & 0xff]
                        | CHROMA_2[(int) (c1 >>> 16) & 0xff] | CHROMA_3[(int) (c1 >>> 48) & 0xff]);
            }
            int yOff = uyvy ? 1 : 0;
            int uOff = uyvy ? 0 : 1;
            int vOff = uyvy ? 2 : 3;
            for (int p = tailPair; p < cw; p++) {
                int i = p * 4;
                int x = p * 2;
                out.put(ya + x, LUMA[src.get(ra + i + yOff) & 0xff]);
                out.put(yb + x, LUMA[src.get(rb + i + yOff) & 0xff]);
                if (x + 1 < w) {
                    out.put(ya + x + 1, LUMA[src.get(ra + i + yOff + 2) & 0xff]);
                    out.put(yb + x + 1, LUMA[src.get(rb + i + yOff + 2) & 0xff]);
                }
                out.put(uo + p, CHROMA[(sample(src, ra, i + uOff, readable) + sample(src, rb, i + uOff, readable) + 1) >> 1]);
                out.put(vo + p, CHROMA[(sample(src, ra, i + vOff, readable) + sample(src, rb, i + vOff, readable) + 1) >> 1]);
            }
        }
    }

    /**
     * NV12 (Y plane, then one interleaved U V plane at half height, both with {@code stride}) to I420 planes in
     * {@code out}. Bytes past a chroma row's readable end (odd width with a tight stride) count as neutral 128.
     *
     * @param src at least {@code stride * (h + (h + 1) / 2)} bytes from index 0
     */
    void fromNv12(ByteBuffer src, int w, int h, int stride, ByteBuffer out) {
        src.order(ByteOrder.LITTLE_ENDIAN);
        out.order(ByteOrder.LITTLE_ENDIAN);
        int cw = (w + 1) / 2;
        int ch = (h + 1) / 2;
        int uPlane = w * h;
        int vPlane = uPlane + cw * ch;
        int groups = w >>> 3;
        int tail = groups * 8;
        for (int y = 0; y < h; y++) {
            int r = y * stride;
            int o = y * w;
            for (int g = 0; g < groups; g++) {
                long v = src.getLong(r + g * 8);
                out.putInt(o + g * 8, LUMA_0[(int) v & 0xff] | LUMA_1[(int) (v >>> 8) & 0xff]
                        | LUMA_2[(int) (v >>> 16) & 0xff] | LUMA_3[(int) (v >>> 24) & 0xff]);
                out.putInt(o + g * 8 + 4, LUMA_0[(int) (v >>> 32) & 0xff] | LUMA_1[(int) (v >>> 40) & 0xff]
                        | LUMA_2[(int) (v >>> 48) & 0xff] | LUMA_3[(int) (v >>> 56) & 0xff]);
            }
            for (int x = tail; x < w; x++) {
                out.put(o + x, LUMA[src.get(r + x) & 0xff]);
            }
        }
        int chromaPlane = stride * h;
        int readable = Math.min(stride, cw * 2);
        // Whole groups of 4 chroma pairs: 8 source bytes, all within the row's first w bytes.
        int chromaGroups = w >>> 3;
        int tailPair = chromaGroups * 4;
        for (int y = 0; y < ch; y++) {
            int r = chromaPlane + y * stride;
            int uo = uPlane + y * cw;
            int vo = vPlane + y * cw;
            for (int g = 0; g < chromaGroups; g++) {
                long v = src.getLong(r + g * 8);
                out.putInt(uo + g * 4, CHROMA_0[(int) v & 0xff] | CHROMA_1[(int) (v >>> 16) & 0xff]
                        | CHROMA_2[(int) (v >>> 32) & 0xff] | CHROMA_3[(int) (v >>> 48) & 0xff]);
                out.putInt(vo + g * 4, CHROMA_0[(int) (v >>> 8) & 0xff] | CHROMA_1[(int) (v >>> 24) & 0xff]
                        | CHROMA_2[(int) (v >>> 40) & 0xff] | CHROMA_3[(int) (v >>> 56) & 0xff]);
            }
            for (int p = tailPair; p < cw; p++) {
                out.put(uo + p, CHROMA[sample(src, r, 2 * p, readable)]);
                out.put(vo + p, CHROMA[sample(src, r, 2 * p + 1, readable)]);
            }
        }
    }

    /** Four converted luma samples from the low bytes of the 16-bit lanes of {@code lanes}, as a little-endian int. */
    private static int luma4(long lanes) {
        return LUMA_0[(int) lanes & 0xff] | LUMA_1[(int) (lanes >>> 16) & 0xff]
                | LUMA_2[(int) (lanes >>> 32) & 0xff] | LUMA_3[(int) (lanes >>> 48) & 0xff];
    }

    /** The byte at {@code offset} of the row at {@code row}, or neutral 128 past the row's readable part. */
    private static int sample(ByteBuffer src, int row, int offset, int readable) {
        return offset < readable ? src.get(row + offset) & 0xff : 128;
    }
}
