package org.obscura.driver.v4l2.internal;

import java.util.Optional;

import org.obscura.camera.api.CameraException;

/**
 * The C library, loaded once per bundle class loader. Loading can fail (JNA's native part missing for this
 * platform, a JNA bundle that did not resolve); the driver then reports itself unavailable instead of failing
 * to start.
 */
final class LibCAccess {
    private LibCAccess() {
    }

    private static final LibC LIBC;
    private static final String ERROR;

    static {
        LibC libc = null;
        String error = null;
        try {
            libc = LibC.load();
        } catch (LinkageError | RuntimeException e) {
            error = "JNA cannot load the C library: " + e.getMessage();
        }
        LIBC = libc;
        ERROR = error;
    }

    static Optional<LibC> get() {
        return Optional.ofNullable(LIBC);
    }

    /** Why the library is missing, or {@code null}. */
    static String error() {
        return ERROR;
    }

    /** The library, or UNAVAILABLE saying why not. */
    static LibC require() {
        if (LIBC == null) {
            throw new CameraException(CameraException.Kind.UNAVAILABLE, ERROR);
        }
        return LIBC;
    }
}
