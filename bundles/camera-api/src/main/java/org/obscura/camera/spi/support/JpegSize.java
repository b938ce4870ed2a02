package org.obscura.camera.spi.support;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The width and height of a JPEG image, read from its start-of-frame header without decoding it: what a
 * driver passing camera JPEG through needs to build a {@link org.obscura.camera.api.Frame}.
 *
 * @param width  width in pixels
 * @param height height in pixels
 */
public record JpegSize(int width, int height) {

    /**
     * Reads the size from the JPEG in {@code data} between its position and limit (the buffer is not
     * changed).
     *
     * @return the size, or empty when the data is not a JPEG or its header is cut short
     */
    public static Optional<JpegSize> read(ByteBuffer data) {
        ByteBuffer b = data.duplicate();
        int start = b.position();
        int end = b.limit();
        if (end - start < 4 || (b.get(start) & 0xFF) != 0xFF || (b.get(start + 1) & 0xFF) != 0xD8) {
            return Optional.empty();
        }
        int i = start + 2;
        while (i + 3 < end) {
            if ((b.get(i) & 0xFF) != 0xFF) {
                return Optional.empty();
            }
            int marker = b.get(i + 1) & 0xFF;
            if (marker == 0xFF) {
                i++; // fill byte
                continue;
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                i += 2; // markers without a length
                continue;
            }
            if (marker == 0xD9 || marker == 0xDA) {
                return Optional.empty(); // end of image or scan data before any frame header
            }
            int length = ((b.get(i + 2) & 0xFF) << 8) | (b.get(i + 3) & 0xFF);
            boolean startOfFrame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8
                    && marker != 0xCC;
            if (startOfFrame) {
                if (i + 8 >= end) {
                    return Optional.empty();
                }
                int height = ((b.get(i + 5) & 0xFF) << 8) | (b.get(i + 6) & 0xFF);
                int width = ((b.get(i + 7) & 0xFF) << 8) | (b.get(i + 8) & 0xFF);
                return width > 0 && height > 0 ? Optional.of(new JpegSize(width, height)) : Optional.empty();
            }
            if (length < 2) {
                return Optional.empty();
            }
            i += 2 + length;
        }
        return Optional.empty();
    }

    /** {@link #read(ByteBuffer)} over an array range. */
    public static Optional<JpegSize> read(byte[] data, int offset, int length) {
        return read(ByteBuffer.wrap(data, offset, length));
    }
}
