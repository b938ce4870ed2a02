package org.obscura.lights.gpio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obscura.camera.api.CameraException;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalOutputProvider;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutputProvider;

/** The controller on Pi4J's mock GPIO provider: the pin levels it drives are read back from Pi4J. */
class GpioLightControllerTest {

    private static final List<LightDefinition> LIGHTS = List.of(new LightDefinition("front", 17, true),
            new LightDefinition("left", 27, false), new LightDefinition("top", 22, true));

    private Context context;
    private GpioLightController controller;

    @BeforeEach
    void mockGpio() {
        context = Pi4J.newContextBuilder().noAutoDetect().add(MockDigitalOutputProvider.newInstance()).build();
    }

    @AfterEach
    void stop() {
        if (controller != null) {
            controller.deactivate();
        }
    }

    private DigitalState level(String light) {
        return context.registry().<DigitalOutput>get("obscura-light-" + light).state();
    }

    @Test
    void startsWithEveryLightOffAtItsPolarity() {
        controller = new GpioLightController(LIGHTS, new Pi4jPins(context, "mock-digital-output"));
        assertTrue(controller.hardwareAvailable());
        assertEquals(List.of("front", "left", "top"), List.copyOf(controller.states().keySet()));
        assertFalse(controller.states().containsValue(true));
        assertEquals(DigitalState.LOW, level("front"));
        assertEquals(DigitalState.HIGH, level("left"), "an active-low light is off with its pin high");
        assertEquals(DigitalState.LOW, level("top"));
    }

    @Test
    void switchesPinsAndReportsStates() {
        controller = new GpioLightController(LIGHTS, new Pi4jPins(context, "mock-digital-output"));
        controller.set("front", true);
        controller.set("left", true);
        assertEquals(DigitalState.HIGH, level("front"));
        assertEquals(DigitalState.LOW, level("left"));
        assertEquals(Map.of("front", true, "left", true, "top", false), controller.states());
        controller.allOff();
        assertEquals(DigitalState.LOW, level("front"));
        assertEquals(DigitalState.HIGH, level("left"));
        assertFalse(controller.states().containsValue(true));
    }

    @Test
    void unknownLightIsNotFound() {
        controller = new GpioLightController(LIGHTS, new Pi4jPins(context, "mock-digital-output"));
        CameraException e = assertThrows(CameraException.class, () -> controller.set("back", true));
        assertEquals(CameraException.Kind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().contains("'back'") && e.getMessage().contains("front"), e.getMessage());
    }

    @Test
    void stoppingSwitchesEverythingOff() {
        controller = new GpioLightController(LIGHTS, new Pi4jPins(context, "mock-digital-output"));
        controller.set("front", true);
        controller.set("left", true);
        // Read the pins before the context is shut down by deactivate().
        DigitalOutput front = context.registry().get("obscura-light-front");
        DigitalOutput left = context.registry().get("obscura-light-left");
        controller.deactivate();
        controller = null;
        assertEquals(DigitalState.LOW, front.state());
        assertEquals(DigitalState.HIGH, left.state());
    }

    @Test
    void aFailingPinSwitchesEveryOtherLightOff() {
        Set<String> broken = ConcurrentHashMap.newKeySet();
        GpioPins mock = new Pi4jPins(context, "mock-digital-output");
        GpioPins flaky = new GpioPins() {
            @Override
            public String description() {
                return "flaky";
            }

            @Override
            public Pin open(int bcm, String name, boolean initialHigh) {
                Pin pin = mock.open(bcm, name, initialHigh);
                return high -> {
                    if (broken.contains(name)) {
                        throw new IllegalStateException("pin " + bcm + " is gone");
                    }
                    pin.write(high);
                };
            }

            @Override
            public void close() {
                mock.close();
            }
        };
        controller = new GpioLightController(LIGHTS, flaky);
        controller.set("front", true);
        controller.set("left", true);
        broken.add("top");
        CameraException e = assertThrows(CameraException.class, () -> controller.set("top", true));
        assertEquals(CameraException.Kind.IO, e.kind());
        assertEquals(DigitalState.LOW, level("front"));
        assertEquals(DigitalState.HIGH, level("left"));
        assertEquals(Map.of("front", false, "left", false, "top", false), controller.states());
    }

    @Test
    void withoutHardwareLightsAreVirtualStates() {
        controller = new GpioLightController(LIGHTS, null);
        assertFalse(controller.hardwareAvailable());
        controller.set("top", true);
        assertEquals(Map.of("front", false, "left", false, "top", true), controller.states());
        controller.allOff();
        assertFalse(controller.states().containsValue(true));
    }

    @Test
    void choosesGpiodOnAPiLinuxfsOnOtherGpioBoardsElseVirtual(@TempDir Path root) throws IOException {
        assertNull(GpioLightController.chooseBackend("auto", root));
        Files.createDirectories(root.resolve("sys/class/gpio"));
        Files.writeString(root.resolve("sys/class/gpio/export"), "");
        assertEquals(GpioLightController.LINUXFS, GpioLightController.chooseBackend("auto", root));
        Files.createDirectories(root.resolve("proc/device-tree"));
        Files.writeString(root.resolve("proc/device-tree/model"), "Raspberry Pi 4 Model B Rev 1.4\0");
        Files.createDirectories(root.resolve("dev"));
        Files.writeString(root.resolve("dev/gpiochip0"), "");
        assertEquals(GpioLightController.GPIOD, GpioLightController.chooseBackend("auto", root));
        assertNull(GpioLightController.chooseBackend("virtual", root));
        assertEquals(GpioLightController.LINUXFS, GpioLightController.chooseBackend("linuxfs", root));
        CameraException e = assertThrows(CameraException.class,
                () -> GpioLightController.chooseBackend("pigpio", root));
        assertEquals("backend", e.field());
    }

    /**
     * The real providers are used even with the mock plugin on the class path (it would win Pi4J's automatic
     * detection), and a linuxfs context can be built on any machine.
     */
    @Test
    void theChosenRealProviderIsTheContextsOnlyOutputProvider() {
        Context real = GpioLightController.newContext(GpioLightController.LINUXFS, getClass().getClassLoader());
        try {
            assertEquals(GpioLightController.LINUXFS, real.provider(DigitalOutputProvider.class).id());
        } finally {
            real.shutdown();
        }
    }
}
