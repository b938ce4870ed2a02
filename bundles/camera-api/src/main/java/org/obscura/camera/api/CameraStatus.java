package org.obscura.camera.api;

import java.time.Instant;
import java.util.Objects;

/**
 * A camera as the registry sees it now.
 *
 * @param name       camera name
 * @param descriptor the device's descriptor; for an offline camera, the last one seen
 * @param state      online, streaming or offline
 * @param viewers    number of open frame subscriptions
 * @param fps        frame rate measured over the last seconds, 0 when not streaming
 * @param frames     frames received since the camera's hub was created
 * @param lastFrame  when the last frame arrived, or {@code null}
 * @param lastError  the last error the device reported, or {@code null}
 */
public record CameraStatus(String name, CameraDescriptor descriptor, CameraState state, int viewers, double fps,
        long frames, Instant lastFrame, String lastError) {
    public CameraStatus {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
    }

    public boolean online() {
        return state != CameraState.OFFLINE;
    }
}
