package org.obscura.compat.internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraRegistry;
import org.obscura.camera.api.CameraState;
import org.obscura.camera.api.CameraStatus;
import org.obscura.camera.api.FrameSubscription;
import org.obscura.camera.api.LiveFrame;

/**
 * The camera that the single-camera seed routes serve: the configured one, or the first camera by name when
 * none is configured (each seed served exactly one camera). Looked up on every request, so that a camera
 * that appears later is served without a restart.
 *
 * <p>Thread-safe; methods that wait for a frame block the calling request thread for at most the frame
 * timeout.
 */
final class ServedCamera {

    private final CameraRegistry registry;
    private final String configured;
    private final Duration frameTimeout;

    /**
     * @param configured   the camera name to serve, or empty for the first camera by name
     * @param frameTimeout how long a single-frame route waits for a camera picture
     */
    ServedCamera(CameraRegistry registry, String configured, Duration frameTimeout) {
        this.registry = registry;
        this.configured = configured == null ? "" : configured.trim();
        this.frameTimeout = frameTimeout;
    }

    CameraRegistry registry() {
        return registry;
    }

    Duration frameTimeout() {
        return frameTimeout;
    }

    /**
     * The served camera's status now.
     *
     * @throws CameraException NOT_FOUND when the configured camera is unknown or there is no camera at all
     */
    CameraStatus status() {
        if (!configured.isEmpty()) {
            return registry.camera(configured).orElseThrow(() -> CameraException.notFound(
                    "camera '" + configured + "' (set as 'camera' in configuration " + SeedRoutes.PID
                            + ") is not known"));
        }
        List<CameraStatus> all = registry.cameras();
        if (all.isEmpty()) {
            throw CameraException.notFound("no camera is registered");
        }
        return all.get(0);
    }

    /** The served camera's status, failing when it is offline. */
    CameraStatus online() {
        CameraStatus s = status();
        if (s.state() == CameraState.OFFLINE) {
            throw new CameraException(CameraException.Kind.UNAVAILABLE, "camera '" + s.name() + "' is offline"
                    + (s.lastError() == null ? "" : ": " + s.lastError()));
        }
        return s;
    }

    /**
     * Waits for a camera picture (never a placeholder) of the served camera and applies {@code use} to it while
     * the frame is held; the frame is released afterwards.
     *
     * @throws CameraException NOT_FOUND, UNAVAILABLE (offline), TIMEOUT (no picture within the frame timeout),
     *                         or whatever {@code use} throws
     */
    <T> T withFrame(Function<LiveFrame, T> use) {
        String name = online().name();
        try (FrameSubscription subscription = registry.subscribe(name, null)) {
            LiveFrame frame = firstPicture(subscription, System.nanoTime() + frameTimeout.toNanos());
            if (frame == null) {
                throw new CameraException(CameraException.Kind.TIMEOUT, "camera '" + name + "' gave no picture within "
                        + frameTimeout.toSeconds() + " s");
            }
            try (frame) {
                return use.apply(frame);
            }
        }
    }

    /**
     * The newest camera picture of a subscription, or the next one to arrive before {@code deadline}
     * ({@link System#nanoTime()} clock); placeholders are skipped.
     *
     * @return the frame (the caller closes it), or {@code null} at the deadline or when the subscription closed
     */
    static LiveFrame firstPicture(FrameSubscription subscription, long deadline) {
        LiveFrame frame = subscription.latest();
        try {
            while (true) {
                if (frame != null && !frame.placeholder()) {
                    return frame;
                }
                if (frame != null) {
                    frame.close();
                    frame = null;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                frame = subscription.next(left, TimeUnit.NANOSECONDS);
                if (frame == null) {
                    // Timed out (the deadline passed) or the subscription was closed under us.
                    return null;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CameraException(CameraException.Kind.UNAVAILABLE, "the server is stopping");
        }
    }
}
