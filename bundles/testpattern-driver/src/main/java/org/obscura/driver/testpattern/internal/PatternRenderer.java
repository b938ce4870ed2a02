package org.obscura.driver.testpattern.internal;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.LinearGradientPaint;
import java.awt.MultipleGradientPaint.CycleMethod;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;

/**
 * Draws test-pattern frames into one reusable {@link BufferedImage#TYPE_3BYTE_BGR} image: the pattern
 * (moved by the frame number), the brightness offset, then the text overlay (camera, mode, frame number,
 * wall-clock time) in a black box at the top left.
 *
 * <p>Not thread-safe: one renderer per thread that draws (the stream thread, the still path). The image
 * returned by {@link #render} is overwritten by the next call.
 */
final class PatternRenderer {

    /** What the picture looks like; the live settings of a camera. */
    record Look(Pattern pattern, int brightness, boolean overlay) {
    }

    private static final Color[] BARS = {
        new Color(191, 191, 191), new Color(191, 191, 0), new Color(0, 191, 191), new Color(0, 191, 0),
        new Color(191, 0, 191), new Color(191, 0, 0), new Color(0, 0, 191)
    };
    private static final Color[] RAINBOW = {
        Color.RED, Color.YELLOW, Color.GREEN, Color.CYAN, Color.BLUE, Color.MAGENTA, Color.RED
    };
    private static final float[] RAINBOW_STOPS = { 0f, 1 / 6f, 2 / 6f, 3 / 6f, 4 / 6f, 5 / 6f, 1f };
    private static final Color CHECKER_DARK = new Color(48, 48, 48);
    private static final Color CHECKER_LIGHT = new Color(200, 200, 200);
    private static final Color DISC = new Color(255, 140, 0);
    /** Digits of the frame counter; it grows wider past that, and the box with it. */
    private static final int COUNTER_DIGITS = 7;

    private final int width;
    private final int height;
    private final String title;
    private final ZoneId zone;
    private final BufferedImage image;
    private final byte[] pixels;
    private final Graphics2D g;
    private final int scale;
    private final int margin;
    private final byte[] brightnessTable = new byte[256];
    private int tableOffset = Integer.MIN_VALUE;
    private Rectangle box;
    private int boxChars = -1;

    /**
     * @param title first overlay line, e.g. camera name and mode
     * @param zone  time zone of the overlay clock
     */
    PatternRenderer(int width, int height, String title, ZoneId zone) {
        this.width = width;
        this.height = height;
        this.title = title;
        this.zone = zone;
        this.image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        this.pixels = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        this.g = image.createGraphics();
        this.scale = Math.max(1, height / 240);
        this.margin = 4 * scale;
    }

    /** The first overlay line for a camera: name and mode. */
    static String title(CameraSetup setup) {
        double fps = setup.fps();
        String rate = fps == Math.rint(fps) ? Long.toString((long) fps) : Double.toString(fps);
        return setup.name() + "  " + setup.width() + "x" + setup.height() + " " + setup.format() + " " + rate + " FPS";
    }

    int width() {
        return width;
    }

    int height() {
        return height;
    }

    /** The image's pixels: 3 bytes per pixel, B G R, rows of {@code width * 3} bytes, no padding. */
    byte[] pixels() {
        return pixels;
    }

    /** Draws frame {@code sequence} captured at {@code time}; returns the reused image. */
    BufferedImage render(Look look, long sequence, Instant time) {
        switch (look.pattern()) {
            case BARS -> bars(sequence);
            case GRADIENT -> gradient(sequence);
            case CHECKERS -> checkers(sequence);
        }
        if (look.brightness() != 0) {
            brighten(look.brightness());
        }
        if (look.overlay()) {
            overlay(sequence, time);
        }
        return image;
    }

    /** Where the overlay box is drawn (clipped to the image); what changes there is text only. */
    Rectangle textArea() {
        return new Rectangle(box(secondLine(0, LocalTime.MIDNIGHT).length()));
    }

    /** The overlay box for a second line of {@code chars} characters; recomputed only when that changes. */
    private Rectangle box(int chars) {
        if (chars != boxChars) {
            int textWidth = Math.max(BitmapFont.width(title, scale), (chars * BitmapFont.ADVANCE - 1) * scale);
            int textHeight = (2 * BitmapFont.GLYPH_HEIGHT + 3) * scale;
            box = new Rectangle(margin, margin, textWidth + 2 * margin, textHeight + 2 * margin)
                    .intersection(new Rectangle(0, 0, width, height));
            boxChars = chars;
        }
        return box;
    }

