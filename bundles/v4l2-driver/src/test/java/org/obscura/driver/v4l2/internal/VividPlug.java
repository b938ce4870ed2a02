package org.obscura.driver.v4l2.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Pulls vivid's platform device out of its driver and puts it back through sysfs, as unplugging and plugging a
 * webcam does: the node disappears on {@link #unplug} and a new one appears on {@link #plug}. The guest runs no
 * udev, so {@link #plug} also points the stable by-path link at the new node, as udev would.
 */
final class VividPlug {

    private static final Path DRIVER = Path.of("/sys/bus/platform/drivers/vivid");

    private final String platformDevice;
    private final Path stableLink;
    private final long waitSeconds;

    /**
     * @param node       the device's node now ({@code /dev/video0})
     * @param stableLink the by-path link cameras are configured with
     */
    VividPlug(String node, String stableLink, long waitSeconds) throws IOException {
        Path sysNode = Path.of("/sys/class/video4linux", Path.of(node).getFileName().toString());
        this.platformDevice = sysNode.resolve("device").toRealPath().getFileName().toString();
        this.stableLink = Path.of(stableLink);
        this.waitSeconds = waitSeconds;
    }

    /** Unbinds the device; returns once vivid's remove() ran (a hang fails instead of blocking). */
    void unplug() throws Exception {
        CompletableFuture.runAsync(() -> write(DRIVER.resolve("unbind"), platformDevice))
                .get(waitSeconds, TimeUnit.SECONDS);
    }

    /** Binds the device again and relinks the stable path to its (possibly renumbered) node. */
    void plug() throws Exception {
        write(DRIVER.resolve("bind"), platformDevice);
        relinkStablePath();
    }

    private void relinkStablePath() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
        while (System.nanoTime() < deadline) {
            try (Stream<Path> nodes = Files.list(Path.of("/sys/class/video4linux"))) {
                Optional<Path> back = nodes.filter(n -> Files.exists(Path.of("/dev", n.getFileName().toString())))
                        .findFirst();
                if (back.isPresent()) {
                    Path target = Path.of("../..", back.get().getFileName().toString());
                    if (!target.equals(Files.readSymbolicLink(stableLink))) {
                        Files.delete(stableLink);
                        Files.createSymbolicLink(stableLink, target);
                    }
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no video node came back within " + waitSeconds + " s");
    }

    private static void write(Path file, String value) {
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + value + " to " + file, e);
        }
    }
}
