package org.obscura.camera.api;

/** Where a camera stands right now. */
public enum CameraState {
    /** Its device service is registered and idle (nobody is watching). */
    ONLINE,
    /** Its device is delivering frames to at least one viewer. */
    STREAMING,
    /** Its device service is gone or has failed; viewers stay connected and frames resume when it is back. */
    OFFLINE
}
