package org.obscura.driver.v4l2.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.DeviceInfo;

/**
 * Finds V4L2 capture nodes under a device directory ({@code /dev}) and describes them: card name, kernel
 * driver, bus info, the stable paths udev makes ({@code /dev/v4l/by-id/...} follows a USB camera from port to
 * port, {@code /dev/v4l/by-path/...} names a port), and the mode tree.
 *
 * <p>Nodes that are not single-planar streaming capture devices (UVC metadata nodes, codecs, radios,
 * multi-planar capture) are skipped. Probing opens each node briefly; V4L2 allows that next to a process that
 * is streaming from it, and only reads (QUERYCAP, ENUM_*), so streams are not disturbed.
 */
final class V4l2Discovery {

    private static final Comparator<Path> BY_NUMBER = Comparator
            .comparingInt((Path p) -> number(p.getFileName().toString())).thenComparing(Path::toString);

    private final LibC libc;
    private final Path dev;

    V4l2Discovery(LibC libc, Path dev) {
        this.libc = libc;
        this.dev = dev;
    }

    /** The {@code video*} nodes, in numeric order. */
    List<Path> videoNodes() {
        List<Path> nodes = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dev, "video*")) {
            for (Path p : s) {
                if (number(p.getFileName().toString()) >= 0) {
                    nodes.add(p);
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        nodes.sort(BY_NUMBER);
        return nodes;
    }

    /** Stable links in {@code v4l/by-id} or {@code v4l/by-path}, keyed by the node they point to (real path). */
    Map<Path, List<Path>> stableLinks(String kind) {
        Map<Path, List<Path>> links = new LinkedHashMap<>();
        Path dir = dev.resolve("v4l").resolve(kind);
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            List<Path> sorted = new ArrayList<>();
            s.forEach(sorted::add);
            sorted.sort(Comparator.naturalOrder());
            for (Path link : sorted) {
                try {
                    links.computeIfAbsent(link.toRealPath(), k -> new ArrayList<>()).add(link);
                } catch (IOException e) {
                    // Dangling link (device just unplugged).
                }
            }
        } catch (IOException e) {
            // No udev, or no such links.
        }
        return links;
    }

    /** The capture nodes with their descriptions and mode trees. Nodes that vanish or fail while probed are skipped. */
    List<DeviceInfo> discover() {
        Map<Path, List<Path>> byId = stableLinks("by-id");
        Map<Path, List<Path>> byPath = stableLinks("by-path");
        List<DeviceInfo> devices = new ArrayList<>();
        for (Path node : videoNodes()) {
            Path real;
            try {
                real = node.toRealPath();
            } catch (IOException e) {
                continue;
            }
            try (V4l2Node n = V4l2Node.open(libc, node.toString())) {
                Videodev2.Capability cap = n.queryCapability();
                if (!V4l2Node.isStreamingCapture(cap)) {
                    continue;
                }
                DeviceModes modes = DeviceModes.read(n);
                List<Path> ids = byId.getOrDefault(real, List.of());
                List<Path> paths = byPath.getOrDefault(real, List.of());
                String device = !ids.isEmpty() ? ids.get(0).toString()
                        : !paths.isEmpty() ? paths.get(0).toString() : node.toString();
                Map<String, Object> props = new LinkedHashMap<>();
                props.put("node", node.toString());
                props.put("card", Videodev2.string(cap.card));
                props.put("kernelDriver", Videodev2.string(cap.driver));
                props.put("busInfo", Videodev2.string(cap.bus_info));
                props.put("kernelVersion", (cap.version >>> 16) + "." + (cap.version >>> 8 & 0xFF) + "." + (cap.version & 0xFF));
                props.put("byId", ids.stream().map(Path::toString).toList());
                props.put("byPath", paths.stream().map(Path::toString).toList());
                if (!modes.unsupported().isEmpty()) {
                    props.put("unsupportedFormats", modes.unsupported());
                }
                devices.add(new DeviceInfo("v4l2", device, Videodev2.string(cap.card), props, modes.toInfo()));
            } catch (ErrnoException e) {
                // Gone, busy in a way that forbids even QUERYCAP, or not a V4L2 node: not offerable now.
            }
        }
        return devices;
    }

    /** Whether any node is a streaming capture device; the message says which nodes were looked at otherwise. */
    String captureStatus() {
        List<Path> nodes = videoNodes();
        if (nodes.isEmpty()) {
            return "no V4L2 device (" + dev.resolve("video*") + ")";
        }
        List<String> denied = new ArrayList<>();
        for (Path node : nodes) {
            try (V4l2Node n = V4l2Node.open(libc, node.toString())) {
                if (V4l2Node.isStreamingCapture(n.queryCapability())) {
                    return null;
                }
            } catch (ErrnoException e) {
                if (e.errno() == LibC.EACCES || e.errno() == LibC.EPERM) {
                    denied.add(node.toString());
                }
            }
        }
        if (!denied.isEmpty()) {
            return "no access to " + String.join(", ", denied) + ": the server's user needs to be in the 'video' group";
        }
        return "no V4L2 capture device among " + nodes.stream().map(Path::toString).reduce((a, b) -> a + ", " + b).orElse("");
    }

    /**
     * Opens a configured device path (a node or a stable link) and checks that it is a capture device this
     * driver can stream from. The caller closes the node.
     *
     * @throws CameraException INVALID_ARGUMENT (field {@code device}) when it exists but is not a V4L2
     *                         capture device; UNAVAILABLE when it does not exist (unplugged); BUSY, IO
     */
    V4l2Node openCapture(String device) {
        Path path = Path.of(device);
        BasicFileAttributes attributes;
        try {
            // One stat (following a stable link) tells both whether it exists and what it is.
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (IOException e) {
            throw new CameraException(CameraException.Kind.UNAVAILABLE, "device " + device + " does not exist (unplugged?)",
                    "device", null);
        }
        if (attributes.isDirectory() || attributes.isRegularFile()) {
            throw CameraException.invalid("device", device + " is not a device node");
        }
        V4l2Node node;
        try {
            node = V4l2Node.open(libc, device);
        } catch (ErrnoException e) {
            throw e.toCameraException("cannot open " + device);
        }
        try {
            Videodev2.Capability cap = node.capability();
            if (!V4l2Node.isStreamingCapture(cap)) {
                throw CameraException.invalid("device", device + " (" + Videodev2.string(cap.card)
                        + ") is not a V4L2 capture device with streaming I/O");
            }
            return node;
        } catch (ErrnoException e) {
            node.close();
            if (e.errno() == LibC.ENOTTY || e.errno() == LibC.EINVAL) {
                throw CameraException.invalid("device", device + " is not a V4L2 device");
            }
            throw e.toCameraException("cannot query " + device);
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
    }

    private static int number(String name) {
        if (!name.startsWith("video") || name.length() == 5) {
            return -1;
        }
        try {
            return Integer.parseInt(name.substring(5));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
