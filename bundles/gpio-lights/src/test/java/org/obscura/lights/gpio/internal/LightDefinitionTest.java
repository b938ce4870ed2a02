package org.obscura.lights.gpio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.obscura.camera.api.CameraException;

class LightDefinitionTest {

    @Test
    void parsesNamesPinsAndPolarityInOrder() {
        List<LightDefinition> lights = LightDefinition.parse(new String[] { "front=17", " left = 27:low ",
                "top=22:HIGH", "" });
        assertEquals(List.of(new LightDefinition("front", 17, true), new LightDefinition("left", 27, false),
                new LightDefinition("top", 22, true)), lights);
        assertTrue(lights.get(1).level(false), "an active-low light is off when its pin is high");
    }

    @Test
    void refusesMalformedEntriesNamingTheField() {
        for (String bad : new String[] { "front", "front=", "front=x", "front=17:sideways", "../x=4", "a b=3",
                "front=54" }) {
            CameraException e = assertThrows(CameraException.class, () -> LightDefinition.parse(new String[] { bad }),
                    bad);
            assertEquals(CameraException.Kind.INVALID_ARGUMENT, e.kind());
            assertEquals("lights", e.field());
        }
    }

    @Test
    void refusesDuplicateNamesAndPins() {
        CameraException names = assertThrows(CameraException.class,
                () -> LightDefinition.parse(new String[] { "front=17", "FRONT=18" }));
        assertTrue(names.getMessage().contains("used twice"), names.getMessage());
        CameraException pins = assertThrows(CameraException.class,
                () -> LightDefinition.parse(new String[] { "front=17", "back=17" }));
        assertTrue(pins.getMessage().contains("both use BCM pin 17"), pins.getMessage());
    }
}
