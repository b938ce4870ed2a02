package org.obscura.rest.internal;

import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.obscura.camera.spi.CameraDriver;
import org.osgi.framework.Bundle;

/**
 * The {@link CameraDriver} services currently registered, by driver id. The registry describes drivers
 * ({@code DriverInfo}) but does not hand out the driver services; the REST API needs them to call
 * {@link CameraDriver#validate} before writing a camera configuration, and their bundles to find the metatype
 * form of their factory PID.
 *
 * <p>Fed by the servlet component's dynamic reference, read by request threads: thread-safe. When several
 * services claim the same id, the one with the highest service ranking (then the lowest service id) wins,
 * as the framework would choose.
 */
final class DriverDirectory {

    /**
     * One driver service.
     *
     * @param key       identity of the registration (the service reference), used to remove it
     * @param id        the {@link CameraDriver#DRIVER_ID} service property, else {@code driver.id()}
     * @param ranking   service ranking
     * @param serviceId service id
     * @param driver    the service object
     * @param bundle    the bundle that registered it, or {@code null} outside a framework
     */
    record Entry(Object key, String id, int ranking, long serviceId, CameraDriver driver, Bundle bundle) {
    }

    private static final Comparator<Entry> PREFERENCE = Comparator.comparingInt(Entry::ranking)
            .thenComparing(Comparator.comparingLong(Entry::serviceId).reversed());

    private final Map<Object, Entry> entries = new ConcurrentHashMap<>();

    void add(Entry entry) {
        entries.put(entry.key(), entry);
    }

    void remove(Object key) {
        entries.remove(key);
    }

    /** The preferred service for a driver id. */
    Optional<Entry> find(String id) {
        return entries.values().stream().filter(e -> e.id().equals(id)).max(PREFERENCE);
    }
}
