package org.obscura.camera.spi.support;

import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.obscura.camera.api.CameraConfig;
import org.obscura.camera.spi.CameraDevice;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;

/**
 * A {@link CameraDevice} registered as a service the way the core finds it: with {@link CameraConfig#CAMERA_NAME}
 * (the descriptor's name) and {@link CameraConfig#DRIVER}, plus the configuration's {@code service.pid} and
 * {@code service.factoryPid} as Declarative Services would add them.
 *
 * <p>Why not let DS register the component: DS cannot derive {@code camera.name} from the configuration's
 * {@code name}. So the camera component declares {@code service = {}} and, in its activate method:
 *
 * <pre>{@code
 * registration = CameraRegistration.register(context, camera, DRIVER_ID, properties);
 * }</pre>
 *
 * and in deactivate {@code registration.close(); camera.close();}. Because DS then declares no service
 * capability, add to the component class (for resolvers looking for camera providers):
 * {@code @Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=org.obscura.camera.spi.CameraDevice",
 * uses = CameraDevice.class)}.
 */
public final class CameraRegistration implements AutoCloseable {

    private static final List<String> COPIED = List.of(Constants.SERVICE_PID, "service.factoryPid");

    private ServiceRegistration<CameraDevice> registration; // guarded by this

    private CameraRegistration(ServiceRegistration<CameraDevice> registration) {
        this.registration = registration;
    }

    /**
     * Registers {@code device}.
     *
     * @param context             the driver bundle's context
     * @param device              the camera; its descriptor's name becomes {@code camera.name}
     * @param driverId            the driver id, {@code camera.driver}
     * @param componentProperties the component's properties ({@code service.pid} and
     *                            {@code service.factoryPid} are copied), or {@code null}
     * @param extra               further service properties, or {@code null}
     */
    public static CameraRegistration register(BundleContext context, CameraDevice device, String driverId,
            Map<String, ?> componentProperties, Map<String, ?> extra) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(driverId, "driverId");
        return new CameraRegistration(context.registerService(CameraDevice.class, device,
                serviceProperties(device, driverId, componentProperties, extra)));
    }

    /** {@link #register(BundleContext, CameraDevice, String, Map, Map)} without extra properties. */
    public static CameraRegistration register(BundleContext context, CameraDevice device, String driverId,
            Map<String, ?> componentProperties) {
        return register(context, device, driverId, componentProperties, null);
    }

    /** The service properties {@link #register} uses. */
    public static Hashtable<String, Object> serviceProperties(CameraDevice device, String driverId,
            Map<String, ?> componentProperties, Map<String, ?> extra) {
        Hashtable<String, Object> p = new Hashtable<>();
        if (extra != null) {
            extra.forEach((k, v) -> {
                if (v != null) {
                    p.put(k, v);
                }
            });
        }
        if (componentProperties != null) {
            for (String key : COPIED) {
                Object value = componentProperties.get(key);
                if (value != null) {
                    p.put(key, value);
                }
            }
        }
        p.put(CameraConfig.CAMERA_NAME, device.descriptor().name());
        p.put(CameraConfig.DRIVER, driverId);
        return p;
    }

    /** Whether the service is still registered by this object. */
    public synchronized boolean registered() {
        return registration != null;
    }

    /**
     * Unregisters the service. Idempotent; tolerates the framework having unregistered it already (bundle
     * stopping).
     */
    @Override
    public void close() {
        ServiceRegistration<CameraDevice> r;
        synchronized (this) {
            r = registration;
            registration = null;
        }
        if (r != null) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // unregistered with the bundle
            }
        }
    }
}
