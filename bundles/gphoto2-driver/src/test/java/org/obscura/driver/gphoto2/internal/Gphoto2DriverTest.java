package org.obscura.driver.gphoto2.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.DeviceInfo;

class Gphoto2DriverTest {

    private final Gphoto2Driver driver = new Gphoto2Driver();

    @Test
    void describesItself() {
        assertEquals("gphoto2", driver.id());
        assertEquals("org.obscura.driver.gphoto2.camera", driver.factoryPid());
        assertEquals(Gphoto2Camera.FACTORY_PID, driver.factoryPid());
    }

    @Test
    void reportsTheLibraryStateAndDetectsWithoutOpeningCameras() {
        String reason = Gphoto2Library.unavailableReason();
        if (reason != null) {
            System.err.println("SKIPPING detection: " + reason);
            assertTrue(reason.contains(Gphoto2Library.PACKAGE), reason);
            assertEquals(reason, driver.status());
        }
        Peers.require(reason == null, reason);
        assertTrue(driver.available());
        assertTrue(driver.status().startsWith("ready (libgphoto2 2."), driver.status());
        // this machine may have no camera: detection must still answer, with only USB/serial ports
        for (DeviceInfo d : driver.discover()) {
            assertEquals("gphoto2", d.driver());
            assertTrue(d.device().startsWith("usb:") || d.device().startsWith("serial:"), d.device());
        }
    }

    @Test
    void validatesConfigurationsNamingTheField() {
        assertDoesNotThrow(() -> driver.validate(Map.of("name", "dslr", "port", "usb:001,006")));
        CameraException e = assertThrows(CameraException.class,
                () -> driver.validate(Map.of("name", "dslr", "port", "ptpip:camera.local")));
        assertEquals(CameraException.Kind.INVALID_ARGUMENT, e.kind());
        assertEquals("port", e.field());
        assertEquals("name", assertThrows(CameraException.class, () -> driver.validate(Map.of("port", ""))).field());
    }
}
