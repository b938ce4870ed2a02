package org.obscura.camera.core.internal.jpeg;

import java.nio.ByteBuffer;

/**
 * A JPEG encoder that can also decode (to BGR, optionally scaled down while decoding) and encode packed BGR
 * pixels: what the frame forms need beyond live encoding. Thread-safe; calls block for the work.
 *
 * <p>{@link #close()} frees native resources. Calls made after it still work on a native codec, through its
 * pure-Java fallback, so that a late caller during bundle stop gets a picture rather than a crash.
 */
public interface JpegCodec extends JpegEncoder, AutoCloseable {

    /** What to report: {@code "libjpeg-turbo 2.1"}, {@code "java-imageio"}. */
    String name();

    /** Whether this is the pure-Java fallback. */
    boolean fallback();

    /**
     * Decodes a JPEG to packed BGR, at the smallest size the decoder can produce cheaply that is at least
     * {@code minWidth} x {@code minHeight} (native: libjpeg's M/8 scaling; pure Java: full size). Pass 0, 0
     * for the full size.
     *
     * @param jpeg a complete JPEG from position to limit; not consumed
     * @throws org.obscura.camera.api.CameraException IO for data that is not a decodable JPEG
     */
    BgrImage decode(ByteBuffer jpeg, int minWidth, int minHeight);

    /** Encodes packed BGR pixels (4:2:0). */
    byte[] encode(BgrImage image, int quality);

    @Override
    void close();
}
