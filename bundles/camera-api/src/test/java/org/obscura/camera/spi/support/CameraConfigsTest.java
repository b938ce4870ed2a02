package org.obscura.camera.spi.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.obscura.camera.api.CameraDescriptor;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.Capability;
import org.obscura.camera.api.Mode;
import org.obscura.camera.api.PixelFormat;

class CameraConfigsTest {

    @Test
    void readsTypedValues() {
        CameraConfigs.Common c = CameraConfigs.read(Map.of("name", "left", "label", "Left eye", "stereo", true,
                "stereo.order", 2, "interrupt.service", " motion ", "enabled", false));
        assertEquals(new CameraConfigs.Common("left", "Left eye", true, 2, "motion", false), c);
    }

    @Test
    void readsTextValuesAndDefaults() {
        CameraConfigs.Common c = CameraConfigs.read(Map.of("name", "door-1", "stereo", "TRUE", "stereo.order", "-1",
                "label", "  "));
        assertEquals("door-1", c.label());
        assertTrue(c.stereo());
        assertEquals(-1, c.stereoOrder());
        assertNull(c.interruptService());
        assertTrue(c.enabled());
    }

    @Test
    void refusesMissingOrMalformedNames() {
        CameraException missing = assertThrows(CameraException.class, () -> CameraConfigs.read(Map.of()));
        assertEquals("name", missing.field());
        assertEquals(CameraException.Kind.INVALID_ARGUMENT, missing.kind());
        CameraException bad = assertThrows(CameraException.class, () -> CameraConfigs.read(Map.of("name", "Front Door")));
        assertEquals("name", bad.field());
        assertTrue(bad.getMessage().contains("Front Door"), bad.getMessage());
    }

    @Test
    void namesTheFieldOfABadBooleanOrNumber() {
        assertEquals("stereo", assertThrows(CameraException.class,
                () -> CameraConfigs.read(Map.of("name", "a", "stereo", "yes"))).field());
        assertEquals("stereo.order", assertThrows(CameraException.class,
                () -> CameraConfigs.read(Map.of("name", "a", "stereo.order", "first"))).field());
    }

    @Test
    void buildsADescriptor() {
        CameraDescriptor d = CameraConfigs.read(Map.of("name", "cam", "stereo", true)).descriptor("http",
                "http://x/stream", new Mode(PixelFormat.JPEG, 640, 480, 10), Set.of(Capability.STREAM), null);
        assertEquals("cam", d.name());
        assertEquals("http", d.driver());
        assertTrue(d.stereo());
        assertFalse(d.can(Capability.STILL));
    }
}
