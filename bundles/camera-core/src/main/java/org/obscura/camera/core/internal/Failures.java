package org.obscura.camera.core.internal;

import org.obscura.camera.api.CameraException;

/** How the core turns exceptions from devices, drivers and providers into messages users can read. */
public final class Failures {
    private Failures() {
    }

    /** The exception's message, or its type when it has none. */
    public static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /**
     * A {@link CameraException} as it is, anything else as an IO failure: a device or plugin that throws an
     * unexpected exception must still give clients a clear error, not an internal one.
     *
     * @param doing what failed, e.g. {@code "camera 'left' failed to read its settings"}
     */
    public static CameraException of(RuntimeException e, String doing) {
        if (e instanceof CameraException ce) {
            return ce;
        }
        return new CameraException(CameraException.Kind.IO, doing + ": " + message(e), e);
    }
}
