package org.obscura.camera.api;

import java.time.Instant;
import java.util.Objects;

/**
 * A still that was taken and stored.
 *
 * @param stored         where it was stored
 * @param width          width in pixels
 * @param height         height in pixels
 * @param timestamp      capture wall-clock time
 * @param monotonicNanos capture time on {@link System#nanoTime()}'s clock (for skew between cameras)
 */
public record CaptureResult(StoredCapture stored, int width, int height, Instant timestamp, long monotonicNanos) {
    public CaptureResult {
        Objects.requireNonNull(stored, "stored");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    public String camera() {
        return stored.camera();
    }
}
