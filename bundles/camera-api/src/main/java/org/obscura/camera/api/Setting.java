package org.obscura.camera.api;

import java.util.List;
import java.util.Objects;

/**
 * One camera setting or control in the generic model shared by every driver: V4L2 controls (brightness,
 * exposure, ...) and gphoto2 configuration (iso, shutterspeed, ...) alike.
 *
 * @param name     stable key used to read and write it, e.g. {@code "brightness"}, {@code "iso"}
 * @param label    human label
 * @param type     kind of value
 * @param value    current value: String for TEXT/MENU, Long for INTEGER, Double for RANGE, Boolean for BOOLEAN,
 *                 {@code null} for BUTTON
 * @param options  allowed values for MENU (as shown and as written), empty otherwise
 * @param min      minimum for INTEGER/RANGE, else {@code null}
 * @param max      maximum for INTEGER/RANGE, else {@code null}
 * @param step     step for INTEGER/RANGE, else {@code null}
 * @param readOnly whether it can be written
 * @param group    section it belongs to ("user", "camera", "imgsettings", ...), or {@code null}
 */
public record Setting(String name, String label, SettingType type, Object value, List<String> options, Number min,
        Number max, Number step, boolean readOnly, String group) {
    public Setting {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        label = label == null ? name : label;
        options = options == null ? List.of() : List.copyOf(options);
    }

    /** This setting with another current value. */
    public Setting withValue(Object newValue) {
        return new Setting(name, label, type, newValue, options, min, max, step, readOnly, group);
    }
}
