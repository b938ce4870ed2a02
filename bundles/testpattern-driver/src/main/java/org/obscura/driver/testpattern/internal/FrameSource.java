package org.obscura.driver.testpattern.internal;

import java.time.Instant;

import org.obscura.camera.api.Frame;

/**
 * Makes the frames of one camera: drawn ({@link PatternSource}) or read from files ({@link FolderSource}).
 * The capture time is given by the caller, taken when the frame was due.
 */
interface FrameSource {

    /**
     * The next stream frame, or {@code null} to skip this tick (every pooled buffer is still held by
     * viewers). Called from one thread at a time; the caller pushes the frame and then releases it.
     *
     * @throws org.obscura.camera.api.CameraException when no frame can be made (folder gone, ...)
     */
    Frame next(long sequence, long monotonicNanos, Instant timestamp);

    /**
     * A full frame that owns its data, for {@code captureStill}; the caller releases it.
     *
     * @throws org.obscura.camera.api.CameraException when no frame can be made
     */
    Frame still(long sequence, long monotonicNanos, Instant timestamp);
}
