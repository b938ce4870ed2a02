package org.obscura.camera.core.internal.jpeg;

import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the JPEG codec: libjpeg-turbo when it loads, else the pure-Java one with a warning. The system
 * property {@code obscura.jpeg.java=true} forces the pure-Java codec (for comparisons and for tracking down a
 * native problem).
 */
public final class JpegCodecs {

    private static final Logger LOG = LoggerFactory.getLogger(JpegCodecs.class);

    private JpegCodecs() {
    }

    /** The best codec here; the caller owns it and closes it when done. */
    public static JpegCodec open() {
        if (Boolean.getBoolean("obscura.jpeg.java")) {
            LOG.warn("JPEG: using the pure-Java codec ({}) because obscura.jpeg.java is set; encoding is several times slower",
                    ImageIoJpegEncoder.NAME);
            return ImageIoJpegEncoder.INSTANCE;
        }
        return open(TurboJpegCodec::load);
    }

    /**
     * The codec {@code loader} makes, or the pure-Java one when it fails to load a native library.
     *
     * @param loader throws {@link UnsatisfiedLinkError} (or another {@link LinkageError}) when the library is missing
     */
    static JpegCodec open(Supplier<? extends JpegCodec> loader) {
        try {
            JpegCodec codec = loader.get();
            LOG.info("JPEG: using {}", codec.name());
            return codec;
        } catch (LinkageError | RuntimeException e) {
            LOG.warn("JPEG: libjpeg-turbo is not available ({}); using the pure-Java codec ({}), which is several times"
                    + " slower. Install it with: apt-get install libturbojpeg0", e.getMessage(), ImageIoJpegEncoder.NAME);
            return ImageIoJpegEncoder.INSTANCE;
        }
    }
}
