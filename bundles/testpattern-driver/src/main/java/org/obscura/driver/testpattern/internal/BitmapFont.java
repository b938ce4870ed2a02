package org.obscura.driver.testpattern.internal;

/**
 * A 5x7 pixel font drawn straight into a BGR raster. The overlay does not use Java2D text because a
 * headless server (a Raspberry Pi with a minimal JRE) may have no fonts or no fontconfig, where
 * {@code drawString} fails; these glyphs need nothing and cost a few hundred byte writes per frame.
 *
 * <p>Knows upper-case letters, digits, space and {@code : . - _ # / x}; lower case is drawn upper case,
 * anything else as {@code ?}.
 */
final class BitmapFont {

    static final int GLYPH_WIDTH = 5;
    static final int GLYPH_HEIGHT = 7;
    /** Horizontal advance per character in font pixels (glyph plus one pixel of spacing). */
    static final int ADVANCE = GLYPH_WIDTH + 1;

    /** Bit (row * 5 + column) set where the glyph is lit; indexed by character. */
    private static final long[] GLYPHS = new long[128];
    private static final long UNKNOWN;

    static {
        define('0', ".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###.");
        define('1', "..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###.");
        define('2', ".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####");
        define('3', "#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###.");
        define('4', "...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#.");
        define('5', "#####", "#....", "####.", "....#", "....#", "#...#", ".###.");
        define('6', "..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###.");
        define('7', "#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#...");
        define('8', ".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###.");
        define('9', ".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##..");
        define('A', ".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#");
        define('B', "####.", "#...#", "#...#", "####.", "#...#", "#...#", "####.");
        define('C', ".###.", "#...#", "#....", "#....", "#....", "#...#", ".###.");
        define('D', "###..", "#..#.", "#...#", "#...#", "#...#", "#..#.", "###..");
        define('E', "#####", "#....", "#....", "####.", "#....", "#....", "#####");
        define('F', "#####", "#....", "#....", "####.", "#....", "#....", "#....");
        define('G', ".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####");
        define('H', "#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#");
        define('I', ".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###.");
        define('J', "..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##..");
        define('K', "#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#");
        define('L', "#....", "#....", "#....", "#....", "#....", "#....", "#####");
        define('M', "#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#");
        define('N', "#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#");
        define('O', ".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###.");
        define('P', "####.", "#...#", "#...#", "####.", "#....", "#....", "#....");
        define('Q', ".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#");
        define('R', "####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#");
        define('S', ".####", "#....", "#....", ".###.", "....#", "....#", "####.");
        define('T', "#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#..");
        define('U', "#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###.");
        define('V', "#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#..");
        define('W', "#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#.");
        define('X', "#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#");
        define('Y', "#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#..");
        define('Z', "#####", "....#", "...#.", "..#..", ".#...", "#....", "#####");
        define(' ', ".....", ".....", ".....", ".....", ".....", ".....", ".....");
        define(':', ".....", ".##..", ".##..", ".....", ".##..", ".##..", ".....");
        define('.', ".....", ".....", ".....", ".....", ".....", ".##..", ".##..");
        define('-', ".....", ".....", ".....", "#####", ".....", ".....", ".....");
        define('_', ".....", ".....", ".....", ".....", ".....", ".....", "#####");
        define('#', ".#.#.", ".#.#.", "#####", ".#.#.", "#####", ".#.#.", ".#.#.");
        define('/', ".....", "....#", "...#.", "..#..", ".#...", "#....", ".....");
        define('x', ".....", ".....", "#...#", ".#.#.", "..#..", ".#.#.", "#...#");
        define('?', ".###.", "#...#", "....#", "...#.", "..#..", ".....", "..#..");
        UNKNOWN = GLYPHS['?'];
    }

    private BitmapFont() {
    }

    private static void define(char c, String... rows) {
        long bits = 0;
        for (int y = 0; y < GLYPH_HEIGHT; y++) {
            for (int x = 0; x < GLYPH_WIDTH; x++) {
                if (rows[y].charAt(x) == '#') {
                    bits |= 1L << (y * GLYPH_WIDTH + x);
                }
            }
        }
        GLYPHS[c] = bits;
    }

    private static long glyph(char c) {
        if (c == ' ') {
            return 0;
        }
        if (c < GLYPHS.length && GLYPHS[c] != 0) {
            return GLYPHS[c];
        }
        char upper = Character.toUpperCase(c);
        return upper < GLYPHS.length && GLYPHS[upper] != 0 ? GLYPHS[upper] : UNKNOWN;
    }

    /** Width in image pixels of {@code text} at {@code scale}, without the trailing spacing. */
    static int width(String text, int scale) {
        return text.isEmpty() ? 0 : (text.length() * ADVANCE - 1) * scale;
    }

    /**
     * Draws {@code text} with its top-left corner at ({@code x}, {@code y}), each font pixel a
     * {@code scale} x {@code scale} block, clipped to the image.
     *
     * @param bgr    the raster, 3 bytes per pixel in B G R order, rows of {@code width * 3} bytes
     * @param colour 0xRRGGBB
     */
    static void draw(byte[] bgr, int width, int height, int x, int y, String text, int scale, int colour) {
        byte r = (byte) (colour >> 16);
        byte g = (byte) (colour >> 8);
        byte b = (byte) colour;
        for (int i = 0; i < text.length(); i++) {
            long bits = glyph(text.charAt(i));
            int gx = x + i * ADVANCE * scale;
            for (int row = 0; row < GLYPH_HEIGHT; row++) {
                for (int col = 0; col < GLYPH_WIDTH; col++) {
                    if ((bits >>> (row * GLYPH_WIDTH + col) & 1) != 0) {
                        fill(bgr, width, height, gx + col * scale, y + row * scale, scale, b, g, r);
                    }
                }
            }
        }
    }

    private static void fill(byte[] bgr, int width, int height, int x0, int y0, int size, byte b, byte g, byte r) {
        int x1 = Math.min(x0 + size, width);
        int y1 = Math.min(y0 + size, height);
        for (int y = Math.max(y0, 0); y < y1; y++) {
            int i = (y * width + Math.max(x0, 0)) * 3;
            for (int x = Math.max(x0, 0); x < x1; x++) {
                bgr[i++] = b;
                bgr[i++] = g;
                bgr[i++] = r;
            }
        }
    }
}
