package org.obscura.camera.api;

import java.nio.ByteBuffer;

/**
 * Turns frames into the image forms viewers ask for besides the live JPEG of {@link LiveFrame#jpeg()}: a small
 * JPEG, a lossless PNG and raw BGR pixels. Implemented by the core with the same JPEG codec the frame hubs use
 * (libjpeg-turbo where the library is installed, else a pure-Java one), which it also reports.
 *
 * <p>Thread-safe. Every method reads the frame's data only during the call (the caller holds a reference) and
 * returns new read-only heap data; each call does the whole computation, so callers that serve many viewers
 * cache the result per frame. Methods block for the computation time (milliseconds to tens of milliseconds).
 */
@org.osgi.annotation.versioning.ProviderType
public interface FrameImages {

    /** The JPEG codec in use, e.g. {@code "libjpeg-turbo 2.1"} or {@code "java-imageio"}. */
    String jpegCodec();

    /** Whether the codec in use is the pure-Java fallback (the native library could not be loaded). */
    boolean jpegFallback();

    /**
     * The frame scaled to {@code width} x {@code height} as JPEG. JPEG frames are decoded at the smallest
     * size the decoder can scale to that is at least as large (1/8 steps), then resized to the exact size.
     *
     * @param width   1 to the frame's width
     * @param height  1 to the frame's height
     * @param quality 1 to 100
     * @throws CameraException INVALID_ARGUMENT (field {@code width}, {@code height} or {@code quality}) for an
     *                         out-of-range value, IO when the frame cannot be decoded or encoded
     */
    ByteBuffer jpeg(Frame frame, int width, int height, int quality);

    /**
     * The frame as a PNG image, 8-bit RGB (grey for GREY frames), lossless with respect to the frame's pixels
     * after conversion to RGB; JPEG frames are decoded first.
     *
     * @throws CameraException IO when the frame cannot be decoded
     */
    ByteBuffer png(Frame frame);

    /**
     * The frame's pixels as tightly packed 8-bit B, G, R triples, row after row ({@code height * width * 3}
     * bytes; numpy: {@code reshape(height, width, 3)}); JPEG frames are decoded first.
     *
     * @throws CameraException IO when the frame cannot be decoded
     */
    ByteBuffer bgr(Frame frame);
}
