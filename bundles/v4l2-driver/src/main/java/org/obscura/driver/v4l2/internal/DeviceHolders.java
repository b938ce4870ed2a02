package org.obscura.driver.v4l2.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the processes that have a device node open, by reading {@code /proc/<pid>/fd}, so that "device busy"
 * can say who holds it (an mjpg-streamer service, another server). Only processes whose file descriptors this
 * user may read are seen; that is all of them for root and the user's own otherwise.
 */
final class DeviceHolders {

    private final Path proc;

    DeviceHolders(Path proc) {
        this.proc = proc;
    }

    DeviceHolders() {
        this(Path.of("/proc"));
    }

    /** "name (pid N)" for each process holding {@code device} open, this process included. */
    List<String> holders(Path device) {
        Path target;
        try {
            target = device.toRealPath();
        } catch (IOException e) {
            return List.of();
        }
        long self = ProcessHandle.current().pid();
        List<String> found = new ArrayList<>();
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("[0-9]+"))) {
            for (Path pid : pids) {
                if (holds(pid.resolve("fd"), target)) {
                    long n = Long.parseLong(pid.getFileName().toString());
                    found.add(n == self ? "this server (pid " + n + ")" : command(pid) + " (pid " + n + ")");
                }
            }
        } catch (IOException e) {
            // No /proc: nothing to tell.
        }
        return found;
    }

    /** A sentence for an error message: "held by mjpg_streamer (pid 812)" or "held by another process". */
    String describe(Path device) {
        List<String> h = holders(device);
        return h.isEmpty() ? "held by another process" : "held by " + String.join(", ", h);
    }

    private static boolean holds(Path fdDir, Path target) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
            for (Path fd : fds) {
                try {
                    if (Files.readSymbolicLink(fd).equals(target)) {
                        return true;
                    }
                } catch (IOException | UnsupportedOperationException e) {
                    // Closed meanwhile or not a link.
                }
            }
        } catch (IOException e) {
            // Not ours to read, or the process ended.
        }
        return false;
    }

    private static String command(Path pid) {
        try {
            return Files.readString(pid.resolve("comm"), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "process";
        }
    }
}
