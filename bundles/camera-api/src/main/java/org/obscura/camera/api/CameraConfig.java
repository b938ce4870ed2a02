package org.obscura.camera.api;

import java.util.regex.Pattern;

/**
 * Configuration property names common to every camera, whatever its driver. A camera is a ConfigAdmin
 * factory configuration of its driver's factory PID; these keys are shared so that the registry, the
 * capture service and the interfaces treat all cameras alike. Drivers add their own keys (device, width,
 * height, pixel format, fps, ...) and describe all of them with metatype.
 */
public final class CameraConfig {
    private CameraConfig() {
    }

    /** Unique camera name, matching {@link #NAME_PATTERN}; also the service property on a CameraDevice. */
    public static final String NAME = "name";
    /** Human label; defaults to the name. */
    public static final String LABEL = "label";
    /** Boolean: the camera takes part in stereo captures. */
    public static final String STEREO = "stereo";
    /** Integer: position among the stereo cameras, lower first. */
    public static final String STEREO_ORDER = "stereo.order";
    /** A systemd service stopped before exclusive capture and restarted after (seed {@code stream_interrupt}). */
    public static final String INTERRUPT_SERVICE = "interrupt.service";
    /** Boolean, default true: a disabled camera's configuration is kept but no device is registered. */
    public static final String ENABLED = "enabled";
    /** Service property on a CameraDevice: the id of the driver that registered it. */
    public static final String DRIVER = "camera.driver";
    /** Service property on a CameraDevice: the camera name (same value as {@link #NAME}). */
    public static final String CAMERA_NAME = "camera.name";

    /** What a camera name must look like: lower case letters, digits, '_' and '-', starting with a letter or digit. */
    public static final Pattern NAME_PATTERN = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

    /** Whether {@code name} is a valid camera name. */
    public static boolean isValidName(String name) {
        return name != null && NAME_PATTERN.matcher(name).matches();
    }
}
