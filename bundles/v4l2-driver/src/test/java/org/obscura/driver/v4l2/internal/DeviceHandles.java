package org.obscura.driver.v4l2.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** This process's descriptors on V4L2 nodes and its mappings of their buffers ({@code /proc/self}). */
record DeviceHandles(int fds, int mappings) {
    static final DeviceHandles NONE = new DeviceHandles(0, 0);

    static DeviceHandles now() throws IOException {
        int fds = 0;
        try (Stream<Path> links = Files.list(Path.of("/proc/self/fd"))) {
            for (Path link : (Iterable<Path>) links::iterator) {
                try {
                    if (Files.readSymbolicLink(link).toString().startsWith("/dev/video")) {
                        fds++;
                    }
                } catch (IOException e) {
                    // the descriptor closed (the listing's own one among them) while we looked
                }
            }
        }
        int mappings = (int) Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(l -> l.contains(" /dev/video")).count();
        return new DeviceHandles(fds, mappings);
    }
}
