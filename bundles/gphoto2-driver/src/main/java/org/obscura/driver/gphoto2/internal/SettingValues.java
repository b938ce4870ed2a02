package org.obscura.driver.gphoto2.internal;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.Setting;

/**
 * Checks a value a client wants to write against a setting as last read from the camera, and converts it to
 * what the libgphoto2 widget takes, so that bad input is refused before it reaches the camera.
 */
final class SettingValues {

    private static final int OPTIONS_SHOWN = 24;

    private SettingValues() {
    }

    /**
     * @param setting the setting as last read (type, options, range, read-only)
     * @param widget  its widget type
     * @param value   the client's value: of the setting's type, or a String to be parsed
     * @return String for TEXT/RADIO/MENU, Float for RANGE, Integer 0/1 for TOGGLE, Long epoch seconds for DATE,
     *         {@code null} for BUTTON
     * @throws CameraException INVALID_ARGUMENT naming the setting and what is allowed
     */
    static Object parse(Setting setting, WidgetType widget, Object value) {
        String name = setting.name();
        if (setting.readOnly()) {
            throw CameraException.invalid(name, "setting '" + name + "' is read-only");
        }
        if (widget == WidgetType.BUTTON) {
            return null;
        }
        if (value == null) {
            throw CameraException.invalid(name, "setting '" + name + "' needs a value");
        }
        return switch (widget) {
        case TEXT -> text(value);
        case RADIO, MENU -> choice(setting, value);
        case RANGE -> range(setting, value);
        case TOGGLE -> toggle(name, value);
        case DATE -> date(name, value);
        case BUTTON -> null;
        };
    }

    /** How a DATE widget's value shows in the settings model. */
    static String formatDate(long epochSeconds) {
        return Instant.ofEpochSecond(epochSeconds).toString();
    }

    private static String text(Object value) {
        return value instanceof Number n ? number(n) : value.toString();
    }

    private static String choice(Setting setting, Object value) {
        String wanted = text(value).strip();
        List<String> options = setting.options();
        for (String o : options) {
            if (o.equals(wanted)) {
                return o;
            }
        }
        for (String o : options) {
            if (o.strip().equalsIgnoreCase(wanted)) {
                return o;
            }
        }
        StringBuilder allowed = new StringBuilder();
        for (int i = 0; i < Math.min(options.size(), OPTIONS_SHOWN); i++) {
            allowed.append(i == 0 ? "" : ", ").append(options.get(i));
        }
        if (options.size() > OPTIONS_SHOWN) {
            allowed.append(", ... (").append(options.size()).append(" in all)");
        }
        throw CameraException.invalid(setting.name(), "setting '" + setting.name() + "': '" + wanted
                + "' is not one of its options: " + (options.isEmpty() ? "(none)" : allowed));
    }

    private static Float range(Setting setting, Object value) {
        String name = setting.name();
        double v;
        if (value instanceof Number n) {
            v = n.doubleValue();
        } else {
            try {
                v = Double.parseDouble(value.toString().strip());
            } catch (NumberFormatException e) {
                throw CameraException.invalid(name, "setting '" + name + "': '" + value + "' is not a number");
            }
        }
        double min = setting.min() == null ? Double.NEGATIVE_INFINITY : setting.min().doubleValue();
        double max = setting.max() == null ? Double.POSITIVE_INFINITY : setting.max().doubleValue();
        double step = setting.step() == null ? 0 : setting.step().doubleValue();
        String allowed = number(setting.min()) + " to " + number(setting.max())
                + (step > 0 ? " in steps of " + number(setting.step()) : "");
        if (!Double.isFinite(v) || v < min - 1e-6 || v > max + 1e-6) {
            throw CameraException.invalid(name, "setting '" + name + "': " + text(value) + " is outside " + allowed);
        }
        if (step > 0 && Double.isFinite(min)) {
            double steps = (v - min) / step;
            if (Math.abs(steps - Math.rint(steps)) > 1e-3) {
                throw CameraException.invalid(name, "setting '" + name + "': " + text(value) + " is not on the "
                        + "steps of " + allowed);
            }
        }
        return (float) v;
    }

    private static Integer toggle(String name, Object value) {
        if (value instanceof Boolean b) {
            return b ? 1 : 0;
        }
        String s = text(value).strip().toLowerCase(Locale.ROOT);
        return switch (s) {
        case "true", "on", "1", "yes" -> 1;
        case "false", "off", "0", "no" -> 0;
        default -> throw CameraException.invalid(name, "setting '" + name + "': '" + value
                + "' is not on/off (use true or false)");
        };
    }

    private static Long date(String name, Object value) {
        if (value instanceof Number n && !(value instanceof Double || value instanceof Float)) {
            return n.longValue();
        }
        String s = value.toString().strip();
        if (s.equalsIgnoreCase("now")) {
            return Instant.now().getEpochSecond();
        }
        if (s.matches("-?\\d{1,12}")) {
            return Long.parseLong(s);
        }
        try {
            return OffsetDateTime.parse(s).toEpochSecond();
        } catch (DateTimeException e) {
            // try the forms without an offset below
        }
        try {
            return LocalDateTime.parse(s).toEpochSecond(ZoneOffset.UTC);
        } catch (DateTimeException e) {
            throw CameraException.invalid(name, "setting '" + name + "': '" + s + "' is not a date: use an ISO-8601 "
                    + "date and time such as 2025-01-02T03:04:05Z, seconds since 1970, or 'now'");
        }
    }

    /** A number without a needless ".0", so that 400 and 400.0 both match the option "400". */
    private static String number(Number n) {
        if (n == null) {
            return "?";
        }
        double d = n.doubleValue();
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return n instanceof Float f ? Float.toString(f) : Double.toString(d);
    }
}
