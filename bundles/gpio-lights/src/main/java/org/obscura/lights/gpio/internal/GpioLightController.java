package org.obscura.lights.gpio.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.LightController;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalOutputProvider;
import com.pi4j.plugin.linuxfs.provider.gpio.digital.LinuxFsDigitalOutputProvider;
import com.pi4j.provider.Provider;

/**
 * Named lights on GPIO pins. With GPIO hardware the pins are driven through Pi4J (gpiod on a Raspberry Pi,
 * the kernel's sysfs interface through linuxfs on any other board); without, the lights are kept as virtual
 * states and {@link #hardwareAvailable()} is {@code false}, so that interfaces and sequences still work.
 *
 * <p>Every light is off when the component starts and when it stops (configuration change, bundle stop,
 * shutdown), and after any GPIO failure.
 */
@Component(service = LightController.class, configurationPid = GpioLightController.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = GpioLightController.Config.class)
public final class GpioLightController implements LightController {

    /** Configuration PID of the lights. */
    public static final String PID = "org.obscura.lights.gpio";

    static final String GPIOD = "gpiod-digital-output";
    static final String LINUXFS = "linuxfs-digital-output";
    private static final Logger LOG = LoggerFactory.getLogger(GpioLightController.class);

    @ObjectClassDefinition(name = "Obscura GPIO lights", description = "Named lights switched through GPIO pins "
            + "(Raspberry Pi or any board with kernel GPIO).")
    public @interface Config {
        @AttributeDefinition(name = "Lights", description = "One entry per light, in order: 'name=pin' with the "
                + "BCM GPIO number of its pin, optionally ':low' for lights that are on when the pin is low (most "
                + "relay boards) or ':high' (the default). Example: front=17, left=27:low.")
        String[] lights() default {};

        @AttributeDefinition(name = "GPIO back end", description = "How pins are driven. 'auto': gpiod on a "
                + "Raspberry Pi, linuxfs (sysfs) on other boards with kernel GPIO, virtual lights where there is "
                + "none.", options = {
                    @Option(value = "auto", label = "Automatic"),
                    @Option(value = "gpiod", label = "gpiod (Raspberry Pi)"),
                    @Option(value = "linuxfs", label = "linuxfs (kernel sysfs GPIO)"),
                    @Option(value = "virtual", label = "Virtual (no hardware)") })
        String backend() default "auto";
    }

    private final LightBank bank;

    @Activate
    public GpioLightController(Config config) {
        List<LightDefinition> lights = LightDefinition.parse(config.lights());
        String backend = chooseBackend(config.backend(), Path.of("/"));
        GpioPins pins = null;
        if (backend != null && !lights.isEmpty()) {
            try {
                pins = new Pi4jPins(newContext(backend, GpioLightController.class.getClassLoader()), backend);
            } catch (RuntimeException | LinkageError e) {
                LOG.warn("GPIO back end {} is not available ({}); lights are virtual", backend, e.toString());
            }
        }
        LightBank opened;
        try {
            opened = new LightBank(lights, pins);
        } catch (RuntimeException e) {
            LOG.warn("could not open the light pins through {} ({}); lights are virtual", backend, e.toString());
            opened = new LightBank(lights, null);
        }
        this.bank = opened;
        bank.allOff();
        LOG.info("lights {} ({})", bank.states().keySet(), bank.hardware() ? pins.description() : "virtual");
    }

    /** For tests: lights on the given pins ({@code null}: virtual). */
    GpioLightController(List<LightDefinition> lights, GpioPins pins) {
        this.bank = new LightBank(lights, pins);
        bank.allOff();
    }

    /**
     * The Pi4J provider id for a configured back end, or {@code null} for virtual lights. {@code root} is the
     * file system root to look at (tests give a fake one).
     *
     * @throws CameraException INVALID_ARGUMENT for an unknown back end
     */
    static String chooseBackend(String configured, Path root) {
        String backend = configured == null || configured.isBlank() ? "auto"
                : configured.trim().toLowerCase(Locale.ROOT);
        switch (backend) {
            case "gpiod":
                return GPIOD;
            case "linuxfs":
                return LINUXFS;
            case "virtual":
                return null;
            case "auto":
                if (isRaspberryPi(root) && hasGpioChip(root)) {
                    return GPIOD;
                }
                return Files.isWritable(root.resolve("sys/class/gpio/export")) ? LINUXFS : null;
            default:
                throw CameraException.invalid("backend", "GPIO back end '" + configured
                        + "' is unknown; use auto, gpiod, linuxfs or virtual");
        }
    }

    private static boolean isRaspberryPi(Path root) {
        try {
            String model = Files.readString(root.resolve("proc/device-tree/model"), StandardCharsets.ISO_8859_1);
            return model.contains("Raspberry Pi");
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean hasGpioChip(Path root) {
        try (var entries = Files.list(root.resolve("dev"))) {
            return entries.anyMatch(p -> p.getFileName().toString().startsWith("gpiochip"));
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * A Pi4J context holding exactly the provider of the chosen back end. Pi4J's automatic detection keeps only
     * one digital output provider, by priority (gpiod would hide linuxfs even where gpiod cannot work, and the
     * mock plugin hides both when it is on the class path), so the provider is named here instead. Pi4J still
     * looks for plugins with ServiceLoader on the thread context class loader, which inside OSGi is not this
     * bundle's: it is set to {@code loader} for the duration of the call.
     */
    static Context newContext(String backend, ClassLoader loader) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            Provider<?, ?, ?> provider = GPIOD.equals(backend) ? GpioDDigitalOutputProvider.newInstance()
                    : LinuxFsDigitalOutputProvider.newInstance();
            return Pi4J.newContextBuilder().noAutoDetect().add(provider).build();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    @Deactivate
    void deactivate() {
        bank.close();
        LOG.info("lights off and released");
    }

    @Override
    public Map<String, Boolean> states() {
        return bank.states();
    }

    @Override
    public boolean hardwareAvailable() {
        return bank.hardware();
    }

    @Override
    public void set(String light, boolean on) {
        bank.set(light, on);
    }

    @Override
    public void allOff() {
        bank.allOff();
    }
}
