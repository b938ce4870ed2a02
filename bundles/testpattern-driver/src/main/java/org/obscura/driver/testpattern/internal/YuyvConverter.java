package org.obscura.driver.testpattern.internal;

import java.nio.ByteBuffer;

/**
 * Converts packed BGR pixels to YUYV 4:2:2 (Y0 U Y1 V), ITU-R BT.601 limited range: Y in 16..235, U and V
 * in 16..240. Integer arithmetic with 16-bit fixed-point coefficients, rounded, so that the textbook
 * values come out exactly (white 235/128/128, black 16/128/128, red 81/90/240). Each pair of pixels shares
 * the U and V of its average colour, hence the even width.
 *
 * <p>Not thread-safe (it owns a row buffer); one converter per stream.
 */
final class YuyvConverter {

    // round(coefficient * 65536) for 8-bit RGB in, limited-range YCbCr out
    private static final int YR = 16829;
    private static final int YG = 33039;
    private static final int YB = 6416;
    private static final int UR = -9714;
    private static final int UG = -19070;
    private static final int UB = 28784;
    private static final int VR = 28784;
    private static final int VG = -24103;
    private static final int VB = -4681;
    private static final int Y_OFFSET = (16 << 16) + (1 << 15);
    /** For chroma computed from the sum of two pixels: 17 fractional bits. */
    private static final int C_OFFSET = (128 << 17) + (1 << 16);

    private final int width;
    private final int height;
    private final byte[] row;

    /** @param width even */
    YuyvConverter(int width, int height) {
        if (width % 2 != 0) {
            throw new IllegalArgumentException("YUYV needs an even width, not " + width);
        }
        this.width = width;
        this.height = height;
        this.row = new byte[width * 2];
    }

    /** Bytes of one converted frame: stride {@code width * 2} times height. */
    int frameLength() {
        return width * 2 * height;
    }

    /**
     * Converts a whole frame, writing {@link #frameLength()} bytes at {@code out}'s position (which it
     * advances); {@code out} may be direct.
     *
     * @param bgr rows of {@code width * 3} bytes, B G R
     */
    void convert(byte[] bgr, ByteBuffer out) {
        byte[] r = row;
        for (int y = 0; y < height; y++) {
            int s = y * width * 3;
            for (int d = 0; d < r.length; d += 4, s += 6) {
                int b0 = bgr[s] & 0xff;
                int g0 = bgr[s + 1] & 0xff;
                int r0 = bgr[s + 2] & 0xff;
                int b1 = bgr[s + 3] & 0xff;
                int g1 = bgr[s + 4] & 0xff;
                int r1 = bgr[s + 5] & 0xff;
                int rs = r0 + r1;
                int gs = g0 + g1;
                int bs = b0 + b1;
                r[d] = (byte) ((YR * r0 + YG * g0 + YB * b0 + Y_OFFSET) >> 16);
                r[d + 1] = (byte) ((UR * rs + UG * gs + UB * bs + C_OFFSET) >> 17);
                r[d + 2] = (byte) ((YR * r1 + YG * g1 + YB * b1 + Y_OFFSET) >> 16);
                r[d + 3] = (byte) ((VR * rs + VG * gs + VB * bs + C_OFFSET) >> 17);
            }
            out.put(r);
        }
    }
}
