package org.obscura.driver.v4l2.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.PixelFormat;

class DeviceModesTest {

    private static final String DEV = "/dev/v4l/by-id/usb-cam-video-index0";

    /** A typical UVC webcam: MJPG and YUYV at discrete sizes, YUYV slower at large sizes. */
    private static final DeviceModes WEBCAM = new DeviceModes(List.of(
            new DeviceModes.FormatModes(Fourcc.YUYV, PixelFormat.YUYV, "YUYV 4:2:2", List.of(
                    size(640, 480, 30.0, 15.0), size(1280, 720, 10.0, 5.0), size(1920, 1080, 5.0)), null),
            new DeviceModes.FormatModes(Fourcc.MJPG, PixelFormat.JPEG, "Motion-JPEG", List.of(
                    size(640, 480, 30.0, 15.0), size(1280, 720, 30.0, 15.0), size(1920, 1080, 30.0)), null)),
            List.of("H264"));

    private static DeviceModes.SizeModes size(int w, int h, Double... fps) {
        return new DeviceModes.SizeModes(w, h, List.of(fps), false);
    }

    @Test
    void blankFieldsPickMjpegTheLargestSizeUpTo720pAndTheHighestRate() {
        DeviceModes.Selection s = WEBCAM.select(DEV, "", 0, 0, 0);
        assertEquals(Fourcc.MJPG, s.fourcc());
        assertEquals(PixelFormat.JPEG, s.pixelFormat());
        assertEquals(1280, s.width());
        assertEquals(720, s.height());
        assertEquals(30.0, s.fps());
    }

    @Test
    void formatsAreFoundByFourccOrCoreName() {
        assertEquals(Fourcc.YUYV, WEBCAM.select(DEV, "yuyv", 640, 480, 15).fourcc());
        assertEquals(Fourcc.MJPG, WEBCAM.select(DEV, "jpeg", 1920, 1080, 30).fourcc());
        assertEquals(Fourcc.MJPG, WEBCAM.select(DEV, "MJPG", 640, 480, 0).fourcc());
    }

    @Test
    void refusalsNameTheFieldAndWhatIsAllowed() {
        CameraException format = assertThrows(CameraException.class, () -> WEBCAM.select(DEV, "NV12", 0, 0, 0));
        assertEquals("format", format.field());
        assertTrue(format.getMessage().endsWith("allowed: YUYV, MJPG"), format.getMessage());

        CameraException height = assertThrows(CameraException.class, () -> WEBCAM.select(DEV, "YUYV", 640, 360, 0));
        assertEquals("height", height.field());
        assertTrue(height.getMessage().contains("allowed: 640x480, 1280x720, 1920x1080"), height.getMessage());

        CameraException width = assertThrows(CameraException.class, () -> WEBCAM.select(DEV, "YUYV", 800, 600, 0));
        assertEquals("width", width.field());

        CameraException fps = assertThrows(CameraException.class, () -> WEBCAM.select(DEV, "YUYV", 1280, 720, 30));
        assertEquals("fps", fps.field());
        assertTrue(fps.getMessage().contains("allowed: 10, 5"), fps.getMessage());

        CameraException half = assertThrows(CameraException.class, () -> WEBCAM.select(DEV, "YUYV", 640, 0, 0));
        assertEquals("height", half.field());
        for (CameraException e : List.of(format, height, width, fps, half)) {
            assertEquals(CameraException.Kind.INVALID_ARGUMENT, e.kind());
        }
    }

    @Test
    void fractionalRatesMatchWithinHalfAPercent() {
        DeviceModes ntsc = new DeviceModes(List.of(new DeviceModes.FormatModes(Fourcc.YUYV, PixelFormat.YUYV, "YUYV",
                List.of(size(720, 480, 29.97, 12.5)), null)), List.of());
        assertEquals(29.97, ntsc.select(DEV, "YUYV", 720, 480, 30).fps());
        assertEquals(12.5, ntsc.select(DEV, "YUYV", 720, 480, 12.5).fps());
        assertThrows(CameraException.class, () -> ntsc.select(DEV, "YUYV", 720, 480, 25));
    }

    @Test
    void stepwiseRangesAcceptAnySizeOnTheirGrid() {
        V4l2Node.SizeRange range = new V4l2Node.SizeRange(Videodev2.V4L2_FRMSIZE_TYPE_STEPWISE, 16, 1920, 16, 16, 1080, 8);
        DeviceModes stepwise = new DeviceModes(List.of(new DeviceModes.FormatModes(Fourcc.YUYV, PixelFormat.YUYV,
                "YUYV", List.of(new DeviceModes.SizeModes(640, 480, List.of(30.0, 1.0), true)), range)), List.of());
        DeviceModes.Selection s = stepwise.select(DEV, "YUYV", 1024, 576, 0);
        assertEquals(1024, s.width());
        CameraException off = assertThrows(CameraException.class, () -> stepwise.select(DEV, "YUYV", 1000, 576, 0));
        assertTrue(off.getMessage().contains("any size from 16x16 to 1920x1080 in steps of 16x8"), off.getMessage());
        assertEquals(24.0, stepwise.select(DEV, "YUYV", 640, 480, 24).fps(), "rates inside a continuous range");
        assertThrows(CameraException.class, () -> stepwise.select(DEV, "YUYV", 640, 480, 60));
    }

    @Test
    void aDeviceWithoutUsableFormatsIsRefusedOnTheDeviceField() {
        DeviceModes bayer = new DeviceModes(List.of(), List.of("BA81", "pRAA"));
        CameraException e = assertThrows(CameraException.class, () -> bayer.select(DEV, "", 0, 0, 0));
        assertEquals("device", e.field());
        assertTrue(e.getMessage().contains("BA81, pRAA"));
    }

    @Test
    void ratesAreShownWithoutNeedlessDecimals() {
        assertEquals("30", DeviceModes.format(30.0));
        assertEquals("12.5", DeviceModes.format(12.5));
        assertEquals("29.97", DeviceModes.format(DeviceModes.round(30000.0 / 1001)));
    }
}
