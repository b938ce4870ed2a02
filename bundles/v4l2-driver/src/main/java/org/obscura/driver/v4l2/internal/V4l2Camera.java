package org.obscura.driver.v4l2.internal;

import java.nio.file.Path;
import java.util.Hashtable;

import org.obscura.camera.api.CameraConfig;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.spi.CameraDevice;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One V4L2 camera per factory configuration of {@value V4l2Driver#FACTORY_PID}. It registers a
 * {@link CameraDevice} service with the {@code camera.name} and {@code camera.driver} properties the core
 * looks for (so the component itself provides no service), and unregisters it, stopping any stream, when the
 * configuration changes or goes away: the core keeps viewers connected and resumes them on the new device.
 *
 * <p>A disabled camera, or one whose name is invalid, registers nothing; the configuration is kept.
 */
@Component(configurationPid = V4l2Driver.FACTORY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = V4l2Camera.Config.class, factory = true)
public final class V4l2Camera {

    private static final Logger LOG = LoggerFactory.getLogger(V4l2Camera.class);

    @ObjectClassDefinition(name = "USB webcam (V4L2)",
            description = "A camera driven through Video4Linux2: USB webcams, capture cards, the Pi camera's V4L2 node.")
    @interface Config {
        @AttributeDefinition(name = "Name",
                description = "Unique camera name: lower case letters, digits, '_' and '-', starting with a letter or digit.")
        String name();

        @AttributeDefinition(name = "Label", description = "Human name shown in the interfaces (default: the name).",
                required = false)
        String label() default "";

        @AttributeDefinition(name = "Device", description = "The capture device. Prefer a stable path from "
                + "/dev/v4l/by-id (follows the camera to any USB port) or /dev/v4l/by-path (a fixed port) over /dev/videoN, "
                + "whose numbers change between boots.")
        String device();

        @AttributeDefinition(name = "Pixel format", description = "Fourcc as the device lists it (MJPG, YUYV, NV12, "
                + "GREY, RGB3, BGR3, UYVY). Blank: MJPG if offered (passed through untouched), else YUYV.", required = false)
        String format() default "";

        @AttributeDefinition(name = "Width", description = "Width in pixels; 0 with height 0 for the largest size up to 1280x720.",
                min = "0")
        int width() default 0;

        @AttributeDefinition(name = "Height", description = "Height in pixels; 0 with width 0 for the default size.", min = "0")
        int height() default 0;

        @AttributeDefinition(name = "Frame rate", description = "Frames per second; 0 for the highest the mode offers.",
                min = "0")
        double fps() default 0;

        @AttributeDefinition(name = "Stereo", description = "Takes part in stereo captures.")
        boolean stereo() default false;

        @AttributeDefinition(name = "Stereo order", description = "Position among the stereo cameras, lower first.")
        int stereo_order() default 0;

        @AttributeDefinition(name = "Interrupt service", description = "A systemd service that holds the device "
                + "(e.g. mjpg-streamer.service), stopped before an exclusive capture and restarted after.", required = false)
        String interrupt_service() default "";

        @AttributeDefinition(name = "Enabled", description = "A disabled camera keeps its configuration but is not offered.")
        boolean enabled() default true;
    }

    private final ServiceRegistration<CameraDevice> registration;
    private final V4l2CameraDevice device;

    @Activate
    public V4l2Camera(Config config, BundleContext context) {
        String name = config.name();
        if (!CameraConfig.isValidName(name)) {
            LOG.error("V4L2 camera not started: invalid name '{}' (lower case letters, digits, '_' and '-')", name);
            registration = null;
            device = null;
            return;
        }
        if (!config.enabled()) {
            registration = null;
            device = null;
            return;
        }
        V4l2CameraDevice.CameraSpec spec = new V4l2CameraDevice.CameraSpec(name, config.label(), config.device(),
                config.format(), config.width(), config.height(), config.fps(), config.stereo(), config.stereo_order(),
                config.interrupt_service());
        device = new V4l2CameraDevice(LibCAccess.get().orElse(null), Path.of("/dev"), spec);
        if (LibCAccess.get().isEmpty()) {
            LOG.warn("V4L2 camera {} registered but cannot work: {}", name, LibCAccess.error());
        }
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(CameraConfig.CAMERA_NAME, name);
        props.put(CameraConfig.DRIVER, V4l2Driver.ID);
        props.put(Constants.SERVICE_DESCRIPTION, "V4L2 camera " + name + " on " + config.device());
        registration = context.registerService(CameraDevice.class, guarded(device), props);
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException e) {
                // Already gone with the bundle.
            }
        }
        if (device != null) {
            device.stop();
        }
    }

    /** The device as registered: without a C library every operation is UNAVAILABLE, saying why. */
    private static CameraDevice guarded(V4l2CameraDevice device) {
        if (LibCAccess.get().isPresent()) {
            return device;
        }
        return new CameraDevice() {
            @Override
            public org.obscura.camera.api.CameraDescriptor descriptor() {
                return device.descriptor();
            }

            @Override
            public void start(org.obscura.camera.spi.FrameSink sink) {
                throw new CameraException(CameraException.Kind.UNAVAILABLE, LibCAccess.error());
            }

            @Override
            public void stop() {
            }

            @Override
            public org.obscura.camera.api.Frame captureStill() {
                throw new CameraException(CameraException.Kind.UNAVAILABLE, LibCAccess.error());
            }
        };
    }
}
