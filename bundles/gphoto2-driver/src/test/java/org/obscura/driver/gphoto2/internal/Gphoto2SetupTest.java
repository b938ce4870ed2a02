package org.obscura.driver.gphoto2.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.obscura.camera.api.CameraException;

class Gphoto2SetupTest {

    private static Map<String, Object> config(Object... keyValues) {
        Map<String, Object> m = new HashMap<>();
        m.put("name", "dslr");
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    private static void refused(String field, Object... keyValues) {
        CameraException e = assertThrows(CameraException.class, () -> Gphoto2Setup.from(config(keyValues)));
        assertEquals(CameraException.Kind.INVALID_ARGUMENT, e.kind());
        assertEquals(field, e.field(), e.getMessage());
    }

    @Test
    void defaultsMatchTheSeedServer() {
        Gphoto2Setup s = Gphoto2Setup.from(config());
        assertEquals(Duration.ofSeconds(10), s.settingsRefresh());
        assertEquals(Duration.ofMillis(50), s.liveviewInterval());
        assertTrue(s.port().isAuto());
        assertFalse(s.keepOnCamera());
        assertTrue(s.enabled());
        assertEquals("auto", s.device());
    }

    @Test
    void readsPropertiesAsConfigAdminHoldsThem() {
        Gphoto2Setup s = Gphoto2Setup.from(config("port", "ptpip:10.0.0.2", "keep.on.camera", "true",
                "settings.refresh.seconds", "30", "liveview.interval", 0.1, "stereo", true, "stereo.order", 2L,
                "model", " Canon EOS 700D "));
        assertEquals("ptpip:10.0.0.2", s.device());
        assertTrue(s.keepOnCamera());
        assertEquals(Duration.ofSeconds(30), s.settingsRefresh());
        assertEquals(Duration.ofMillis(100), s.liveviewInterval());
        assertEquals(2, s.stereoOrder());
        assertEquals("Canon EOS 700D", s.model());
    }

    @Test
    void refusesBadFieldsByName() {
        refused("name", "name", "Bad Name");
        refused("port", "port", "usb:1,2");
        refused("settings.refresh.seconds", "settings.refresh.seconds", 0);
        refused("settings.refresh.seconds", "settings.refresh.seconds", "often");
        refused("liveview.interval", "liveview.interval", -1);
        refused("liveview.interval", "liveview.interval", "NaN");
        refused("keep.on.camera", "keep.on.camera", "maybe");
        refused("model", "model", "x".repeat(200));
    }
}
