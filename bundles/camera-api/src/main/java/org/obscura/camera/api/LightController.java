package org.obscura.camera.api;

import java.util.Map;

/**
 * Named lights (GPIO pins, relays, DMX channels, ...). Implemented by a lights bundle; used by the
 * interfaces and by photometric sequences. Implementations keep every light off when they start and stop.
 * Thread-safe; {@link #set} returns once the light has switched.
 */
@org.osgi.annotation.versioning.ConsumerType
public interface LightController {

    /** Every light by name, with whether it is on; in configuration order. */
    Map<String, Boolean> states();

    /** Whether real hardware drives the lights; {@code false} when they are only kept as virtual states. */
    boolean hardwareAvailable();

    /**
     * Switches one light.
     *
     * @throws CameraException NOT_FOUND for an unknown light, IO when the hardware refuses
     */
    void set(String light, boolean on);

    /** Switches every light off; never throws (logs failures). */
    void allOff();
}
