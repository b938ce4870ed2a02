package org.obscura.camera.api;

/**
 * A failure that a user can act on, with a {@link Kind} that interfaces map to their own error codes (HTTP
 * status, WebSocket error). The message is shown to users as it is: make it say what went wrong and, where
 * possible, what is allowed or what to do ("camera 'left' is offline", "width 5000 exceeds 3840").
 */
public class CameraException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What kind of failure this is; decides the HTTP status an interface answers with. */
    public enum Kind {
        /** Bad input: a value out of range, an unknown option, a malformed name (HTTP 400). */
        INVALID_ARGUMENT,
        /** The named camera, setting, light, file or driver does not exist (HTTP 404). */
        NOT_FOUND,
        /** Conflicts with the current state, e.g. a name already taken (HTTP 409). */
        CONFLICT,
        /** The device is held by another process or operation (HTTP 503). */
        BUSY,
        /** The device or service is offline or missing (HTTP 503). */
        UNAVAILABLE,
        /** The device does not support the operation, e.g. no preview (HTTP 501). */
        UNSUPPORTED,
        /** The device did not answer in time (HTTP 504). */
        TIMEOUT,
        /** Input/output error talking to the device or writing a file (HTTP 502 for devices). */
        IO
    }

    private final Kind kind;
    private final String field;

    public CameraException(Kind kind, String message) {
        this(kind, message, null, null);
    }

    public CameraException(Kind kind, String message, Throwable cause) {
        this(kind, message, null, cause);
    }

    /**
     * @param field the name of the input field at fault (configuration property, request parameter), or
     *              {@code null}
     */
    public CameraException(Kind kind, String message, String field, Throwable cause) {
        super(message, cause);
        this.kind = kind == null ? Kind.IO : kind;
        this.field = field;
    }

    /** An {@link Kind#INVALID_ARGUMENT} failure naming the field at fault. */
    public static CameraException invalid(String field, String message) {
        return new CameraException(Kind.INVALID_ARGUMENT, message, field, null);
    }

    /** A {@link Kind#NOT_FOUND} failure. */
    public static CameraException notFound(String message) {
        return new CameraException(Kind.NOT_FOUND, message);
    }

    public Kind kind() {
        return kind;
    }

    /** The input field at fault, or {@code null}. */
    public String field() {
        return field;
    }
}
