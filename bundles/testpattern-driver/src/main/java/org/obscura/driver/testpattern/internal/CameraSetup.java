package org.obscura.driver.testpattern.internal;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import org.obscura.camera.api.CameraConfig;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.PixelFormat;

/**
 * A test-pattern camera's configuration, checked: every instance is valid. Built from the component's
 * typed {@link TestPatternCamera.Config} or from a raw property map about to be written
 * ({@link TestPatternDriver#validate}), so both paths share one set of rules and one set of defaults (the
 * metatype defaults in {@code Config} refer to the constants here).
 *
 * <p>Only syntax is checked here; whether a {@link #folder()} exists and holds JPEGs is a question of the
 * moment, asked by {@code validate} before a configuration is written and by the camera when it starts.
 *
 * @param folder the folder of JPEGs to loop, absolute and normalised, or {@code null} to draw a pattern
 */
record CameraSetup(String name, String label, boolean stereo, int stereoOrder, String interruptService,
        boolean enabled, int width, int height, double fps, PixelFormat format, Pattern pattern, Path folder,
        int jpegQuality) {

    static final String DEVICE = "device";
    static final String WIDTH = "width";
    static final String HEIGHT = "height";
    static final String FPS = "fps";
    static final String FORMAT = "format";
    static final String PATTERN = "pattern";
    static final String FOLDER = "folder";
    static final String JPEG_QUALITY = "jpeg.quality";

    /** {@code device} value of the synthetic pattern. */
    static final String PATTERN_DEVICE = "pattern";
    /** Prefix of a {@code device} value naming a folder of JPEGs. */
    static final String FOLDER_DEVICE_PREFIX = "folder:";

    static final int DEFAULT_WIDTH = 640;
    static final int DEFAULT_HEIGHT = 480;
    static final double DEFAULT_FPS = 15;
    static final String DEFAULT_FORMAT = "YUYV";
    static final String DEFAULT_PATTERN = "bars";
    static final int DEFAULT_JPEG_QUALITY = 85;

    static final int MIN_SIZE = 16;
    static final int MAX_WIDTH = 3840;
    static final int MAX_HEIGHT = 2160;
    static final double MIN_FPS = 0.1;
    static final double MAX_FPS = 120;

    CameraSetup {
        if (!CameraConfig.isValidName(name)) {
            throw CameraException.invalid(CameraConfig.NAME, name == null || name.isBlank()
                    ? "name is required: 1 to 63 lower-case letters, digits, '_' or '-', starting with a letter or digit"
                    : "name '" + name + "' is not allowed: use 1 to 63 lower-case letters, digits, '_' or '-', "
                            + "starting with a letter or digit");
        }
        label = label == null || label.isBlank() ? name : label.strip();
        interruptService = interruptService == null || interruptService.isBlank() ? null : interruptService.strip();
        if (width < MIN_SIZE || width > MAX_WIDTH) {
            throw CameraException.invalid(WIDTH, "width " + width + " is out of range: " + MIN_SIZE + " to " + MAX_WIDTH);
        }
        if (height < MIN_SIZE || height > MAX_HEIGHT) {
            throw CameraException.invalid(HEIGHT,
                    "height " + height + " is out of range: " + MIN_SIZE + " to " + MAX_HEIGHT);
        }
        if (!(fps >= MIN_FPS && fps <= MAX_FPS)) {
            throw CameraException.invalid(FPS, "fps " + fps + " is out of range: " + MIN_FPS + " to " + MAX_FPS);
        }
        if (format != PixelFormat.YUYV && format != PixelFormat.JPEG) {
            throw CameraException.invalid(FORMAT, "format " + format + " is not offered: YUYV or JPEG");
        }
        if (format == PixelFormat.YUYV && width % 2 != 0 && folder == null) {
            throw CameraException.invalid(WIDTH,
                    "width " + width + " must be even for YUYV (two pixels share their colour); or use JPEG");
        }
        if (jpegQuality < 1 || jpegQuality > 100) {
            throw CameraException.invalid(JPEG_QUALITY, "jpeg.quality " + jpegQuality + " is out of range: 1 to 100");
        }
        Objects.requireNonNull(pattern, "pattern");
        folder = folder == null ? null : folder.toAbsolutePath().normalize();
        if (folder != null) {
            format = PixelFormat.JPEG;
        }
    }

    /** A camera of the defaults with the given name: what the built-in camera runs. */
    static CameraSetup defaults(String name, String label) {
        return new CameraSetup(name, label, false, 0, null, true, DEFAULT_WIDTH, DEFAULT_HEIGHT, DEFAULT_FPS,
                PixelFormat.YUYV, Pattern.BARS, null, DEFAULT_JPEG_QUALITY);
    }

    /** From the component's configuration, with its metatype defaults already applied by DS. */
    static CameraSetup from(TestPatternCamera.Config c) {
        return new CameraSetup(c.name(), c.label(), c.stereo(), c.stereo_order(), c.interrupt_service(), c.enabled(),
                c.width(), c.height(), c.fps(), format(c.format()), pattern(c.pattern()), folder(c.device(), c.folder()),
                c.jpeg_quality());
    }

    /**
     * From raw configuration properties as a client sends them: numbers may come as any {@link Number} or as
     * text, booleans as {@link Boolean} or text; missing properties take their defaults.
     *
     * @throws CameraException INVALID_ARGUMENT naming the first field at fault and what is allowed
     */
    static CameraSetup parse(Map<String, ?> p) {
        return new CameraSetup(text(p, CameraConfig.NAME, null), text(p, CameraConfig.LABEL, null),
                bool(p, CameraConfig.STEREO, false), integer(p, CameraConfig.STEREO_ORDER, 0),
                text(p, CameraConfig.INTERRUPT_SERVICE, null), bool(p, CameraConfig.ENABLED, true),
                integer(p, WIDTH, DEFAULT_WIDTH), integer(p, HEIGHT, DEFAULT_HEIGHT), decimal(p, FPS, DEFAULT_FPS),
                format(text(p, FORMAT, DEFAULT_FORMAT)), pattern(text(p, PATTERN, DEFAULT_PATTERN)),
                folder(text(p, DEVICE, PATTERN_DEVICE), text(p, FOLDER, null)),
                integer(p, JPEG_QUALITY, DEFAULT_JPEG_QUALITY));
    }

    /** What the camera's {@code device} is in discovery's terms: {@code pattern} or {@code folder:<path>}. */
    String device() {
        return folder == null ? PATTERN_DEVICE : FOLDER_DEVICE_PREFIX + folder;
    }

    static PixelFormat format(String text) {
        String t = text == null ? "" : text.strip().toUpperCase(Locale.ROOT);
        if (t.equals("YUYV")) {
            return PixelFormat.YUYV;
        }
        if (t.equals("JPEG") || t.equals("MJPG") || t.equals("MJPEG")) {
            return PixelFormat.JPEG;
        }
        throw CameraException.invalid(FORMAT, "format '" + text + "' is not offered: YUYV or JPEG");
    }

    static Pattern pattern(String text) {
        return Pattern.parse(text).orElseThrow(() -> CameraException.invalid(PATTERN,
                "pattern '" + text + "' is unknown: one of " + Pattern.ids()));
    }

    /**
     * The folder a camera loops: {@code folder} when set, else the path in a {@code device} of the form
     * {@code folder:<path>}; {@code null} for the pattern.
     */
    static Path folder(String device, String folder) {
        String path;
        String field;
        if (folder != null && !folder.isBlank()) {
            path = folder.strip();
            field = FOLDER;
        } else if (device == null || device.isBlank() || device.strip().equals(PATTERN_DEVICE)) {
            return null;
        } else if (device.strip().startsWith(FOLDER_DEVICE_PREFIX)
                && !device.strip().substring(FOLDER_DEVICE_PREFIX.length()).isBlank()) {
            path = device.strip().substring(FOLDER_DEVICE_PREFIX.length()).strip();
            field = DEVICE;
        } else {
            throw CameraException.invalid(DEVICE,
                    "device '" + device + "' is unknown: 'pattern' or 'folder:<path of a folder of JPEG files>'");
        }
        try {
            return Path.of(path);
        } catch (InvalidPathException e) {
            throw CameraException.invalid(field, "'" + path + "' is not a valid path: " + e.getReason());
        }
    }

    private static String text(Map<String, ?> p, String key, String fallback) {
        Object v = p.get(key);
        return v == null ? fallback : v.toString();
    }

    private static boolean bool(Map<String, ?> p, String key, boolean fallback) {
        Object v = p.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        String t = v.toString().strip();
        if (t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(t);
        }
        throw CameraException.invalid(key, key + " must be true or false, not '" + v + "'");
    }

    private static int integer(Map<String, ?> p, String key, int fallback) {
        Object v = p.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            double d = v instanceof Number n ? n.doubleValue() : Double.parseDouble(v.toString().strip());
            if (d == Math.rint(d) && Math.abs(d) <= Integer.MAX_VALUE) {
                return (int) d;
            }
        } catch (NumberFormatException e) {
            // reported below with what is allowed
        }
        throw CameraException.invalid(key, key + " must be a whole number, not '" + v + "'");
    }

    private static double decimal(Map<String, ?> p, String key, double fallback) {
        Object v = p.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            double d = v instanceof Number n ? n.doubleValue() : Double.parseDouble(v.toString().strip());
            if (Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below with what is allowed
        }
        throw CameraException.invalid(key, key + " must be a number, not '" + v + "'");
    }
}
