package org.obscura.driver.v4l2.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Node listing and stable-link resolution on a fake device directory (no ioctls). */
class V4l2DiscoveryTest {

    @Test
    void nodesAreListedInNumericOrderAndLinksResolveToThem(@TempDir Path dev) throws Exception {
        for (String n : List.of("video10", "video2", "video0", "videoX", "vbi0")) {
            Files.createFile(dev.resolve(n));
        }
        Path byId = Files.createDirectories(dev.resolve("v4l/by-id"));
        Path byPath = Files.createDirectories(dev.resolve("v4l/by-path"));
        Files.createSymbolicLink(byId.resolve("usb-Logitech_C920_ABC-video-index0"), Path.of("../../video2"));
        Files.createSymbolicLink(byPath.resolve("pci-0000:00:14.0-usb-0:1:1.0-video-index0"), Path.of("../../video2"));
        Files.createSymbolicLink(byId.resolve("usb-gone-video-index0"), Path.of("../../video7"));

        V4l2Discovery discovery = new V4l2Discovery(null, dev);
        assertEquals(List.of("video0", "video2", "video10"),
                discovery.videoNodes().stream().map(p -> p.getFileName().toString()).toList());
        Map<Path, List<Path>> ids = discovery.stableLinks("by-id");
        assertEquals(List.of(byId.resolve("usb-Logitech_C920_ABC-video-index0")), ids.get(dev.resolve("video2").toRealPath()));
        assertEquals(1, ids.size(), "dangling links are ignored");
        assertEquals(1, discovery.stableLinks("by-path").size());
        assertTrue(discovery.stableLinks("by-nothing").isEmpty());
    }

    @Test
    void aMissingDeviceDirectoryMeansNoDevices(@TempDir Path dir) {
        V4l2Discovery discovery = new V4l2Discovery(null, dir.resolve("absent"));
        assertTrue(discovery.videoNodes().isEmpty());
        assertTrue(discovery.captureStatus().startsWith("no V4L2 device"));
    }
}
