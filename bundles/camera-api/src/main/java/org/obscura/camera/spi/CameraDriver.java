package org.obscura.camera.spi;

import java.util.List;
import java.util.Map;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.DeviceInfo;

/**
 * A camera driver: one service per driver bundle, with the service property {@link #DRIVER_ID}. The
 * cameras it runs are ConfigAdmin factory configurations of {@link #factoryPid()}, described by a metatype
 * object class definition under that PID so that every interface can render and validate the same form.
 *
 * <p>A driver whose native library or device is missing still registers this service, reports
 * {@link #available()} false with a {@link #status()} saying why, and registers no cameras.
 */
@org.osgi.annotation.versioning.ConsumerType
public interface CameraDriver {

    /** Service property holding the driver id. */
    String DRIVER_ID = "driver.id";

    /** Short stable id: lower case, e.g. {@code "v4l2"}, {@code "gphoto2"}, {@code "testpattern"}. */
    String id();

    /** Display name, e.g. "USB webcams (V4L2)". */
    String displayName();

    /** The factory PID of this driver's camera configurations. */
    String factoryPid();

    /** Whether the driver can work on this machine now. Default: true. */
    default boolean available() {
        return true;
    }

    /** One sentence on the driver's state ("ready", "libgphoto2 not found: install libgphoto2-6"). */
    default String status() {
        return available() ? "ready" : "unavailable";
    }

    /**
     * The devices this driver can see now, with their modes. May take a moment (probing devices); must not
     * disturb cameras that are streaming.
     *
     * @throws CameraException UNAVAILABLE when the driver cannot work here
     */
    List<DeviceInfo> discover();

    /**
     * Checks a camera configuration beyond what metatype can say (a size the device does not offer, a device
     * path that is not a camera). Called before a configuration is written; must not open devices that are
     * in use. Default: accepts everything.
     *
     * @param configuration the properties about to be written
     * @throws CameraException INVALID_ARGUMENT naming the field at fault and what is allowed
     */
    default void validate(Map<String, Object> configuration) {
    }
}
