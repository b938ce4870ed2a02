package org.obscura.camera.spi.support;

import java.util.Map;
import java.util.Set;

import org.obscura.camera.api.CameraConfig;
import org.obscura.camera.api.CameraDescriptor;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.Capability;
import org.obscura.camera.api.Mode;

/**
 * The configuration properties every camera has, whatever its driver ({@link CameraConfig#NAME},
 * {@link CameraConfig#LABEL}, {@link CameraConfig#STEREO}, {@link CameraConfig#STEREO_ORDER},
 * {@link CameraConfig#INTERRUPT_SERVICE}, {@link CameraConfig#ENABLED}), read from a component's properties
 * map and validated.
 *
 * <p>Metatype annotations cannot be inherited, so a driver's configuration interface still declares these six
 * attributes; the texts below are constants so that every driver shows the same form:
 *
 * <pre>{@code
 * @AttributeDefinition(name = CameraConfigs.NAME_LABEL, description = CameraConfigs.NAME_DESCRIPTION)
 * String name();
 * }</pre>
 */
public final class CameraConfigs {
    private CameraConfigs() {
    }

    public static final String NAME_LABEL = "Name";
    public static final String NAME_DESCRIPTION = "Unique camera name, used in URLs and file names: lower-case "
            + "letters, digits, '_' and '-', starting with a letter or digit.";
    public static final String LABEL_LABEL = "Label";
    public static final String LABEL_DESCRIPTION = "Name shown to people; the name when empty.";
    public static final String STEREO_LABEL = "Stereo";
    public static final String STEREO_DESCRIPTION = "Take part in stereo captures.";
    public static final String STEREO_ORDER_LABEL = "Stereo order";
    public static final String STEREO_ORDER_DESCRIPTION = "Position among the stereo cameras, lower first.";
    public static final String INTERRUPT_SERVICE_LABEL = "Interrupt service";
    public static final String INTERRUPT_SERVICE_DESCRIPTION = "A systemd service to stop before an exclusive "
            + "capture and restart after it; none when empty.";
    public static final String ENABLED_LABEL = "Enabled";
    public static final String ENABLED_DESCRIPTION = "A disabled camera keeps its configuration but does not run.";

    /**
     * The common properties of one camera.
     *
     * @param name             valid camera name
     * @param label            label, the name when none was configured
     * @param stereo           takes part in stereo captures
     * @param stereoOrder      position among the stereo cameras
     * @param interruptService systemd service to interrupt, or {@code null}
     * @param enabled          whether the camera should run (and be registered)
     */
    public record Common(String name, String label, boolean stereo, int stereoOrder, String interruptService,
            boolean enabled) {

        /** A descriptor of this camera with the driver's own facts. */
        public CameraDescriptor descriptor(String driver, String device, Mode mode, Set<Capability> capabilities,
                Map<String, Object> properties) {
            return new CameraDescriptor(name, label, driver, device, mode, capabilities, stereo, stereoOrder,
                    interruptService, properties);
        }
    }

    /**
     * Reads the common properties from a component's (or configuration's) properties. Values may be typed
     * (Boolean, Integer) or text, as FileInstall and forms deliver them.
     *
     * @throws CameraException INVALID_ARGUMENT naming the field when the name is missing or malformed, or a
     *                         boolean or integer property cannot be read
     */
    public static Common read(Map<String, ?> properties) {
        Map<String, ?> p = properties == null ? Map.of() : properties;
        String name = text(p, CameraConfig.NAME);
        if (name == null) {
            throw CameraException.invalid(CameraConfig.NAME, "a camera needs a name");
        }
        if (!CameraConfig.isValidName(name)) {
            throw CameraException.invalid(CameraConfig.NAME, "camera name '" + name + "' is not allowed: use 1 to 63 "
                    + "lower-case letters, digits, '_' and '-', starting with a letter or digit");
        }
        String label = text(p, CameraConfig.LABEL);
        return new Common(name, label == null ? name : label, bool(p, CameraConfig.STEREO, false),
                integer(p, CameraConfig.STEREO_ORDER, 0), text(p, CameraConfig.INTERRUPT_SERVICE),
                bool(p, CameraConfig.ENABLED, true));
    }

    /** A property as stripped text, or {@code null} when absent or blank. */
    public static String text(Map<String, ?> properties, String key) {
        Object value = properties.get(key);
        if (value instanceof String[] array) {
            value = array.length == 0 ? null : array[0];
        }
        if (value == null) {
            return null;
        }
        String t = value.toString().strip();
        return t.isEmpty() ? null : t;
    }

    /**
     * A boolean property: a Boolean, or the text {@code true}/{@code false} in any case.
     *
     * @throws CameraException INVALID_ARGUMENT naming {@code key} for anything else
     */
    public static boolean bool(Map<String, ?> properties, String key, boolean defaultValue) {
        Object value = properties.get(key);
        if (value instanceof Boolean b) {
            return b;
        }
        String t = text(properties, key);
        if (t == null) {
            return defaultValue;
        }
        if (t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(t);
        }
        throw CameraException.invalid(key, key + " must be true or false, not '" + t + "'");
    }

    /**
     * A whole-number property: an integral Number, or its text.
     *
     * @throws CameraException INVALID_ARGUMENT naming {@code key} for anything else
     */
    public static int integer(Map<String, ?> properties, String key, int defaultValue) {
        Object value = properties.get(key);
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            long l = ((Number) value).longValue();
            if (l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
                return (int) l;
            }
        }
        String t = text(properties, key);
        if (t == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(t);
        } catch (NumberFormatException e) {
            throw CameraException.invalid(key, key + " must be a whole number, not '" + t + "'");
        }
    }
}
