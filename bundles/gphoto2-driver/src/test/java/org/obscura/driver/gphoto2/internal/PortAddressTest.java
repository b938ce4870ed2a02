package org.obscura.driver.gphoto2.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.obscura.camera.api.CameraException;

class PortAddressTest {

    @Test
    void emptyMeansAutoDetection() {
        assertTrue(PortAddress.parse("").isAuto());
        assertTrue(PortAddress.parse(null).isAuto());
        assertTrue(PortAddress.parse("   ").isAuto());
    }

    @Test
    void acceptsUsbAndPtpIpPorts() {
        assertEquals(new PortAddress(PortAddress.Kind.USB, "usb:001,006"), PortAddress.parse(" usb:001,006 "));
        assertEquals(PortAddress.Kind.PTPIP, PortAddress.parse("ptpip:192.168.1.20").kind());
        assertEquals("ptpip:127.0.0.1:15740:15741", PortAddress.parse("ptpip:127.0.0.1:15740:15741").path());
    }

    @ParameterizedTest
    @ValueSource(strings = { "usb:1,6", "usb:", "usb:001-006", "ptpip:camera.local", "ptpip:256.1.1.1",
            "ptpip:10.0.0.1:0", "ptpip:10.0.0.1:70000", "ptpip:10.0.0.1:1:2:3", "serial:/dev/ttyS0", "/dev/video0",
            "usb:001,006; rm -rf /" })
    void refusesMalformedPortsNamingTheField(String port) {
        CameraException e = assertThrows(CameraException.class, () -> PortAddress.parse(port));
        assertEquals(CameraException.Kind.INVALID_ARGUMENT, e.kind());
        assertEquals("port", e.field());
        assertTrue(e.getMessage().contains(port.strip()), e.getMessage());
    }
}
