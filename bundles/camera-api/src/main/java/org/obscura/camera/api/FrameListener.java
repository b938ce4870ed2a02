package org.obscura.camera.api;

/**
 * Told by a camera's frame hub that something changed. Called on the hub's delivery thread: implementations
 * must return at once (schedule the write elsewhere, never block on a client's socket), so that a slow
 * viewer never slows the camera or other viewers.
 */
@org.osgi.annotation.versioning.ConsumerType
@FunctionalInterface
public interface FrameListener {

    /** A newer frame than the one this subscription last returned is available via {@link FrameSubscription#latest()}. */
    void frameAvailable(FrameSubscription subscription);

    /** The camera went online or offline. Default: nothing. */
    default void stateChanged(FrameSubscription subscription, CameraState state) {
    }
}
