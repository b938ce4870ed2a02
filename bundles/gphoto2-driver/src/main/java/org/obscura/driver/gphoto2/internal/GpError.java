package org.obscura.driver.gphoto2.internal;

import static org.obscura.driver.gphoto2.internal.LibGphoto2.*;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraException.Kind;

/**
 * Turns libgphoto2 result codes into {@link CameraException}s that say what happened and what the user can
 * do about it, and tells which failures mean the connection to the camera is gone.
 */
final class GpError {

    private GpError() {
    }

    /**
     * @param rc      the negative libgphoto2 result
     * @param text    libgphoto2's own text for it ({@code gp_result_as_string})
     * @param action  what was being done, as the start of the message ("camera 'dslr': capturing")
     * @param port    the camera's port, for messages about the device, or {@code null}
     * @param detail  the last error libgphoto2 reported through its context, or {@code null}
     */
    static CameraException toException(int rc, String text, String action, String port, String detail) {
        String where = port == null || port.isBlank() ? "" : " at " + port;
        String reason = (text == null || text.isBlank() ? "error" : text) + " (" + rc + ")"
                + (detail == null || detail.isBlank() ? "" : ": " + oneLine(detail));
        String prefix = action + " failed: " + reason;
        return switch (rc) {
        case GP_ERROR_IO_USB_CLAIM, GP_ERROR_IO_LOCK -> new CameraException(Kind.BUSY, prefix
                + ". The camera" + where + " is held by another program: stop gvfs-gphoto2-volume-monitor "
                + "(systemctl --user stop gvfs-gphoto2-volume-monitor, or mask it) and any running gphoto2, "
                + "Shotwell, digiKam or other photo import tool, and check that this user may write to the USB "
                + "device");
        case GP_ERROR_CAMERA_BUSY -> new CameraException(Kind.BUSY, prefix
                + ". The camera is busy (still saving the last shot, or in a menu); try again in a moment");
        case GP_ERROR_MODEL_NOT_FOUND, GP_ERROR_IO_USB_FIND, GP_ERROR_UNKNOWN_PORT -> new CameraException(
                Kind.UNAVAILABLE, prefix + ". No camera found" + where
                        + ": check that it is switched on, connected and not asleep");
        case GP_ERROR_NOT_SUPPORTED -> new CameraException(Kind.UNSUPPORTED, prefix
                + ". The camera or its libgphoto2 driver does not support this");
        case GP_ERROR_TIMEOUT -> new CameraException(Kind.TIMEOUT, prefix + ". The camera" + where
                + " did not answer in time");
        case GP_ERROR_BAD_PARAMETERS -> new CameraException(Kind.INVALID_ARGUMENT, prefix);
        case GP_ERROR_NO_SPACE -> new CameraException(Kind.IO, prefix + ". The camera's card is full");
        default -> new CameraException(Kind.IO, prefix + (isConnectionLost(rc)
                ? ". The connection to the camera" + where + " was lost; it is reopened on the next request"
                : ""));
        };
    }

    /**
     * Whether a failure leaves the camera connection unusable, so that it must be closed and opened again
     * (cable pulled, camera switched off, PTP/IP socket closed, protocol out of step).
     */
    static boolean isConnectionLost(int rc) {
        return switch (rc) {
        case GP_ERROR, GP_ERROR_IO, GP_ERROR_IO_INIT, GP_ERROR_IO_READ, GP_ERROR_IO_WRITE, GP_ERROR_IO_UPDATE,
                GP_ERROR_IO_USB_CLEAR_HALT, GP_ERROR_IO_USB_FIND, GP_ERROR_TIMEOUT, GP_ERROR_CORRUPTED_DATA,
                GP_ERROR_CAMERA_ERROR, GP_ERROR_MODEL_NOT_FOUND, GP_ERROR_OS_FAILURE -> true;
        default -> false;
        };
    }

    private static String oneLine(String s) {
        return s.strip().replaceAll("\\s*\\n\\s*", " ");
    }
}
