package org.obscura.camera.api;

import java.util.Locale;
import java.util.Optional;

/**
 * Pixel formats that frames can carry through the core. Drivers convert anything else (Bayer, exotic
 * packed formats) to one of these before pushing a frame.
 *
 * <p>For planar and packed raw formats, {@link Frame#stride()} is the number of bytes per row of the first
 * (or only) plane; NV12's interleaved chroma plane follows the luma plane directly with the same stride.
 */
public enum PixelFormat {
    /** Complete JPEG/JFIF image (camera MJPEG or driver-encoded); stride is 0. */
    JPEG("MJPG", 0),
    /** Packed 4:2:2, Y0 U Y1 V (V4L2 YUYV). */
    YUYV("YUYV", 2),
    /** Packed 4:2:2, U Y0 V Y1 (V4L2 UYVY). */
    UYVY("UYVY", 2),
    /** Planar 4:2:0: full Y plane, then interleaved U/V plane at half height (V4L2 NV12). */
    NV12("NV12", 1),
    /** 8-bit luminance only (V4L2 GREY). */
    GREY("GREY", 1),
    /** 8 bits per channel, R G B byte order (V4L2 RGB3). */
    RGB24("RGB3", 3),
    /** 8 bits per channel, B G R byte order (V4L2 BGR3; OpenCV's native order). */
    BGR24("BGR3", 3);

    private final String fourcc;
    private final int bytesPerPixel;

    PixelFormat(String fourcc, int bytesPerPixel) {
        this.fourcc = fourcc;
        this.bytesPerPixel = bytesPerPixel;
    }

    /** The V4L2 four-character code of this format, e.g. {@code "YUYV"}; {@code "MJPG"} for JPEG. */
    public String fourcc() {
        return fourcc;
    }

    /**
     * Bytes per pixel of the first plane: 2 for YUYV/UYVY, 1 for NV12/GREY, 3 for RGB24/BGR24, 0 for
     * compressed formats.
     */
    public int bytesPerPixel() {
        return bytesPerPixel;
    }

    /** Whether frames of this format are already compressed (JPEG). */
    public boolean isCompressed() {
        return bytesPerPixel == 0;
    }

    /**
     * The minimum number of data bytes a frame of this format needs for the given size and stride, or 0
     * when the size cannot be known in advance (compressed formats).
     */
    public int minimumLength(int width, int height, int stride) {
        return switch (this) {
            case JPEG -> 0;
            case NV12 -> stride * height + stride * ((height + 1) / 2);
            default -> stride * height;
        };
    }

    /**
     * Looks a format up by enum name or fourcc, ignoring case ({@code "yuyv"}, {@code "MJPG"},
     * {@code "jpeg"}, {@code "RGB3"}).
     */
    public static Optional<PixelFormat> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String t = text.trim().toUpperCase(Locale.ROOT);
        for (PixelFormat f : values()) {
            if (f.name().equals(t) || f.fourcc.equals(t)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
