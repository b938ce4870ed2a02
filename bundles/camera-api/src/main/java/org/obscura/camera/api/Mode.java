package org.obscura.camera.api;

import java.util.Objects;

/**
 * A camera's capture mode: pixel format, size and frame rate.
 *
 * @param format pixel format delivered by the device
 * @param width  width in pixels
 * @param height height in pixels
 * @param fps    frames per second (0 when unknown or not applicable, e.g. stills-only cameras)
 */
public record Mode(PixelFormat format, int width, int height, double fps) {
    public Mode {
        Objects.requireNonNull(format, "format");
    }

    /** {@code "1280x720"}. */
    public String resolution() {
        return width + "x" + height;
    }
}
