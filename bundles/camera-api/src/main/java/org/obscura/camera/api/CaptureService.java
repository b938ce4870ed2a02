package org.obscura.camera.api;

import java.util.Map;

/**
 * Takes stills: from one camera, from all cameras, or from the stereo cameras as close together as
 * possible. Each capture is stored as {@code captures/<camera>/<camera>_<timestamp>.jpg} with a JSON sidecar
 * (camera, mode, settings, timestamps, metadata providers' samples), written atomically.
 *
 * <p>Interrupt services ({@link CameraConfig#INTERRUPT_SERVICE}) are stopped before a capture and restarted
 * after, once per batch. Methods block until the stills are written (seconds for a DSLR) and are safe to
 * call from several threads; captures on the same camera are serialised.
 */
@org.osgi.annotation.versioning.ProviderType
public interface CaptureService {

    /**
     * Takes a still from one camera and returns it without storing it.
     *
     * @param metadata extra entries for the image's metadata (e.g. the light that was on), may be empty
     * @throws CameraException NOT_FOUND, UNAVAILABLE, BUSY, TIMEOUT, IO
     */
    CapturedImage take(String camera, Map<String, Object> metadata);

    /**
     * Takes and stores a still from one camera.
     *
     * @throws CameraException NOT_FOUND, UNAVAILABLE, BUSY, TIMEOUT, IO
     */
    CaptureResult capture(String camera, Map<String, Object> metadata);

    /**
     * Takes a still from one camera and leaves it on the device (its memory card) without transferring or
     * storing it here. Serialised with the camera's other captures; interrupt services are stopped around it
     * as for any capture. Default: UNSUPPORTED, for implementations that cannot reach devices.
     *
     * @return where the picture is on the device, as the device names it, e.g.
     *         {@code "/store_00010001/DCIM/100CANON/IMG_0001.JPG"}
     * @throws CameraException NOT_FOUND, UNAVAILABLE, UNSUPPORTED (the camera does not store pictures itself),
     *                         BUSY, TIMEOUT, IO
     */
    default String captureOnDevice(String camera) {
        throw new CameraException(CameraException.Kind.UNSUPPORTED, "capturing on the device is not supported");
    }

    /** Takes and stores a still from every online camera; failures of some cameras are reported, not thrown. */
    BatchResult captureAll(Map<String, Object> metadata);

    /**
     * Takes stills from every camera marked stereo, triggered together, and reports the measured skew
     * between their frame timestamps.
     *
     * @throws CameraException UNAVAILABLE when fewer than two stereo cameras are online
     */
    BatchResult captureStereo(Map<String, Object> metadata);
}
