package org.obscura.driver.testpattern.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.obscura.driver.testpattern.internal.PatternRenderer.Look;

class PatternRendererTest {

    private static final Instant T = Instant.parse("2025-03-01T10:20:30.456Z");
    private static final int W = 320;
    private static final int H = 240;

    private static PatternRenderer renderer() {
        return new PatternRenderer(W, H, "cam1  320x240 YUYV 15 FPS", ZoneOffset.UTC);
    }

    /** The pixels of the image outside {@code hole}, or inside it when {@code inside}. */
    private static byte[] region(PatternRenderer r, Rectangle hole, boolean inside) {
        byte[] p = r.pixels();
        byte[] out = new byte[p.length];
        int n = 0;
        for (int y = 0; y < r.height(); y++) {
            for (int x = 0; x < r.width(); x++) {
                if (hole.contains(x, y) == inside) {
                    int i = (y * r.width() + x) * 3;
                    out[n++] = p[i];
                    out[n++] = p[i + 1];
                    out[n++] = p[i + 2];
                }
            }
        }
        return Arrays.copyOf(out, n);
    }

    @ParameterizedTest
    @EnumSource(Pattern.class)
    void everyPatternMovesFromFrameToFrame(Pattern pattern) {
        PatternRenderer r = renderer();
        Rectangle text = r.textArea();
        r.render(new Look(pattern, 0, true), 10, T);
        byte[] first = region(r, text, false);
        r.render(new Look(pattern, 0, true), 11, T);
        byte[] next = region(r, text, false);
        assertFalse(Arrays.equals(first, next), pattern + " looks the same in consecutive frames");
        r.render(new Look(pattern, 0, true), 10, T);
        assertArrayEquals(first, region(r, text, false), pattern + " is not a function of the frame number");
    }

    @Test
    void textAreaShowsTheCounterAndTheClock() {
        PatternRenderer r = renderer();
        Rectangle text = r.textArea();
        r.render(new Look(Pattern.BARS, 0, true), 41, T);
        byte[] at41 = region(r, text, true);
        r.render(new Look(Pattern.BARS, 0, true), 42, T);
        assertFalse(Arrays.equals(at41, region(r, text, true)), "counter change is not visible");
        r.render(new Look(Pattern.BARS, 0, true), 41, T.plusMillis(1));
        assertFalse(Arrays.equals(at41, region(r, text, true)), "clock change is not visible");
        r.render(new Look(Pattern.BARS, 0, true), 41, T);
        assertArrayEquals(at41, region(r, text, true));
    }

    @Test
    void textIsLitOnABlackBox() {
        PatternRenderer r = renderer();
        Rectangle text = r.textArea();
        assertTrue(text.width > 100 && text.height > 10, "text area " + text);
        r.render(new Look(Pattern.BARS, 0, true), 1, T);
        byte[] box = region(r, text, true);
        long black = 0;
        long lit = 0;
        for (int i = 0; i < box.length; i += 3) {
            int sum = (box[i] & 0xff) + (box[i + 1] & 0xff) + (box[i + 2] & 0xff);
            if (sum == 0) {
                black++;
            } else if (sum >= 3 * 200 || (box[i + 1] & 0xff) == 255) {
                lit++;
            }
        }
        assertEquals(box.length / 3, black + lit, "only background and text colours in the box");
        assertTrue(lit > 100, "some text is drawn: " + lit + " pixels");
        assertTrue(black > lit, "mostly background");
    }

    @Test
    void overlayOffLeavesThePatternVisibleWhereTheTextWas() {
        PatternRenderer r = renderer();
        Rectangle text = r.textArea();
        // frame 100: the sweeping stripe is far from the text
        r.render(new Look(Pattern.BARS, 0, false), 100, T);
        byte[] without = region(r, text, true);
        r.render(new Look(Pattern.BARS, 0, true), 100, T);
        assertFalse(Arrays.equals(without, region(r, text, true)));
        // the top-left bar is 75% grey: no black box there without the overlay
        assertEquals(191, without[0] & 0xff);
    }

    @Test
    void brightnessOffsetsEveryChannelClamped() {
        PatternRenderer plain = renderer();
        PatternRenderer brighter = renderer();
        PatternRenderer darker = renderer();
        plain.render(new Look(Pattern.BARS, 0, false), 3, T);
        brighter.render(new Look(Pattern.BARS, 50, false), 3, T);
        darker.render(new Look(Pattern.BARS, -100, false), 3, T);
        byte[] p = plain.pixels();
        for (int i = 0; i < p.length; i++) {
            int v = p[i] & 0xff;
            assertEquals(Math.min(255, v + 50), brighter.pixels()[i] & 0xff, "byte " + i);
            assertEquals(Math.max(0, v - 100), darker.pixels()[i] & 0xff, "byte " + i);
        }
    }

    @Test
    void barsStartWithSeventyFivePercentWhiteAndImageIsReused() {
        PatternRenderer r = renderer();
        BufferedImage first = r.render(new Look(Pattern.BARS, 0, false), 0, T);
        BufferedImage second = r.render(new Look(Pattern.GRADIENT, 0, false), 1, T);
        assertTrue(first == second, "one image per renderer");
        assertEquals(BufferedImage.TYPE_3BYTE_BGR, first.getType());
        r.render(new Look(Pattern.BARS, 0, false), 60, T);
        int rgb = first.getRGB(W / 14, H / 3);
        assertEquals(0xBFBFBF, rgb & 0xFFFFFF);
        assertNotEquals(0, first.getRGB(W - 1, H - 1) & 0xFFFFFF, "bottom ramp ends white-ish");
    }

    @Test
    void tinyAndHugeImagesRender() {
        new PatternRenderer(16, 16, "x", ZoneOffset.UTC).render(new Look(Pattern.CHECKERS, 0, true), 1, T);
        PatternRenderer big = new PatternRenderer(1920, 1080, "big  1920x1080 YUYV 60 FPS", ZoneOffset.UTC);
        for (Pattern p : Pattern.values()) {
            big.render(new Look(p, 20, true), 123456789L, T);
        }
        assertTrue(big.textArea().height >= 4 * 17, "text scales with the picture");
    }
}
