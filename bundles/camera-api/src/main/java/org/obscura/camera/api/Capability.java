package org.obscura.camera.api;

/** What a camera can do. */
public enum Capability {
    /** Continuous frames through {@code CameraDevice.start}. */
    STREAM,
    /** Full-quality stills through {@code CameraDevice.captureStill}. */
    STILL,
    /** A low-resolution live preview distinct from stills (DSLR liveview). */
    PREVIEW,
    /** Named settings can be read and written (V4L2 controls, gphoto2 configuration). */
    SETTINGS
}
