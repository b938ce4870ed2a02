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
     * Takes one still and leaves it on the device (its memory card) without transferring it, for cameras that
     * store their own pictures. Blocks until the device reports where the picture is. Like
     * {@link #captureStill}, it may be called while streaming (the stream pauses and resumes by itself), and
     * the core serialises it with the camera's other captures. Default: UNSUPPORTED.
     *
     * @return where the picture is on the device, as the device names it, e.g.
     *         {@code "/store_00010001/DCIM/100CANON/IMG_0001.JPG"}
     * @throws CameraException UNSUPPORTED, BUSY, UNAVAILABLE, TIMEOUT, IO
     */
    default String captureOnDevice() {
        throw new CameraException(CameraException.Kind.UNSUPPORTED, "camera '" + descriptor().name()
                + "' cannot keep pictures on the device");
    }

    /**
     * Closes the connection to the device and opens it again, for a device that stopped answering properly.
     * Blocks until the device is open again. A stream that was running keeps running: it resumes by itself
     * on the new connection (a device that cannot reopen reports that through {@link FrameSink#failed}).
     * Default: UNSUPPORTED.
     *
     * @throws CameraException UNSUPPORTED, BUSY, UNAVAILABLE (the device did not come back), TIMEOUT, IO
     */
    default void reset() {
        throw new CameraException(CameraException.Kind.UNSUPPORTED, "camera '" + descriptor().name()
                + "' cannot be reset");
    }

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
