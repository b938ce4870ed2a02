package org.obscura.camera.api;

import java.nio.ByteBuffer;

/**
 * A frame as a camera's frame hub serves it to every viewer, with its encodings computed lazily and at most
 * once per frame for all viewers (a JPEG frame from the camera is served untouched).
 *
 * <p>A {@code LiveFrame} handle keeps the underlying {@link Frame} alive; {@link #close()} it when done
 * (try-with-resources). Encoded buffers returned by {@link #jpeg()} are immutable heap data that stay valid
 * after close; {@link #frame()}'s data does not.
 *
 * <p>The first call to an encoding may block for the encoding time (a few milliseconds); concurrent callers
 * of the same encoding wait for the one computation instead of repeating it.
 */
@org.osgi.annotation.versioning.ProviderType
public interface LiveFrame extends AutoCloseable {

    /** The raw frame as the device delivered it. Valid until this handle is closed. */
    Frame frame();

    /**
     * Position of this frame in its hub: strictly increasing across the hub's whole life, even when the
     * device restarts and its own sequence numbers start again.
     */
    long index();

    /**
     * Whether this is a placeholder the hub shows while the camera is offline ("no signal"), not a
     * camera image. Captures never return placeholders.
     */
    boolean placeholder();

    /** The frame as JPEG at the hub's default quality; read-only. */
    ByteBuffer jpeg();

    /**
     * The frame as JPEG at the given quality; read-only. A JPEG frame from the camera is returned as it
     * is whatever the quality asked.
     *
     * @param quality 1 to 100
     * @throws CameraException INVALID_ARGUMENT if quality is out of range
     */
    ByteBuffer jpeg(int quality);

    /** Releases this handle. Idempotent. */
    @Override
    void close();
}
