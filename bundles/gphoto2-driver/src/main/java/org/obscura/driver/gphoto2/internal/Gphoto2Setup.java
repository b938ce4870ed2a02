package org.obscura.driver.gphoto2.internal;

import java.time.Duration;
import java.util.Map;

import org.obscura.camera.api.CameraConfig;
import org.obscura.camera.api.CameraException;

/**
 * A gphoto2 camera's configuration, checked: what {@link Gphoto2Camera.Config} says, with every field
 * validated so that a bad configuration is refused with a message naming the field.
 *
 * @param name            camera name
 * @param label           human label (may be blank)
 * @param stereo          takes part in stereo captures
 * @param stereoOrder     position among stereo cameras
 * @param interruptService systemd service to stop around exclusive captures, or blank
 * @param enabled         whether the camera runs
 * @param model           libgphoto2 model name, or blank for whatever is detected
 * @param port            where the camera is
 * @param keepOnCamera    keep captured files on the camera's card after downloading them
 * @param settingsRefresh how long a read of the settings is served from memory
 * @param liveviewInterval the shortest time between two liveview frames
 * @param captureTimeout  the longest wait for a still (exposure, saving, download)
 */
record Gphoto2Setup(String name, String label, boolean stereo, int stereoOrder, String interruptService,
        boolean enabled, String model, PortAddress port, boolean keepOnCamera, Duration settingsRefresh,
        Duration liveviewInterval, Duration captureTimeout) {

    static final String MODEL = "model";
    static final String PORT = PortAddress.FIELD;
    static final String KEEP_ON_CAMERA = "keep.on.camera";
    static final String SETTINGS_REFRESH = "settings.refresh.seconds";
    static final String LIVEVIEW_INTERVAL = "liveview.interval";
    static final String CAPTURE_TIMEOUT = "capture.timeout.seconds";

    static final int DEFAULT_SETTINGS_REFRESH_SECONDS = 10;
    static final int MAX_SETTINGS_REFRESH_SECONDS = 3600;
    static final double DEFAULT_LIVEVIEW_INTERVAL = 0.05;
    static final double MIN_LIVEVIEW_INTERVAL = 0.0;
    static final double MAX_LIVEVIEW_INTERVAL = 10.0;
    static final int DEFAULT_CAPTURE_TIMEOUT_SECONDS = 120;
    static final int MAX_CAPTURE_TIMEOUT_SECONDS = 3600;
    /** CameraAbilities.model is a 128-byte C string. */
    static final int MAX_MODEL_LENGTH = 127;

    /** The setup a DS configuration describes. */
    static Gphoto2Setup from(Gphoto2Camera.Config c) {
        return of(c.name(), c.label(), c.stereo(), c.stereo_order(), c.interrupt_service(), c.enabled(), c.model(),
                c.port(), c.keep_on_camera(), c.settings_refresh_seconds(), c.liveview_interval(),
                c.capture_timeout_seconds());
    }

    /**
     * Checks configuration properties as they are about to be written (strings, numbers or booleans).
     *
     * @throws CameraException INVALID_ARGUMENT naming the field at fault
     */
    static Gphoto2Setup from(Map<String, Object> p) {
        return of(text(p.get(CameraConfig.NAME)), text(p.get(CameraConfig.LABEL)),
                bool(p, CameraConfig.STEREO, false), (int) integer(p, CameraConfig.STEREO_ORDER, 0),
                text(p.get(CameraConfig.INTERRUPT_SERVICE)), bool(p, CameraConfig.ENABLED, true),
                text(p.get(MODEL)), text(p.get(PORT)), bool(p, KEEP_ON_CAMERA, false),
                (int) integer(p, SETTINGS_REFRESH, DEFAULT_SETTINGS_REFRESH_SECONDS),
                decimal(p, LIVEVIEW_INTERVAL, DEFAULT_LIVEVIEW_INTERVAL),
                (int) integer(p, CAPTURE_TIMEOUT, DEFAULT_CAPTURE_TIMEOUT_SECONDS));
    }

    static Gphoto2Setup of(String name, String label, boolean stereo, int stereoOrder, String interruptService,
            boolean enabled, String model, String port, boolean keepOnCamera, int settingsRefreshSeconds,
            double liveviewInterval, int captureTimeoutSeconds) {
        if (!CameraConfig.isValidName(name)) {
            throw CameraException.invalid(CameraConfig.NAME, "camera name '" + (name == null ? "" : name)
                    + "' is not valid: use 1-63 lower-case letters, digits, '_' and '-', starting with a letter or "
                    + "digit");
        }
        String m = model == null ? "" : model.strip();
        if (m.length() > MAX_MODEL_LENGTH) {
            throw CameraException.invalid(MODEL, "model name is longer than " + MAX_MODEL_LENGTH + " characters");
        }
        PortAddress address = PortAddress.parse(port);
        if (settingsRefreshSeconds < 1 || settingsRefreshSeconds > MAX_SETTINGS_REFRESH_SECONDS) {
            throw CameraException.invalid(SETTINGS_REFRESH, SETTINGS_REFRESH + " " + settingsRefreshSeconds
                    + " is outside 1-" + MAX_SETTINGS_REFRESH_SECONDS + " seconds");
        }
        if (!(liveviewInterval >= MIN_LIVEVIEW_INTERVAL && liveviewInterval <= MAX_LIVEVIEW_INTERVAL)) {
            throw CameraException.invalid(LIVEVIEW_INTERVAL, LIVEVIEW_INTERVAL + " " + liveviewInterval
                    + " is outside 0-" + (int) MAX_LIVEVIEW_INTERVAL + " seconds (0.05 is about 20 frames per second)");
        }
        if (captureTimeoutSeconds < 1 || captureTimeoutSeconds > MAX_CAPTURE_TIMEOUT_SECONDS) {
            throw CameraException.invalid(CAPTURE_TIMEOUT, CAPTURE_TIMEOUT + " " + captureTimeoutSeconds
                    + " is outside 1-" + MAX_CAPTURE_TIMEOUT_SECONDS + " seconds");
        }
        return new Gphoto2Setup(name, label == null ? "" : label.strip(), stereo, stereoOrder,
                interruptService == null ? "" : interruptService.strip(), enabled, m, address, keepOnCamera,
                Duration.ofSeconds(settingsRefreshSeconds), Duration.ofNanos(Math.round(liveviewInterval * 1e9)),
                Duration.ofSeconds(captureTimeoutSeconds));
    }

    /** What the descriptor shows as the device: the port, else the model, else "auto". */
    String device() {
        if (!port.isAuto()) {
            return port.path();
        }
        return model.isEmpty() ? "auto" : model;
    }

    private static String text(Object v) {
        return v == null ? "" : v.toString();
    }

    private static boolean bool(Map<String, Object> p, String key, boolean fallback) {
        Object v = p.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        String s = v.toString().strip();
        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(s);
        }
        throw CameraException.invalid(key, key + " '" + s + "' is not true or false");
    }

    private static long integer(Map<String, Object> p, String key, long fallback) {
        Object v = p.get(key);
        if (v == null || v.toString().isBlank()) {
            return fallback;
        }
        long n;
        if (v instanceof Number num && num.doubleValue() == Math.rint(num.doubleValue())) {
            n = num.longValue();
        } else {
            try {
                n = Long.parseLong(v.toString().strip());
            } catch (NumberFormatException e) {
                throw CameraException.invalid(key, key + " '" + v + "' is not a whole number");
            }
        }
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
            throw CameraException.invalid(key, key + " " + n + " is out of range");
        }
        return n;
    }

    private static double decimal(Map<String, Object> p, String key, double fallback) {
        Object v = p.get(key);
        if (v == null || v.toString().isBlank()) {
            return fallback;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return Double.parseDouble(v.toString().strip());
        } catch (NumberFormatException e) {
            throw CameraException.invalid(key, key + " '" + v + "' is not a number");
        }
    }
}
