package org.obscura.camera.api;

import java.util.List;
import java.util.Optional;

/**
 * All drivers and cameras the server knows, and the way to their live frames and settings. Cameras are
 * tracked dynamically as driver bundles register and withdraw their devices; each camera's frame hub lives
 * as long as the camera is registered or anybody watches it.
 *
 * <p>All methods are thread-safe. Methods that talk to a device may block for as long as the device takes;
 * they never block on other viewers.
 */
@org.osgi.annotation.versioning.ProviderType
public interface CameraRegistry {

    /** Every camera: registered ones, and offline ones that still have viewers. Sorted by name. */
    List<CameraStatus> cameras();

    /** One camera by name. */
    Optional<CameraStatus> camera(String name);

    /** Every driver, sorted by id. */
    List<DriverInfo> drivers();

    /** One driver by id. */
    Optional<DriverInfo> driver(String id);

    /**
     * The devices a driver can see now, with their modes.
     *
     * @throws CameraException NOT_FOUND for an unknown driver, UNAVAILABLE when it cannot work here
     */
    List<DeviceInfo> discover(String driverId);

    /**
     * Opens a subscription to a camera's live frames; starts the camera if it is idle.
     *
     * @param listener told of new frames and state changes, or {@code null} for a viewer that only polls
     *                 {@link FrameSubscription#next}
     * @throws CameraException NOT_FOUND if no such camera is registered or watched
     */
    FrameSubscription subscribe(String camera, FrameListener listener);

    /**
     * The camera's settings and controls, read from the device.
     *
     * @throws CameraException NOT_FOUND, UNAVAILABLE (offline), UNSUPPORTED
     */
    List<Setting> settings(String camera);

    /**
     * Writes one setting and returns it as read back from the device.
     *
     * @param value the new value; strings are accepted for every type and parsed
     * @throws CameraException NOT_FOUND (camera or setting), INVALID_ARGUMENT (value not allowed, read-only),
     *                         UNAVAILABLE
     */
    Setting setSetting(String camera, String setting, Object value);

    /**
     * Closes the connection to a camera's device and opens it again (for a camera that stopped answering
     * properly). Blocks until the device is open again; viewers stay connected and its stream resumes.
     * Default: UNSUPPORTED, for implementations that cannot reach devices.
     *
     * @throws CameraException NOT_FOUND, UNAVAILABLE (offline, or it did not come back), UNSUPPORTED (the
     *                         device cannot be reset), TIMEOUT, IO
     */
    default void reset(String camera) {
        throw new CameraException(CameraException.Kind.UNSUPPORTED, "resetting cameras is not supported");
    }
}
