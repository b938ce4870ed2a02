package org.obscura.lights.gpio.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.obscura.camera.api.CameraException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configured lights and their states, driving pins when there are pins, else keeping the states only
 * (virtual lights, so that interfaces and sequences work the same without GPIO hardware).
 *
 * <p>Safety rule: a light is never left on after a failure. When a pin cannot be written, every light is
 * switched off (best effort) before the failure is reported. Thread-safe: every method holds the bank's
 * lock, so a switch and an {@link #allOff()} never interleave.
 */
final class LightBank {

    private static final Logger LOG = LoggerFactory.getLogger(LightBank.class);

    private final List<LightDefinition> lights;
    private final Map<String, LightDefinition> byName = new LinkedHashMap<>();
    private final Map<String, GpioPins.Pin> pins = new LinkedHashMap<>();
    private final Map<String, Boolean> states = new LinkedHashMap<>();
    private final GpioPins gpio;

    /**
     * Opens every light's pin at its "off" level.
     *
     * @param gpio the pins, or {@code null} for virtual lights
     * @throws RuntimeException when a pin cannot be opened (the pins already opened are closed)
     */
    LightBank(List<LightDefinition> lights, GpioPins gpio) {
        this.lights = List.copyOf(lights);
        this.gpio = gpio;
        for (LightDefinition light : this.lights) {
            byName.put(light.name(), light);
            states.put(light.name(), false);
        }
        if (gpio != null) {
            try {
                for (LightDefinition light : this.lights) {
                    pins.put(light.name(), gpio.open(light.pin(), light.name(), light.level(false)));
                }
            } catch (RuntimeException e) {
                gpio.close();
                throw e;
            }
        }
    }

    boolean hardware() {
        return gpio != null;
    }

    synchronized Map<String, Boolean> states() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(states));
    }

    synchronized void set(String light, boolean on) {
        LightDefinition definition = light == null ? null : byName.get(light);
        if (definition == null) {
            throw new CameraException(CameraException.Kind.NOT_FOUND, "unknown light '" + light + "'; configured: "
                    + byName.keySet(), "light", null);
        }
        GpioPins.Pin pin = pins.get(light);
        if (pin != null) {
            try {
                pin.write(definition.level(on));
            } catch (RuntimeException e) {
                LOG.error("GPIO error switching light '{}' (BCM {}) {}: {}", light, definition.pin(), on ? "on" : "off",
                        e.toString());
                allOff();
                throw new CameraException(CameraException.Kind.IO, "GPIO error switching light '" + light + "' "
                        + (on ? "on" : "off") + "; all lights were switched off", e);
            }
        }
        states.put(light, on);
    }

    /** Switches every light off, trying each one even when others fail. Never throws. */
    synchronized void allOff() {
        for (LightDefinition light : lights) {
            GpioPins.Pin pin = pins.get(light.name());
            try {
                if (pin != null) {
                    pin.write(light.level(false));
                }
                states.put(light.name(), false);
            } catch (RuntimeException e) {
                // The state stays as it was: a light that may still be on must not be reported off.
                LOG.error("could not switch light '{}' (BCM {}) off: {}", light.name(), light.pin(), e.toString());
            }
        }
    }

    /** Switches everything off and releases the pins. */
    synchronized void close() {
        allOff();
        if (gpio != null) {
            gpio.close();
        }
        pins.clear();
    }
}
