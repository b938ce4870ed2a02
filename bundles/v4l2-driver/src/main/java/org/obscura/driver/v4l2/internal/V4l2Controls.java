package org.obscura.driver.v4l2.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.Setting;
import org.obscura.camera.api.SettingType;

/**
 * V4L2 controls (brightness, contrast, exposure, focus, ...) in the generic settings model.
 *
 * <p>Controls are named by a stable key made from the driver's control name the way v4l2-ctl does
 * ("White Balance Temperature, Auto" is {@code white_balance_temperature_auto}), so that a key works across
 * cameras of the same kind. Integer, boolean, menu, integer-menu and button controls are listed; 64-bit,
 * string, bitmask and compound controls (codec parameters, regions) are not, since webcams do not use them for
 * anything a user sets. Disabled controls are left out; inactive ones (exposure while auto exposure is on)
 * are listed, as the driver accepts writes to them.
 */
final class V4l2Controls {
    private V4l2Controls() {
    }

    /**
     * One control as the device describes it.
     *
     * @param options     menu entries (names, or values for integer menus) in index order
     * @param optionIndex the control value of each entry (drivers may skip indices)
     */
    record Control(int id, int type, String key, String label, long min, long max, long step, long defaultValue,
            int flags, String group, List<String> options, List<Integer> optionIndex) {

        /** Read-only for good; a GRABBED control (locked while streaming) is writable and answers BUSY. */
        boolean readOnly() {
            return (flags & Videodev2.V4L2_CTRL_FLAG_READ_ONLY) != 0;
        }

        SettingType settingType() {
            return switch (type) {
                case Videodev2.V4L2_CTRL_TYPE_BOOLEAN -> SettingType.BOOLEAN;
                case Videodev2.V4L2_CTRL_TYPE_MENU, Videodev2.V4L2_CTRL_TYPE_INTEGER_MENU -> SettingType.MENU;
                case Videodev2.V4L2_CTRL_TYPE_BUTTON -> SettingType.BUTTON;
                default -> SettingType.INTEGER;
            };
        }
    }

    private static final Map<Integer, String> CLASS_GROUPS = Map.ofEntries(
            Map.entry(0x980000, "user"), Map.entry(0x990000, "codec"), Map.entry(0x9a0000, "camera"),
            Map.entry(0x9b0000, "fm_tx"), Map.entry(0x9c0000, "flash"), Map.entry(0x9d0000, "jpeg"),
            Map.entry(0x9e0000, "image_source"), Map.entry(0x9f0000, "image_processing"),
            Map.entry(0xa00000, "dv"), Map.entry(0xa10000, "fm_rx"), Map.entry(0xa20000, "rf_tuner"),
            Map.entry(0xa30000, "detect"), Map.entry(0xa40000, "codec_stateless"),
            Map.entry(0xa50000, "colorimetry"));

