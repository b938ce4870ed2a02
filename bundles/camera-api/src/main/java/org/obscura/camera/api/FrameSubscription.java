package org.obscura.camera.api;

import java.util.concurrent.TimeUnit;

/**
 * A viewer's open interest in a camera's live frames. While at least one subscription is open the camera
 * streams; after the last one closes, the device is released after a configurable linger. A subscription
 * survives its camera going offline (driver bundle stopped or updated, device unplugged): frames resume
 * when the camera is back.
 *
 * <p>Latest-frame semantics: there is no queue. A viewer that is slower than the camera skips frames.
 * Thread-safe; one subscription is meant for one viewer.
 */
@org.osgi.annotation.versioning.ProviderType
public interface FrameSubscription extends AutoCloseable {

    /** The camera's name. */
    String camera();

    /** The camera's current state. */
    CameraState state();

    /**
     * The newest frame, or {@code null} when none has arrived yet. The caller must close the handle. Marks
     * that frame as seen by this subscription.
     */
    LiveFrame latest();

    /**
     * Waits for a frame newer than the last one this subscription returned, and returns it (the newest
     * one, skipping any in between).
     *
     * @return the frame, or {@code null} on timeout or when the subscription is closed; the caller must close it
     */
    LiveFrame next(long timeout, TimeUnit unit) throws InterruptedException;

    /** Ends this subscription. Idempotent; wakes up any thread waiting in {@link #next}. */
    @Override
    void close();
}
