package org.obscura.camera.core.internal.hub;

import java.time.Duration;

/**
 * Tunables of every frame hub, read afresh for each decision so that a configuration change applies at once.
 *
 * @param linger           how long a device keeps streaming after its last viewer left
 * @param jpegQuality      quality of {@link org.obscura.camera.api.LiveFrame#jpeg()} for raw frames, 1 to 100
 * @param noSignal         whether viewers of an offline camera get "no signal" frames
 * @param noSignalInterval how often a "no signal" frame is published
 * @param retryInitial     delay before the first restart of a failed device
 * @param retryMax         the longest delay between restarts (the delay doubles up to it)
 */
public record HubSettings(Duration linger, int jpegQuality, boolean noSignal, Duration noSignalInterval,
        Duration retryInitial, Duration retryMax) {

    public static final HubSettings DEFAULTS = new HubSettings(Duration.ofSeconds(3), 80, true, Duration.ofSeconds(1),
            Duration.ofMillis(500), Duration.ofSeconds(10));

    public HubSettings {
        if (linger.isNegative()) {
            throw new IllegalArgumentException("linger must not be negative");
        }
        if (jpegQuality < 1 || jpegQuality > 100) {
            throw new IllegalArgumentException("jpeg quality must be between 1 and 100, got " + jpegQuality);
        }
        if (noSignalInterval.toMillis() < 10 || retryInitial.toMillis() < 1 || retryMax.compareTo(retryInitial) < 0) {
            throw new IllegalArgumentException("intervals out of range: no signal " + noSignalInterval + ", retry "
                    + retryInitial + " to " + retryMax);
        }
    }
}
