package org.obscura.driver.v4l2.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.obscura.camera.api.PixelFormat;

class FourccTest {

    @Test
    void codesRoundTripAsTheKernelEncodesThem() {
        assertEquals(0x56595559, Fourcc.of("YUYV")); // v4l2_fourcc('Y','U','Y','V')
        assertEquals("YUYV", Fourcc.toString(0x56595559));
        assertEquals("Y16", Fourcc.toString(Fourcc.of("Y16")));
        assertEquals("Y16-BE", Fourcc.toString(Fourcc.of("Y16 ") | 0x8000_0000));
    }

    @Test
    void onlyFormatsTheCoreCarriesMapToPixelFormats() {
        assertEquals(Optional.of(PixelFormat.JPEG), Fourcc.pixelFormat(Fourcc.MJPG));
        assertEquals(Optional.of(PixelFormat.JPEG), Fourcc.pixelFormat(Fourcc.JPEG));
        assertEquals(Optional.of(PixelFormat.RGB24), Fourcc.pixelFormat(Fourcc.of("RGB3")));
        assertEquals(Optional.of(PixelFormat.BGR24), Fourcc.pixelFormat(Fourcc.of("BGR3")));
        assertEquals(Optional.of(PixelFormat.NV12), Fourcc.pixelFormat(Fourcc.of("NV12")));
        assertTrue(Fourcc.pixelFormat(Fourcc.of("BA81")).isEmpty());
        assertTrue(Fourcc.pixelFormat(Fourcc.of("YU12")).isEmpty());
    }

    @Test
    void configuredFormatsParseFromFourccsAndCoreNames() {
        assertEquals(Optional.of(Fourcc.MJPG), Fourcc.parse("jpeg"));
        assertEquals(Optional.of(Fourcc.of("RGB3")), Fourcc.parse("rgb24"));
        assertEquals(Optional.of(Fourcc.of("pRAA")), Fourcc.parse("pRAA"));
        assertTrue(Fourcc.parse("").isEmpty());
        assertTrue(Fourcc.parse("toolong").isEmpty());
    }
}
