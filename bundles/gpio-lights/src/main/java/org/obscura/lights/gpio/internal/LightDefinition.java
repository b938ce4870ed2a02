package org.obscura.lights.gpio.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.obscura.camera.api.CameraException;

/**
 * One configured light: its name, the BCM number of its GPIO pin, and whether the pin is driven high
 * (active high) or low (active low, as on most relay boards) to switch it on.
 */
record LightDefinition(String name, int pin, boolean activeHigh) {

    /** Highest BCM GPIO number of any Raspberry Pi header (the 40-pin header uses 0-27). */
    static final int MAX_PIN = 53;
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    /** {@code name=pin}, optionally {@code :high} or {@code :low}. */
    private static final Pattern ENTRY = Pattern.compile("\\s*([^=\\s]+)\\s*=\\s*(\\d{1,3})\\s*(?::\\s*(high|low)\\s*)?",
            Pattern.CASE_INSENSITIVE);

    /**
     * Parses the {@code lights} configuration property: one entry per light, in order.
     *
     * @throws CameraException INVALID_ARGUMENT naming field {@code lights} for a malformed entry, a bad name,
     *                         a pin out of range, or a name or pin used twice
     */
    static List<LightDefinition> parse(String[] entries) {
        List<LightDefinition> lights = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        Map<Integer, String> pins = new HashMap<>();
        for (String entry : entries == null ? new String[0] : entries) {
            if (entry == null || entry.isBlank()) {
                continue;
            }
            Matcher m = ENTRY.matcher(entry);
            if (!m.matches()) {
                throw CameraException.invalid("lights", "light entry '" + entry + "' is not 'name=pin', "
                        + "'name=pin:high' or 'name=pin:low' (pin = BCM GPIO number)");
            }
            String name = m.group(1);
            if (!NAME.matcher(name).matches()) {
                throw CameraException.invalid("lights", "light name '" + name + "' must be 1-64 letters, digits, "
                        + "'_' or '-', starting with a letter or digit");
            }
            int pin = Integer.parseInt(m.group(2));
            if (pin > MAX_PIN) {
                throw CameraException.invalid("lights", "light '" + name + "': BCM pin " + pin + " is out of range 0-"
                        + MAX_PIN);
            }
            String key = name.toLowerCase(java.util.Locale.ROOT);
            if (names.putIfAbsent(key, name) != null) {
                throw CameraException.invalid("lights", "light name '" + name + "' is used twice");
            }
            String other = pins.putIfAbsent(pin, name);
            if (other != null) {
                throw CameraException.invalid("lights", "lights '" + other + "' and '" + name + "' both use BCM pin "
                        + pin);
            }
            boolean activeHigh = m.group(3) == null || m.group(3).equalsIgnoreCase("high");
            lights.add(new LightDefinition(name, pin, activeHigh));
        }
        return List.copyOf(lights);
    }

    /** The pin level that switches this light on or off. */
    boolean level(boolean on) {
        return on == activeHigh;
    }
}
