package org.obscura.camera.api;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A device a driver can see now (not necessarily configured as a camera), with its whole mode tree:
 * format, then sizes, then frame rates. This is what a settings form offers to pick from.
 *
 * @param driver     id of the driver that found it
 * @param device     what to put in a camera's {@code device} property to use it (stable path preferred)
 * @param name       human name (card name, camera model)
 * @param properties further facts: bus info, driver name, alternative paths, serial
 * @param formats    formats it offers, each with its sizes and rates; empty when unknown
 */
public record DeviceInfo(String driver, String device, String name, Map<String, Object> properties,
        List<Format> formats) {
    public DeviceInfo {
        Objects.requireNonNull(driver, "driver");
        Objects.requireNonNull(device, "device");
        name = name == null ? device : name;
        properties = properties == null ? Map.of() : Map.copyOf(properties);
        formats = formats == null ? List.of() : List.copyOf(formats);
    }

    /**
     * One pixel format a device offers.
     *
     * @param fourcc      the device's own code ({@code "YUYV"}, {@code "MJPG"}), even when the core has no
     *                    {@link PixelFormat} for it
     * @param description human description ("Motion-JPEG")
     * @param sizes       sizes offered in this format
     */
    public record Format(String fourcc, String description, List<Size> sizes) {
        public Format {
            Objects.requireNonNull(fourcc, "fourcc");
            sizes = sizes == null ? List.of() : List.copyOf(sizes);
        }
    }

    /**
     * A size and the frame rates offered at it.
     *
     * @param width  width in pixels
     * @param height height in pixels
     * @param fps    frame rates, highest first; empty when the device does not say
     */
    public record Size(int width, int height, List<Double> fps) {
        public Size {
            fps = fps == null ? List.of() : List.copyOf(fps);
        }
    }
}
