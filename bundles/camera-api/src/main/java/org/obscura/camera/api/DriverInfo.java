package org.obscura.camera.api;

import java.util.Objects;

/**
 * A camera driver as the registry sees it.
 *
 * @param id          driver id ({@code "v4l2"}, {@code "gphoto2"}, {@code "testpattern"})
 * @param name        display name
 * @param factoryPid  the ConfigAdmin factory PID whose configurations are this driver's cameras
 * @param available   whether the driver can work here (native library present, hardware reachable)
 * @param status      a sentence on its state, e.g. why it is unavailable
 * @param bundle      symbolic name of the bundle providing it
 * @param version     that bundle's version
 */
public record DriverInfo(String id, String name, String factoryPid, boolean available, String status,
        String bundle, String version) {
    public DriverInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(factoryPid, "factoryPid");
    }
}