    private void bars(long n) {
        int top = height * 2 / 3;
        for (int i = 0; i < BARS.length; i++) {
            int x0 = width * i / BARS.length;
            int x1 = width * (i + 1) / BARS.length;
            g.setColor(BARS[i]);
            g.fillRect(x0, 0, x1 - x0, top);
        }
        g.setPaint(new GradientPaint(0, 0, Color.BLACK, width, 0, Color.WHITE));
        g.fillRect(0, top, width, height - top);

        int stripe = Math.max(2, width / 48);
        int stripeX = (int) (n * Math.max(1, width / 120) % (width + stripe)) - stripe;
        g.setColor(Color.BLACK);
        g.fillRect(stripeX - 1, 0, stripe + 2, height);
        g.setColor(Color.WHITE);
        g.fillRect(stripeX, 0, stripe, height);

        int square = Math.max(4, (height - top) / 2);
        int travel = Math.max(1, width - square);
        long phase = n * Math.max(1, width / 100) % (2L * travel);
        int squareX = (int) (phase < travel ? phase : 2L * travel - phase);
        int squareY = top + (height - top - square) / 2;
        g.setColor(Color.WHITE);
        g.fillRect(squareX, squareY, square, square);
        g.setColor(Color.RED);
        g.fillRect(squareX + 2, squareY + 2, square - 4, square - 4);
    }

    private void gradient(long n) {
        float offset = n * Math.max(1, width / 160) % (float) width;
        g.setPaint(new LinearGradientPaint(offset, 0, offset + width / 2f, height / 2f, RAINBOW_STOPS, RAINBOW,
                CycleMethod.REPEAT));
        g.fillRect(0, 0, width, height);
        g.setPaint(new GradientPaint(0, height / 2f, new Color(0, 0, 0, 0), 0, height, new Color(0, 0, 0, 230)));
        g.fillRect(0, height / 2, width, height - height / 2);
        int line = Math.max(2, height / 120);
        g.setColor(Color.WHITE);
        g.fillRect(0, (int) (n * Math.max(1, height / 120) % height), width, line);
    }

    private void checkers(long n) {
        int cell = Math.max(8, height / 8);
        int offset = (int) (n * Math.max(1, cell / 12) % (2L * cell));
        for (int j = -2; j * cell + offset - 2 * cell < height; j++) {
            for (int i = -2; i * cell + offset - 2 * cell < width; i++) {
                g.setColor(((i + j) & 1) == 0 ? CHECKER_DARK : CHECKER_LIGHT);
                g.fillRect(i * cell + offset - 2 * cell, j * cell + offset - 2 * cell, cell, cell);
            }
        }
        double angle = n * 2 * Math.PI / 90;
        int radius = Math.max(3, height / 10);
        int orbit = height / 4;
        int cx = (int) Math.round(width / 2.0 + Math.cos(angle) * orbit);
        int cy = (int) Math.round(height / 2.0 + Math.sin(angle) * orbit);
        g.setColor(DISC);
        g.fillOval(cx - radius, cy - radius, 2 * radius, 2 * radius);
    }

    /** Adds {@code offset} to every channel, clamped: a look-up table, one pass over the raster. */
    private void brighten(int offset) {
        if (offset != tableOffset) {
            for (int v = 0; v < 256; v++) {
                brightnessTable[v] = (byte) Math.max(0, Math.min(255, v + offset));
            }
            tableOffset = offset;
        }
        byte[] table = brightnessTable;
        byte[] p = pixels;
        for (int i = 0; i < p.length; i++) {
            p[i] = table[p[i] & 0xff];
        }
    }

    private void overlay(long n, Instant time) {
        String second = secondLine(n, LocalTime.ofInstant(time, zone));
        Rectangle area = box(second.length());
        g.setColor(Color.BLACK);
        g.fillRect(area.x, area.y, area.width, area.height);
        int x = margin * 2;
        int y = margin * 2;
        BitmapFont.draw(pixels, width, height, x, y, title, scale, 0xFFFFFF);
        BitmapFont.draw(pixels, width, height, x, y + (BitmapFont.GLYPH_HEIGHT + 3) * scale, second, scale, 0xFFFF00);
    }

    private static String secondLine(long n, LocalTime t) {
        StringBuilder s = new StringBuilder(32).append('#');
        String digits = Long.toString(n);
        for (int i = digits.length(); i < COUNTER_DIGITS; i++) {
            s.append('0');
        }
        s.append(digits).append("  ");
        two(s, t.getHour()).append(':');
        two(s, t.getMinute()).append(':');
        two(s, t.getSecond()).append('.');
        int millis = t.getNano() / 1_000_000;
        return s.append((char) ('0' + millis / 100)).append((char) ('0' + millis / 10 % 10))
                .append((char) ('0' + millis % 10)).toString();
    }

    private static StringBuilder two(StringBuilder s, int v) {
        return s.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
    }
}
