package org.obscura.driver.gphoto2.internal;

/**
 * The pixel size of a JPEG image, read from its start-of-frame marker without decoding it. Cameras deliver
 * previews and stills as JPEG; a frame needs its size.
 *
 * @param width  pixels per line
 * @param height lines
 */
record JpegSize(int width, int height) {

    /**
     * Reads the size of the JPEG in {@code data[0..length)}.
     *
     * @return the size, or {@code null} when the bytes are not a JPEG with a frame header (RAW files,
     *         truncated data)
     */
    static JpegSize of(byte[] data, int length) {
        if (length < 4 || (data[0] & 0xFF) != 0xFF || (data[1] & 0xFF) != 0xD8) {
            return null;
        }
        int i = 2;
        while (i + 3 < length) {
            if ((data[i] & 0xFF) != 0xFF) {
                return null; // lost sync: not a well-formed marker sequence
            }
            int marker = data[i + 1] & 0xFF;
            if (marker == 0xFF) {
                i++; // fill byte
                continue;
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                i += 2; // markers without a length
                continue;
            }
            if (marker == 0xD9 || marker == 0xDA) {
                return null; // end of image or start of scan before any frame header
            }
            int segment = ((data[i + 2] & 0xFF) << 8) | (data[i + 3] & 0xFF);
            if (segment < 2) {
                return null;
            }
            boolean frameHeader = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8
                    && marker != 0xCC;
            if (frameHeader) {
                if (i + 8 >= length) {
                    return null;
                }
                int height = ((data[i + 5] & 0xFF) << 8) | (data[i + 6] & 0xFF);
                int width = ((data[i + 7] & 0xFF) << 8) | (data[i + 8] & 0xFF);
                return width > 0 && height > 0 ? new JpegSize(width, height) : null;
            }
            i += 2 + segment;
        }
        return null;
    }
}
