package org.obscura.driver.testpattern.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

class YuyvConverterTest {

    /** Converts a 2x1 image of two colours and returns Y0 U Y1 V. */
    private static int[] convertPair(int rgb0, int rgb1) {
        byte[] bgr = { (byte) rgb0, (byte) (rgb0 >> 8), (byte) (rgb0 >> 16), (byte) rgb1, (byte) (rgb1 >> 8),
                (byte) (rgb1 >> 16) };
        ByteBuffer out = ByteBuffer.allocate(4);
        new YuyvConverter(2, 1).convert(bgr, out);
        assertEquals(4, out.position(), "bytes written");
        return new int[] { out.get(0) & 0xff, out.get(1) & 0xff, out.get(2) & 0xff, out.get(3) & 0xff };
    }

    @Test
    void whiteIsLimitedRangePeak() {
        assertArrayEquals(new int[] { 235, 128, 235, 128 }, convertPair(0xFFFFFF, 0xFFFFFF));
    }

    @Test
    void blackIsLimitedRangeFloor() {
        assertArrayEquals(new int[] { 16, 128, 16, 128 }, convertPair(0x000000, 0x000000));
    }

    @Test
    void pureRedHasBt601Values() {
        assertArrayEquals(new int[] { 81, 90, 81, 240 }, convertPair(0xFF0000, 0xFF0000));
    }

    @Test
    void pureGreenAndBlueHaveBt601Values() {
        assertArrayEquals(new int[] { 145, 54, 145, 34 }, convertPair(0x00FF00, 0x00FF00));
        assertArrayEquals(new int[] { 41, 240, 41, 110 }, convertPair(0x0000FF, 0x0000FF));
    }

    @Test
    void pairSharesTheChromaOfItsAverageAndKeepsItsOwnLuma() {
        int[] whiteBlack = convertPair(0xFFFFFF, 0x000000);
        assertEquals(235, whiteBlack[0]);
        assertEquals(16, whiteBlack[2]);
        assertEquals(128, whiteBlack[1]);
        assertEquals(128, whiteBlack[3]);
        // red next to blue: chroma between red's (90, 240) and blue's (240, 110)
        int[] redBlue = convertPair(0xFF0000, 0x0000FF);
        assertEquals(81, redBlue[0]);
        assertEquals(41, redBlue[2]);
        assertEquals(165, redBlue[1], 1);
        assertEquals(175, redBlue[3], 1);
    }

    @Test
    void convertsWholeFramesRowByRowIntoADirectBuffer() {
        int width = 4;
        int height = 3;
        byte[] bgr = new byte[width * height * 3];
        // row 1 white, others black
        for (int i = width * 3; i < 2 * width * 3; i++) {
            bgr[i] = (byte) 255;
        }
        YuyvConverter converter = new YuyvConverter(width, height);
        ByteBuffer out = ByteBuffer.allocateDirect(converter.frameLength());
        converter.convert(bgr, out);
        assertEquals(width * 2 * height, out.position());
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x += 2) {
                int i = y * width * 2 + x * 2;
                int luma = y == 1 ? 235 : 16;
                assertEquals(luma, out.get(i) & 0xff, "Y0 at " + x + "," + y);
                assertEquals(luma, out.get(i + 2) & 0xff, "Y1 at " + x + "," + y);
                assertEquals(128, out.get(i + 1) & 0xff);
                assertEquals(128, out.get(i + 3) & 0xff);
            }
        }
    }

    @Test
    void oddWidthIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new YuyvConverter(3, 2));
    }
}
