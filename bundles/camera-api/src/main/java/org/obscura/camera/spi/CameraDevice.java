package org.obscura.camera.spi;

import java.util.List;

import org.obscura.camera.api.CameraDescriptor;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.Setting;

/**
 * One configured camera, registered as a service by its driver bundle, with the service properties
 * {@link org.obscura.camera.api.CameraConfig#CAMERA_NAME} and {@link org.obscura.camera.api.CameraConfig#DRIVER}.
 * Usually a Declarative Services component created per ConfigAdmin factory configuration of the driver's
 * factory PID.
 *
 * <h2>Lifecycle and threading</h2>
 * The core calls {@link #start} when the first viewer arrives and {@link #stop} after the last one left
 * (plus a linger). It never calls {@code start} twice without a {@code stop} in between. Frames are pushed
 * from the device's own thread. {@link #captureStill} may be called while streaming or while idle; a device
 * that cannot do both at once pauses its stream and resumes it by itself. The core serialises
 * {@code captureStill} calls per camera. Unregistering the service (bundle stopped or updated,
 * configuration deleted) must stop the stream and release the device; the core keeps viewers connected
 * and resumes them when a device with the same name comes back.
 *
 * <p>Failures are reported as {@link CameraException} with the right {@link CameraException.Kind}.
 */
@org.osgi.annotation.versioning.ConsumerType
public interface CameraDevice {

    /** What this camera is and its current mode. Cheap; called often. */
    CameraDescriptor descriptor();

    /**
     * Opens the device if needed and starts pushing frames to {@code sink}. May block while the device
     * opens (up to a few seconds); frames then arrive on the device's thread.
     *
     * @throws CameraException BUSY, UNAVAILABLE, IO when the stream cannot start
     */
    void start(FrameSink sink);

    /** Stops pushing frames; when it returns, no further call reaches the sink. Idempotent; never throws. */
    void stop();

    /**
     * Takes one full-quality still. Blocks until the image is in memory. The returned frame is owned by the
     * caller, who releases it.
     *
     * @throws CameraException UNSUPPORTED, BUSY, UNAVAILABLE, TIMEOUT, IO
     */
    Frame captureStill();

    /**
     * The camera's settings and controls as they are now. Default: none.
     *
     * @throws CameraException UNAVAILABLE, IO
     */
    default List<Setting> settings() {
        return List.of();
    }

    /**
     * Writes one setting and returns it as read back.
     *
     * @param value a value of the setting's type, or a String to be parsed
     * @throws CameraException NOT_FOUND (no such setting), INVALID_ARGUMENT (value not allowed, read-only),
     *                         UNAVAILABLE, IO
     */
    default Setting setSetting(String name, Object value) {
        throw CameraException.notFound("camera '" + descriptor().name() + "' has no setting '" + name + "'");
    }
}
