package org.obscura.camera.api;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A still taken from a camera, in memory, not yet stored.
 *
 * @param camera         camera name
 * @param jpeg           the JPEG file content (not shared; the holder may keep it)
 * @param width          width in pixels
 * @param height         height in pixels
 * @param timestamp      capture wall-clock time
 * @param monotonicNanos capture time on {@link System#nanoTime()}'s clock
 * @param metadata       what goes into the sidecar: camera, mode, settings, metadata providers' samples
 */
public record CapturedImage(String camera, byte[] jpeg, int width, int height, Instant timestamp,
        long monotonicNanos, Map<String, Object> metadata) {
    public CapturedImage {
        Objects.requireNonNull(camera, "camera");
        Objects.requireNonNull(jpeg, "jpeg");
        Objects.requireNonNull(timestamp, "timestamp");
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }
}