    /** Lists the node's usable controls in the driver's order. */
    static List<Control> list(V4l2Node node) {
        List<Control> controls = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        Map<Integer, String> classNames = new HashMap<>(CLASS_GROUPS);
        boolean extended = true;
        int id = 0;
        while (true) {
            Optional<Videodev2.QueryExtCtrl> next;
            if (extended) {
                try {
                    next = node.nextControl(id);
                } catch (ErrnoException e) {
                    if (e.errno() != LibC.ENOTTY) {
                        throw e;
                    }
                    extended = false;
                    next = node.nextControlLegacy(id);
                }
            } else {
                next = node.nextControlLegacy(id);
            }
            if (next.isEmpty()) {
                return controls;
            }
            Videodev2.QueryExtCtrl q = next.get();
            if (q.id == id) {
                return controls; // a driver that does not advance would loop forever
            }
            id = q.id;
            if (q.type == Videodev2.V4L2_CTRL_TYPE_CTRL_CLASS) {
                // Driver-private classes (vivid's 0xf00000) are named by their class control: "Vivid Controls".
                classNames.putIfAbsent(q.id & 0x0fff0000, key(Videodev2.string(q.name)).replaceAll("_controls$", ""));
                continue;
            }
            if ((q.flags & Videodev2.V4L2_CTRL_FLAG_DISABLED) != 0 || !supported(q.type)) {
                continue;
            }
            String label = Videodev2.string(q.name);
            String key = key(label);
            if (!keys.add(key)) {
                key = key + "_" + Integer.toHexString(q.id);
                keys.add(key);
            }
            List<String> options = new ArrayList<>();
            List<Integer> indices = new ArrayList<>();
            if (q.type == Videodev2.V4L2_CTRL_TYPE_MENU || q.type == Videodev2.V4L2_CTRL_TYPE_INTEGER_MENU) {
                for (long i = q.minimum; i <= q.maximum && i - q.minimum < 256; i++) {
                    Optional<Videodev2.QueryMenu> entry = node.menuEntry(q.id, (int) i);
                    if (entry.isPresent()) {
                        options.add(q.type == Videodev2.V4L2_CTRL_TYPE_MENU ? Videodev2.string(entry.get().name)
                                : Long.toString(entry.get().value()));
                        indices.add((int) i);
                    }
                }
            }
            String group = classNames.getOrDefault(q.id & 0x0fff0000, "class_" + Integer.toHexString(q.id & 0x0fff0000));
            controls.add(new Control(q.id, q.type, key, label, q.minimum, q.maximum, q.step, q.default_value, q.flags,
                    group, List.copyOf(options), List.copyOf(indices)));
        }
    }

    private static boolean supported(int type) {
        return type == Videodev2.V4L2_CTRL_TYPE_INTEGER || type == Videodev2.V4L2_CTRL_TYPE_BOOLEAN
                || type == Videodev2.V4L2_CTRL_TYPE_MENU || type == Videodev2.V4L2_CTRL_TYPE_INTEGER_MENU
                || type == Videodev2.V4L2_CTRL_TYPE_BUTTON;
    }

    /** v4l2-ctl's naming: lower case, runs of anything but letters and digits become one '_'. */
    static String key(String name) {
        String k = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
        k = k.replaceAll("^_+|_+$", "");
        return k.isEmpty() ? "control" : k;
    }

    /** The control as a setting, with its current value read from the device. */
    static Setting read(V4l2Node node, Control c) {
        Object value = null;
        boolean readable = c.type != Videodev2.V4L2_CTRL_TYPE_BUTTON
                && (c.flags & Videodev2.V4L2_CTRL_FLAG_WRITE_ONLY) == 0;
        if (readable) {
            value = fromRaw(c, node.getControl(c.id));
        }
        return setting(c, value);
    }

    static Setting setting(Control c, Object value) {
        boolean integer = c.settingType() == SettingType.INTEGER;
        return new Setting(c.key, c.label, c.settingType(), value, c.options, integer ? c.min : null,
                integer ? c.max : null, integer ? c.step : null, c.readOnly(), c.group);
    }

    /**
     * Writes a value (a value of the setting's type, or a string to parse) and returns the setting as read
     * back.
     *
     * @throws CameraException INVALID_ARGUMENT (named after the control's key) when the value is not allowed
     *                         or the control is read-only; BUSY when the driver refuses while streaming
     */
    static Setting write(V4l2Node node, Control c, Object value) {
        if (c.readOnly()) {
            throw CameraException.invalid(c.key, "setting '" + c.key + "' is read-only");
        }
        int raw = toRaw(c, value);
        try {
            node.setControl(c.id, raw);
        } catch (ErrnoException e) {
            if (e.errno() == LibC.EINVAL || e.errno() == 34 /* ERANGE */) {
                throw CameraException.invalid(c.key, "the device refused " + value + " for '" + c.key + "': " + e.getMessage());
            }
            if (e.errno() == LibC.EACCES) {
                throw CameraException.invalid(c.key, "setting '" + c.key + "' is read-only");
            }
            throw e.toCameraException("cannot set '" + c.key + "' on " + node.path());
        }
        if (c.type == Videodev2.V4L2_CTRL_TYPE_BUTTON || (c.flags & Videodev2.V4L2_CTRL_FLAG_WRITE_ONLY) != 0) {
            return setting(c, null);
        }
        return read(node, c);
    }

