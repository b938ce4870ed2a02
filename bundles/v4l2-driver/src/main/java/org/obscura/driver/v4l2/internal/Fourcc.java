package org.obscura.driver.v4l2.internal;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.obscura.camera.api.PixelFormat;

/** V4L2 four-character codes: {@code v4l2_fourcc(a, b, c, d)} is {@code a | b << 8 | c << 16 | d << 24}. */
final class Fourcc {
    private Fourcc() {
    }

    static final int MJPG = of("MJPG");
    static final int JPEG = of("JPEG");
    static final int YUYV = of("YUYV");

    /** The code of a four-character string; shorter strings are padded with spaces as V4L2 does ("Y16 "). */
    static int of(String code) {
        byte[] b = (code + "    ").substring(0, 4).getBytes(StandardCharsets.US_ASCII);
        return (b[0] & 0xFF) | (b[1] & 0xFF) << 8 | (b[2] & 0xFF) << 16 | (b[3] & 0xFF) << 24;
    }

    /**
     * The code as text, e.g. {@code "YUYV"}; trailing spaces trimmed. Big-endian variants (bit 31 set) get a
     * {@code "-BE"} suffix as in v4l2-ctl.
     */
    static String toString(int fourcc) {
        StringBuilder s = new StringBuilder(4);
        for (int i = 0; i < 4; i++) {
            int c = fourcc >>> (8 * i) & (i == 3 ? 0x7F : 0xFF);
            s.append(c >= 0x20 && c < 0x7F ? (char) c : '?');
        }
        String text = s.toString().trim();
        return (fourcc & 0x8000_0000) != 0 ? text + "-BE" : text;
    }

    /** The core's pixel format for a V4L2 code, if frames in it can go through the core as they are. */
    static Optional<PixelFormat> pixelFormat(int fourcc) {
        if (fourcc == MJPG || fourcc == JPEG) {
            return Optional.of(PixelFormat.JPEG);
        }
        String text = toString(fourcc);
        for (PixelFormat f : PixelFormat.values()) {
            if (f != PixelFormat.JPEG && f.fourcc().equals(text)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /**
     * The V4L2 code a configured format names: a fourcc ({@code "YUYV"}, {@code "MJPG"}) or a core format
     * name ({@code "rgb24"}, {@code "jpeg"}).
     */
    static Optional<Integer> parse(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        Optional<PixelFormat> core = PixelFormat.parse(text);
        if (core.isPresent()) {
            return Optional.of(of(core.get().fourcc()));
        }
        String t = text.trim();
        return t.length() <= 4 && t.chars().allMatch(c -> c >= 0x20 && c < 0x7F)
                ? Optional.of(of(t))
                : Optional.empty();
    }
}
