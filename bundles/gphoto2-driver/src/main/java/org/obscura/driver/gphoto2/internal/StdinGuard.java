package org.obscura.driver.gphoto2.internal;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * Keeps file descriptor 0 of this process intact while libgphoto2 closes a PTP/IP camera.
 *
 * <p>libgphoto2 2.5.28 to 2.5.30 (and its development head) close the PTP/IP sockets in
 * {@code camera_exit} through {@code ptp_ptpip_disconnect}, which also closes the Fuji-only liveview
 * socket {@code jpgfd}. For every other camera that field is still 0 from {@code calloc}, so each
 * disconnect runs {@code close(0)}: it closes the process's standard input, and once descriptor 0 is free
 * the next file or socket opened by any thread gets it and is closed by the next disconnect. The guard
 * duplicates descriptor 0 before the exit and puts it back if the exit closed it (or puts /dev/null there
 * when it was already free), so descriptor 0 never stays free for another thread to take. The copy is made at a
 * high descriptor number: after a failed connect libgphoto2 closes its socket a second time on exit, and a copy
 * at the lowest free number would be that socket's old number and be closed with it. Only a descriptor
 * opened by another thread in the instant between libgphoto2's close and the restore can take slot 0; it is
 * then left alone (and later exits put it back the same way).
 *
 * <p>Callers hold {@link Gphoto2Library#globalLock()}, so guards never overlap.
 */
final class StdinGuard {

    private interface LibC extends Library {
        int dup(int fd);

        int dup2(int fd, int target);

        int close(int fd);

        int fcntl(int fd, int command);

        int fcntl(int fd, int command, int argument);

        int open(String path, int flags);
    }

    private static final int F_GETFD = 1;
    private static final int F_DUPFD_CLOEXEC = 1030;
    /**
     * Lowest descriptor numbers tried for the saved copy, highest first. The copy must not take the lowest free
     * number: after a failed PTP/IP connect libgphoto2 closes its socket once, then again on exit, and a plain
     * dup(0) made in between gets exactly that number and is closed by the second close (seen in tests: standard
     * input then stayed closed). A high number is never one libgphoto2 just used.
     */
    private static final int[] SAVE_ABOVE = {65536, 16384, 4096, 1000};
    private static final int O_RDWR = 2;
    private static final LibC LIBC = Native.load("c", LibC.class);

    private final int saved;
    private boolean restored;

    private StdinGuard() {
        this.saved = saveHigh(); // -1 when descriptor 0 is already closed
    }

    /** A copy of descriptor 0 at a high number (within the process's limit), else wherever dup puts it. */
    private static int saveHigh() {
        for (int above : SAVE_ABOVE) {
            int fd = LIBC.fcntl(0, F_DUPFD_CLOEXEC, above);
            if (fd >= 0) {
                return fd;
            }
        }
        return LIBC.dup(0);
    }

    /** Starts guarding: call right before {@code gp_camera_exit} of a PTP/IP camera. */
    static StdinGuard before() {
        return new StdinGuard();
    }

    /** Puts descriptor 0 back if it was closed. Idempotent; never throws. */
    void restore() {
        if (restored) {
            return;
        }
        restored = true;
        if (LIBC.fcntl(0, F_GETFD) == -1 && (saved < 0 || LIBC.dup2(saved, 0) != 0)) {
            // No copy, or the copy was closed too: descriptor 0 must not stay free for another thread to take.
            int devNull = LIBC.open("/dev/null", O_RDWR);
            if (devNull > 0) {
                LIBC.dup2(devNull, 0);
                LIBC.close(devNull);
            }
        }
        if (saved >= 0) {
            LIBC.close(saved);
        }
    }
}
