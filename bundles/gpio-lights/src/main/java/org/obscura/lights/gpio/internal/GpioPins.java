package org.obscura.lights.gpio.internal;

/**
 * Digital output pins of one GPIO back end (a Pi4J provider in production, Pi4J's mock in tests).
 * Not thread-safe: {@link LightBank} serialises every call.
 */
interface GpioPins extends AutoCloseable {

    /** One output pin, opened at the given level. */
    interface Pin {
        /** Drives the pin high or low; returns once the level is written. */
        void write(boolean high);
    }

    /** What drives the pins, for logs and status, e.g. {@code "linuxfs-digital-output"}. */
    String description();

    /**
     * Opens a pin as an output, at {@code initialHigh}.
     *
     * @throws RuntimeException when the pin cannot be opened
     */
    Pin open(int bcm, String name, boolean initialHigh);

    /** Releases every pin. Never throws. */
    @Override
    void close();
}
