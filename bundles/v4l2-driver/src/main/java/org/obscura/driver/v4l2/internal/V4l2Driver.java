package org.obscura.driver.v4l2.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.DeviceInfo;
import org.obscura.camera.spi.CameraDriver;
import org.osgi.service.component.annotations.Component;

/**
 * The V4L2 driver: finds capture devices through the kernel API (no v4l2-ctl), describes them with their
 * whole mode tree, and checks camera configurations against what the device offers. Cameras themselves are
 * {@link V4l2Camera} components.
 *
 * <p>Unavailable (but registered, saying why) when JNA cannot load the C library or no capture node exists;
 * that is re-checked on every call, so a webcam plugged in later makes the driver available.
 */
@Component(service = CameraDriver.class, property = CameraDriver.DRIVER_ID + "=" + V4l2Driver.ID)
public final class V4l2Driver implements CameraDriver {

    static final String ID = "v4l2";
    static final String FACTORY_PID = "org.obscura.driver.v4l2.camera";
    /** How long a capture-node check stays valid: available() and status() are called often, probing is not free. */
    private static final long STATUS_TTL_NANOS = 2_000_000_000L;

    private final Path dev;
    private long statusCheckedAt;
    private String cachedProblem; // null: available

    public V4l2Driver() {
        this(Path.of("/dev"));
    }

    V4l2Driver(Path dev) {
        this.dev = dev;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "USB webcams (V4L2)";
    }

    @Override
    public String factoryPid() {
        return FACTORY_PID;
    }

    @Override
    public boolean available() {
        return problem() == null;
    }

    @Override
    public String status() {
        String p = problem();
        return p == null ? "ready" : p;
    }

    /** Why the driver cannot work now, or null. */
    private synchronized String problem() {
        if (LibCAccess.get().isEmpty()) {
            return LibCAccess.error();
        }
        long now = System.nanoTime();
        if (statusCheckedAt == 0 || now - statusCheckedAt > STATUS_TTL_NANOS) {
            cachedProblem = discovery().captureStatus();
            statusCheckedAt = now;
        }
        return cachedProblem;
    }

    @Override
    public List<DeviceInfo> discover() {
        return discovery().discover();
    }

    /**
     * Checks {@code device}, {@code format}, {@code width}, {@code height} and {@code fps} against the device:
     * it must exist, be a capture device, and offer the mode. Opens the node only to read (QUERYCAP, ENUM_*),
     * which does not disturb a stream running on it.
     */
    @Override
    public void validate(Map<String, Object> configuration) {
        Object deviceValue = configuration.get("device");
        String device = deviceValue == null ? "" : deviceValue.toString().trim();
        if (device.isEmpty()) {
            throw CameraException.invalid("device", "device is required: a /dev/v4l/by-id, /dev/v4l/by-path or /dev/video* path"
                    + knownDevices());
        }
        String format = configuration.get("format") == null ? "" : configuration.get("format").toString();
        int width = (int) number(configuration, "width");
        int height = (int) number(configuration, "height");
        double fps = number(configuration, "fps");
        V4l2Discovery discovery = discovery();
        V4l2Node node;
        try {
            node = discovery.openCapture(device);
        } catch (CameraException e) {
            if (e.kind() == CameraException.Kind.UNAVAILABLE && "device".equals(e.field())) {
                throw CameraException.invalid("device", e.getMessage() + knownDevices());
            }
            throw e;
        }
        try (node) {
            DeviceModes.read(node).select(device, format, width, height, fps);
        } catch (ErrnoException e) {
            throw e.toCameraException("cannot read the modes of " + device);
        }
    }

    private String knownDevices() {
        if (LibCAccess.get().isEmpty()) {
            return "";
        }
        List<DeviceInfo> devices = discovery().discover();
        return devices.isEmpty() ? "; no capture device is connected"
                : "; connected: " + devices.stream().map(d -> d.device() + " (" + d.name() + ")").collect(Collectors.joining(", "));
    }

    private static double number(Map<String, Object> configuration, String key) {
        Object v = configuration.get(key);
        if (v == null || v.toString().isBlank()) {
            return 0;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return Double.parseDouble(v.toString().trim());
        } catch (NumberFormatException e) {
            throw CameraException.invalid(key, key + " must be a number; got '" + v + "'");
        }
    }

    private V4l2Discovery discovery() {
        return new V4l2Discovery(LibCAccess.require(), dev);
    }
}
