package org.obscura.driver.gphoto2.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraException.Kind;

class GpErrorTest {

    private static CameraException map(int rc) {
        return GpError.toException(rc, "text", "camera 'dslr': capturing", "usb:001,006", null);
    }

    @Test
    void aClaimedUsbDeviceIsBusyAndNamesTheUsualCulprit() {
        CameraException e = map(LibGphoto2.GP_ERROR_IO_USB_CLAIM);
        assertEquals(Kind.BUSY, e.kind());
        assertTrue(e.getMessage().startsWith("camera 'dslr': capturing failed: text (-53)"), e.getMessage());
        assertTrue(e.getMessage().contains("gvfs-gphoto2-volume-monitor"), e.getMessage());
        assertTrue(e.getMessage().contains("usb:001,006"), e.getMessage());
    }

    @Test
    void mapsEachFamilyOfFailureToAKindAnInterfaceCanAnswer() {
        assertEquals(Kind.BUSY, map(LibGphoto2.GP_ERROR_CAMERA_BUSY).kind());
        assertEquals(Kind.UNAVAILABLE, map(LibGphoto2.GP_ERROR_MODEL_NOT_FOUND).kind());
        assertTrue(map(LibGphoto2.GP_ERROR_MODEL_NOT_FOUND).getMessage().contains("No camera found"));
        assertEquals(Kind.UNAVAILABLE, map(LibGphoto2.GP_ERROR_IO_USB_FIND).kind());
        assertEquals(Kind.UNSUPPORTED, map(LibGphoto2.GP_ERROR_NOT_SUPPORTED).kind());
        assertEquals(Kind.TIMEOUT, map(LibGphoto2.GP_ERROR_TIMEOUT).kind());
        assertEquals(Kind.IO, map(LibGphoto2.GP_ERROR_IO_READ).kind());
        assertEquals(Kind.IO, map(LibGphoto2.GP_ERROR).kind());
        assertEquals(Kind.INVALID_ARGUMENT, map(LibGphoto2.GP_ERROR_BAD_PARAMETERS).kind());
        assertTrue(map(LibGphoto2.GP_ERROR_NO_SPACE).getMessage().contains("card is full"));
    }

    @Test
    void includesWhatLibgphoto2ReportedThroughItsContextOnOneLine() {
        CameraException e = GpError.toException(-7, "I/O problem", "camera 'dslr': liveview", null,
                "PTP I/O error\n\nmore  ");
        assertTrue(e.getMessage().endsWith("I/O problem (-7): PTP I/O error more. The connection to the camera was "
                + "lost; it is reopened on the next request"), e.getMessage());
    }

    @Test
    void onlyLinkFailuresCountAsALostConnection() {
        assertTrue(GpError.isConnectionLost(LibGphoto2.GP_ERROR_IO));
        assertTrue(GpError.isConnectionLost(LibGphoto2.GP_ERROR));
        assertTrue(GpError.isConnectionLost(LibGphoto2.GP_ERROR_TIMEOUT));
        assertFalse(GpError.isConnectionLost(LibGphoto2.GP_ERROR_NOT_SUPPORTED));
        assertFalse(GpError.isConnectionLost(LibGphoto2.GP_ERROR_BAD_PARAMETERS));
        assertFalse(GpError.isConnectionLost(LibGphoto2.GP_ERROR_CAMERA_BUSY));
    }
}
