package org.obscura.camera.core.internal;

import java.util.SortedMap;

import org.obscura.camera.spi.CameraDevice;

/**
 * The registry's view of which device currently serves each camera name, for the other components of this
 * bundle (the capture service). Registered as a service by {@link CoreCameraRegistry} under this internal type,
 * which no other bundle can see, so that there is exactly one place deciding which device owns a name.
 */
public interface CameraDevices {

    /**
     * The device registered for a camera now.
     *
     * @throws org.obscura.camera.api.CameraException NOT_FOUND for an unknown camera, UNAVAILABLE when it is
     *                                                known (viewers are waiting for it) but has no device
     */
    CameraDevice device(String camera);

    /** Every camera that has a device registered now, by name. */
    SortedMap<String, CameraDevice> online();
}
