package org.obscura.camera.api;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a camera is, as configured: stable identity and static properties. Returned by
 * {@code CameraDevice.descriptor()}; may change when the camera is reconfigured.
 *
 * @param name             unique camera name, {@link CameraConfig#NAME_PATTERN}
 * @param label            human label (defaults to the name)
 * @param driver           id of the driver that runs it, e.g. {@code "v4l2"}
 * @param device           the device it drives, in the driver's terms ({@code /dev/video0}, {@code usb:001,006}, a URL)
 * @param mode             the current capture mode
 * @param capabilities     what it can do
 * @param stereo           whether it takes part in stereo captures
 * @param stereoOrder      its position among the stereo cameras (lower first)
 * @param interruptService a systemd service to stop before exclusive capture and restart after, or {@code null}
 * @param properties       further driver-specific facts for display (model, serial, bus), never {@code null}
 */
public record CameraDescriptor(String name, String label, String driver, String device, Mode mode,
        Set<Capability> capabilities, boolean stereo, int stereoOrder, String interruptService,
        Map<String, Object> properties) {
    public CameraDescriptor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(driver, "driver");
        Objects.requireNonNull(mode, "mode");
        label = label == null || label.isBlank() ? name : label;
        device = device == null ? "" : device;
        capabilities = Set.copyOf(capabilities);
        interruptService = interruptService == null || interruptService.isBlank() ? null : interruptService;
        properties = properties == null ? Map.of() : Map.copyOf(properties);
    }

    public boolean can(Capability capability) {
        return capabilities.contains(capability);
    }
}
