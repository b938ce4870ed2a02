package org.obscura.sequencer.internal;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.obscura.camera.api.CameraException;

/** Names of image sets and of the files in them: the only names the sequencer creates or accepts. */
final class SetNames {
    private SetNames() {
    }

    /** Folder holding every set, relative to the data dir. */
    static final String SETS = "sets";
    /** Prefix of a set that was given none (the name seed clients know). */
    static final String DEFAULT_PREFIX = "photometric_set";
    static final String MANIFEST = "manifest.json";

    static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    static final Pattern SET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,127}");
    /** Light and camera names as parts of file names. */
    static final Pattern PART = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    /** Files inside a set: no leading dot (temporary files are hidden), no separators, no "..". */
    static final Pattern FILE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*(?:\\.[A-Za-z0-9_-]+)*");
    private static final Pattern STAMPED = Pattern.compile(".*_(\\d{8}-\\d{6})");
    static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    /** {@code <prefix>_<yyyyMMdd-HHmmss>} in the given zone. */
    static String setName(String prefix, Instant started, ZoneId zone) {
        return prefix + "_" + STAMP.format(LocalDateTime.ofInstant(started, zone));
    }

    /** {@code image_NN_<light>.jpg}, with {@code _<camera>} before the extension when several cameras capture. */
    static String imageName(int step, String light, String camera) {
        return String.format("image_%02d_%s%s.jpg", step, light, camera == null ? "" : "_" + camera);
    }

    /** The time in a set's name, or {@code null} when it has none. */
    static Instant stampOf(String set, ZoneId zone) {
        Matcher m = STAMPED.matcher(set);
        if (!m.matches()) {
            return null;
        }
        try {
            return LocalDateTime.parse(m.group(1), STAMP).atZone(zone).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static String checkSet(String set) {
        if (set == null || !SET.matcher(set).matches()) {
            throw CameraException.invalid("set", "image set name must be a folder name of letters, digits, '_' or "
                    + "'-' (at most 128), got '" + set + "'");
        }
        return set;
    }

    static String mimeType(String file) {
        String lower = file.toLowerCase(java.util.Locale.ROOT);
        if (lower.endsWith(".jpg") || lower.endsWith(".jpeg")) {
            return "image/jpeg";
        }
        if (lower.endsWith(".png")) {
            return "image/png";
        }
        if (lower.endsWith(".json")) {
            return "application/json";
        }
        return "application/octet-stream";
    }

    static boolean isImage(String file) {
        return mimeType(file).startsWith("image/");
    }
}