    private static Object fromRaw(Control c, int raw) {
        return switch (c.type) {
            case Videodev2.V4L2_CTRL_TYPE_BOOLEAN -> raw != 0;
            case Videodev2.V4L2_CTRL_TYPE_MENU, Videodev2.V4L2_CTRL_TYPE_INTEGER_MENU -> {
                int at = c.optionIndex.indexOf(raw);
                yield at >= 0 ? c.options.get(at) : Integer.toString(raw);
            }
            default -> (long) raw;
        };
    }

    /** Parses and checks a value against the control's type, range, step and menu. */
    static int toRaw(Control c, Object value) {
        switch (c.type) {
            case Videodev2.V4L2_CTRL_TYPE_BUTTON:
                return 1;
            case Videodev2.V4L2_CTRL_TYPE_BOOLEAN: {
                Boolean b = value instanceof Boolean x ? x : value instanceof Number n ? bool(n.longValue()) : parseBoolean(value);
                if (b == null) {
                    throw CameraException.invalid(c.key, "'" + c.key + "' is on or off; got '" + value + "' (allowed: true, false)");
                }
                return b ? 1 : 0;
            }
            case Videodev2.V4L2_CTRL_TYPE_MENU:
            case Videodev2.V4L2_CTRL_TYPE_INTEGER_MENU: {
                String text = value == null ? "" : value.toString().trim();
                for (int i = 0; i < c.options.size(); i++) {
                    if (c.options.get(i).equalsIgnoreCase(text)) {
                        return c.optionIndex.get(i);
                    }
                }
                if (c.type == Videodev2.V4L2_CTRL_TYPE_MENU && value instanceof Number n
                        && c.optionIndex.contains((int) n.longValue()) && n.longValue() == (int) n.longValue()) {
                    return (int) n.longValue();
                }
                throw CameraException.invalid(c.key, "'" + value + "' is not an option of '" + c.key + "'; allowed: "
                        + String.join(", ", c.options));
            }
            default: {
                long v = parseInteger(c, value);
                if (v < c.min || v > c.max) {
                    throw CameraException.invalid(c.key, "'" + c.key + "' must be between " + c.min + " and " + c.max
                            + "; got " + v);
                }
                if (c.step > 1 && (v - c.min) % c.step != 0) {
                    throw CameraException.invalid(c.key, "'" + c.key + "' goes from " + c.min + " to " + c.max
                            + " in steps of " + c.step + "; got " + v);
                }
                return (int) v;
            }
        }
    }

    private static long parseInteger(Control c, Object value) {
        if (value instanceof Number n) {
            double d = n.doubleValue();
            if (d != Math.rint(d)) {
                throw CameraException.invalid(c.key, "'" + c.key + "' takes whole numbers; got " + value);
            }
            return n.longValue();
        }
        String text = value == null ? "" : value.toString().trim();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw CameraException.invalid(c.key, "'" + c.key + "' takes a whole number from " + c.min + " to " + c.max
                    + "; got '" + text + "'");
        }
    }

    private static Boolean bool(long v) {
        return v == 0 ? Boolean.FALSE : v == 1 ? Boolean.TRUE : null;
    }

    private static Boolean parseBoolean(Object value) {
        String t = value == null ? "" : value.toString().trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "true", "1", "on", "yes" -> Boolean.TRUE;
            case "false", "0", "off", "no" -> Boolean.FALSE;
            default -> null;
        };
    }
}
