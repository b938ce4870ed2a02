package org.obscura.camera.api;

/**
 * Event Admin topics posted by the core, and their property names. Interfaces forward them to WebSocket
 * and Server-Sent Events clients. Events are posted asynchronously; handlers must not block.
 */
public final class ObscuraEvents {
    private ObscuraEvents() {
    }

    /** Prefix of every Obscura topic; subscribe to {@code org/obscura/*} for all. */
    public static final String TOPIC_PREFIX = "org/obscura/";
    /** A camera's device service was registered. Properties: {@link #CAMERA}, {@link #DRIVER}. */
    public static final String CAMERA_ADDED = "org/obscura/camera/ADDED";
    /** A camera's device service went away for good (no viewers left). Properties: {@link #CAMERA}. */
    public static final String CAMERA_REMOVED = "org/obscura/camera/REMOVED";
    /** A camera came online. Properties: {@link #CAMERA}, {@link #DRIVER}. */
    public static final String CAMERA_ONLINE = "org/obscura/camera/ONLINE";
    /** A camera went offline. Properties: {@link #CAMERA}, {@link #REASON}. */
    public static final String CAMERA_OFFLINE = "org/obscura/camera/OFFLINE";
    /** A still was stored. Properties: {@link #CAMERA}, {@link #PATH}, {@link #URL}. */
    public static final String CAPTURE_DONE = "org/obscura/capture/DONE";
    /** A sequence made progress. Properties: the fields of {@link SequenceProgress}. */
    public static final String SEQUENCE_PROGRESS = "org/obscura/sequence/PROGRESS";

    /** Camera name. */
    public static final String CAMERA = "camera";
    /** Driver id. */
    public static final String DRIVER = "driver";
    /** Why something happened, a sentence. */
    public static final String REASON = "reason";
    /** Path relative to the data dir. */
    public static final String PATH = "path";
    /** URL path. */
    public static final String URL = "url";
}
