package org.obscura.camera.spi;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.Frame;

/**
 * Where a streaming {@link CameraDevice} pushes its frames. Implemented by the core's frame hub.
 *
 * <p>Both methods return quickly and never block on viewers: the hub keeps only the newest frame. They may
 * be called from any single driver thread; a device must not call them concurrently from several threads.
 */
@org.osgi.annotation.versioning.ProviderType
public interface FrameSink {

    /**
     * Delivers a frame. The sink retains the frame if it keeps it; the caller keeps its own reference and
     * releases it after this call returns, so pooled buffers go back to the driver when no viewer needs them.
     */
    void frame(Frame frame);

    /**
     * Reports that streaming has stopped because of a failure (device unplugged, I/O error). The core marks
     * the camera offline, shows viewers a "no signal" frame, calls {@link CameraDevice#stop()}, and while
     * viewers remain, calls {@link CameraDevice#start} again later with backoff.
     */
    void failed(CameraException error);
}
