package org.obscura.driver.v4l2.internal;

import org.obscura.camera.api.CameraException;

/**
 * A system call on a device node failed with {@code errno}. Thrown by {@link V4l2Node}; turned into a
 * {@link CameraException} of the right kind where the caller knows what it was doing.
 */
final class ErrnoException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    ErrnoException(String operation, int errno, String description) {
        super(operation + ": " + description + " (errno " + errno + ")");
        this.errno = errno;
    }

    int errno() {
        return errno;
    }

    /** The device went away (unplugged, driver unbound, vivid disconnected). */
    boolean deviceGone() {
        return errno == LibC.ENODEV || errno == LibC.ENXIO || errno == LibC.ENOENT || errno == LibC.EIO
                || errno == LibC.EPIPE;
    }

    /**
     * This failure as a camera failure: a gone device is UNAVAILABLE, a device held by someone else BUSY, a
     * permission problem UNAVAILABLE with a hint, anything else IO.
     *
     * @param what what was being done, e.g. "cannot open /dev/video0"
     */
    CameraException toCameraException(String what) {
        if (deviceGone()) {
            return new CameraException(CameraException.Kind.UNAVAILABLE, what + ": device is gone (" + getMessage() + ")", this);
        }
        if (errno == LibC.EBUSY) {
            return new CameraException(CameraException.Kind.BUSY, what + ": device is busy (" + getMessage() + ")", this);
        }
        if (errno == LibC.EACCES || errno == LibC.EPERM) {
            return new CameraException(CameraException.Kind.UNAVAILABLE,
                    what + ": permission denied; the server's user needs to be in the 'video' group", this);
        }
        return new CameraException(CameraException.Kind.IO, what + ": " + getMessage(), this);
    }
}
