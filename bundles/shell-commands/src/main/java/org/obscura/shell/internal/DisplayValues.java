package org.obscura.shell.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import org.obscura.camera.api.Mode;
import org.obscura.camera.api.Setting;
import org.obscura.camera.api.SettingType;

/**
 * How values look in the shell: short, locale-independent (a '.' decimal point whatever the server's
 * locale), and the same on every call so that output can be compared. Times are shown in the shell's zone.
 */
final class DisplayValues {

    private final DateTimeFormatter time;

    DisplayValues(ZoneId zone) {
        this.time = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(zone);
    }

    String time(Instant instant) {
        return instant == null ? "-" : time.format(instant);
    }

    /** {@code 30}, {@code 7.5}, {@code 29.9}: at most one decimal, none when it is whole. */
    static String decimal(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "-";
        }
        double rounded = Math.round(value * 10) / 10.0;
        return BigDecimal.valueOf(rounded).stripTrailingZeros().toPlainString();
    }

    /** {@code YUYV 1280x720 @ 30 fps}, or without the rate when the mode has none. */
    static String mode(Mode mode) {
        if (mode == null) {
            return "-";
        }
        String text = mode.format().fourcc() + " " + mode.resolution();
        return mode.fps() > 0 ? text + " @ " + decimal(mode.fps()) + " fps" : text;
    }

    /** {@code 812 B}, {@code 145.2 KB}, {@code 3.1 MB} (1 KB = 1024 bytes). */
    static String bytes(long size) {
        if (size < 1024) {
            return size + " B";
        }
        double kb = size / 1024.0;
        if (kb < 1024) {
            return decimal(kb) + " KB";
        }
        double mb = kb / 1024.0;
        if (mb < 1024) {
            return decimal(mb) + " MB";
        }
        return decimal(mb / 1024.0) + " GB";
    }

    /** {@code 1.234 ms}: skews are sub-millisecond to tens of milliseconds, microsecond precision is enough. */
    static String nanosAsMillis(long nanos) {
        return BigDecimal.valueOf(nanos).movePointLeft(6).setScale(3, RoundingMode.HALF_UP)
                .toPlainString() + " ms";
    }

    /** A setting's value as a user would type it back into {@code set}. */
    static String settingValue(Setting setting) {
        Object value = setting.value();
        if (value == null) {
            return setting.type() == SettingType.BUTTON ? "(button)" : "-";
        }
        if (value instanceof Double || value instanceof Float) {
            return BigDecimal.valueOf(((Number) value).doubleValue()).stripTrailingZeros().toPlainString();
        }
        return value.toString();
    }

    /** What may be written: options, a range with its step, or read-only. */
    static String settingAllowed(Setting setting) {
        if (setting.readOnly()) {
            return "read-only";
        }
        return switch (setting.type()) {
            case MENU -> String.join(" | ", setting.options());
            case BOOLEAN -> "true | false";
            case INTEGER, RANGE -> range(setting);
            case BUTTON -> "any value presses it";
            case TEXT -> "text";
        };
    }

    private static String range(Setting setting) {
        if (setting.min() == null && setting.max() == null) {
            return "";
        }
        String text = number(setting.min()) + ".." + number(setting.max());
        if (setting.step() != null && setting.step().doubleValue() != 1) {
            text += " step " + number(setting.step());
        }
        return text;
    }

    private static String number(Number n) {
        if (n == null) {
            return "?";
        }
        if (n instanceof Double || n instanceof Float) {
            return BigDecimal.valueOf(n.doubleValue()).stripTrailingZeros().toPlainString();
        }
        return n.toString();
    }
}
