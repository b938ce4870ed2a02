package org.obscura.compat.internal;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

import org.obscura.camera.api.CameraConfig;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraRegistry;
import org.obscura.camera.api.CameraStatus;
import org.obscura.camera.api.DriverInfo;
import org.obscura.camera.spi.CameraDriver;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Changes a running camera's mode by updating its ConfigAdmin configuration, the way every Obscura camera is
 * configured: the camera's configuration is the factory configuration of its driver's factory PID whose
 * {@code name} is the camera's name. The changed properties are merged into the stored ones, checked by the
 * driver's {@link CameraDriver#validate}, then written; the driver reopens the device with the new mode.
 * Internal keys already stored (FileInstall's file name, which links the configuration to its file) are kept.
 *
 * <p>Thread-safe; {@code apply} is synchronized so that two reconfigurations never interleave their
 * read-merge-write.
 */
final class CameraReconfiguration {

    /** Keys ConfigAdmin owns; left out of what is validated and written. */
    private static final Set<String> OWNED = Set.of("service.pid", "service.factoryPid", "service.bundleLocation");

    private final CameraRegistry registry;
    private final Supplier<ConfigurationAdmin> admin;
    private final Function<String, Optional<CameraDriver>> drivers;

    /**
     * @param admin   the configuration admin service, or {@code null} from the supplier while there is none
     * @param drivers the driver service for a driver id
     */
    CameraReconfiguration(CameraRegistry registry, Supplier<ConfigurationAdmin> admin,
            Function<String, Optional<CameraDriver>> drivers) {
        this.registry = registry;
        this.admin = admin;
        this.drivers = drivers;
    }

    /**
     * Merges {@code changes} into the camera's configuration, validates and writes it.
     *
     * @throws CameraException INVALID_ARGUMENT (the driver refused a value, naming the field), CONFLICT (the
     *                         camera has no configuration, e.g. a driver's built-in camera), UNAVAILABLE
     *                         (no ConfigAdmin or driver service), IO (the store failed)
     */
    synchronized void apply(CameraStatus camera, Map<String, Object> changes) {
        ConfigurationAdmin ca = admin.get();
        if (ca == null) {
            throw new CameraException(CameraException.Kind.UNAVAILABLE,
                    "camera configurations cannot be changed: the configuration service is not running");
        }
        if (camera.descriptor() == null) {
            throw new CameraException(CameraException.Kind.UNAVAILABLE, "camera '" + camera.name() + "' is not described yet");
        }
        String driverId = camera.descriptor().driver();
        DriverInfo driver = registry.driver(driverId).orElseThrow(() -> new CameraException(
                CameraException.Kind.UNAVAILABLE, "the driver '" + driverId + "' of camera '" + camera.name()
                        + "' is not running"));
        CameraDriver service = drivers.apply(driverId).orElseThrow(() -> new CameraException(
                CameraException.Kind.UNAVAILABLE, "the driver '" + driverId + "' of camera '" + camera.name()
                        + "' is not running"));
        Configuration configuration = find(ca, camera.name(), driver.factoryPid());

        Map<String, Object> merged = new HashMap<>();
        Dictionary<String, Object> stored = configuration.getProperties();
        if (stored != null) {
            for (Enumeration<String> keys = stored.keys(); keys.hasMoreElements();) {
                String key = keys.nextElement();
                if (!OWNED.contains(key)) {
                    merged.put(key, stored.get(key));
                }
            }
        }
        merged.putAll(changes);
        service.validate(Map.copyOf(merged));
        try {
            configuration.update(new Hashtable<>(merged));
        } catch (IOException e) {
            throw new CameraException(CameraException.Kind.IO,
                    "the configuration of camera '" + camera.name() + "' could not be stored: " + e.getMessage(), e);
        }
    }

    /** The stored configuration of a camera, if it has one; needed to know whether it already names a key. */
    Optional<Dictionary<String, Object>> stored(CameraStatus camera) {
        ConfigurationAdmin ca = admin.get();
        if (ca == null || camera.descriptor() == null) {
            return Optional.empty();
        }
        Optional<DriverInfo> driver = registry.driver(camera.descriptor().driver());
        if (driver.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(find(ca, camera.name(), driver.get().factoryPid()).getProperties());
        } catch (CameraException e) {
            return Optional.empty();
        }
    }

    private static Configuration find(ConfigurationAdmin ca, String name, String factoryPid) {
        String filter = "(&(" + CameraConfig.NAME + "=" + escape(name) + ")(service.factoryPid=" + escape(factoryPid) + "))";
        Configuration[] found;
        try {
            found = ca.listConfigurations(filter);
        } catch (IOException e) {
            throw new CameraException(CameraException.Kind.IO, "the configuration store failed: " + e.getMessage(), e);
        } catch (InvalidSyntaxException e) {
            // Every value in the filter is escaped: a syntax error here is a bug, not bad input.
            throw new IllegalStateException("bad configuration filter " + filter, e);
        }
        if (found == null || found.length == 0) {
            throw new CameraException(CameraException.Kind.CONFLICT, "camera '" + name
                    + "' has no configuration that can be changed (it is built into its driver)");
        }
        if (found.length > 1) {
            throw new CameraException(CameraException.Kind.CONFLICT, "camera '" + name + "' has "
                    + found.length + " configurations; change it in the REST API or the web console");
        }
        return found[0];
    }

    /** Escapes an LDAP filter value (RFC 4515). */
    static String escape(String value) {
        StringBuilder b = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            switch (c) {
                case '\\', '*', '(', ')', '\0' -> b.append('\\').append(String.format("%02x", (int) c));
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
