package org.obscura.camera.core.internal.jpeg;

import org.obscura.camera.api.Frame;

/**
 * Encodes raw frames (every {@link org.obscura.camera.api.PixelFormat} except JPEG) as baseline JFIF JPEG.
 * Behind an interface so that a native implementation (libjpeg-turbo) can replace the pure-Java one where the
 * library is present.
 *
 * <p>Implementations are thread-safe and block the calling thread for the encoding time. The caller holds a
 * reference to the frame for the whole call; the encoder never keeps the frame or its data.
 */
public interface JpegEncoder {

    /**
     * @param frame   a raw frame
     * @param quality 1 to 100
     * @return a complete JPEG file
     * @throws org.obscura.camera.api.CameraException UNSUPPORTED for a compressed frame, IO when encoding fails
     */
    byte[] encode(Frame frame, int quality);

    /**
     * The pure-Java encoder: always available, holds no native resources. Components that encode live frames
     * use {@link JpegCodecs#open()} instead, which prefers libjpeg-turbo.
     */
    static JpegEncoder standard() {
        return ImageIoJpegEncoder.INSTANCE;
    }
}
