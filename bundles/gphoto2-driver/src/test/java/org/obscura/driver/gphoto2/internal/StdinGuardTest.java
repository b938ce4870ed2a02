package org.obscura.driver.gphoto2.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * StdinGuard against what libgphoto2 does to descriptors on the exit of a PTP/IP camera whose connect failed:
 * its socket, already closed once, is closed a second time, and descriptor 0 is closed too. Done here by hand with
 * libc, so that the order is exact.
 */
class StdinGuardTest {

    private interface LibC extends Library {
        int open(String path, int flags);

        int close(int fd);
    }

    private static final LibC LIBC = Native.load("c", LibC.class);
    private static final Path STDIN = Path.of("/proc/self/fd/0");

    @Test
    void standardInputComesBackEvenWhenTheSocketClosedTwiceIsTheLowestFreeDescriptor() throws IOException {
        assumeTrue(Files.exists(STDIN, LinkOption.NOFOLLOW_LINKS), "no /proc/self/fd/0 here");
        Path before = Files.readSymbolicLink(STDIN);

        int socket = LIBC.open("/dev/null", 0); // the camera's socket: the lowest free number
        LIBC.close(socket);                      // the failed connect closes it once
        StdinGuard guard = StdinGuard.before();  // a plain dup(0) would get that very number now
        LIBC.close(socket);                      // the exit closes it again...
        LIBC.close(0);                           // ...and descriptor 0 (the uninitialised liveview socket)
        guard.restore();

        assertEquals(before, Files.readSymbolicLink(STDIN));
    }

    @Test
    void standardInputThatWasLeftAloneStaysAsItWas() throws IOException {
        assumeTrue(Files.exists(STDIN, LinkOption.NOFOLLOW_LINKS), "no /proc/self/fd/0 here");
        Path before = Files.readSymbolicLink(STDIN);

        StdinGuard guard = StdinGuard.before();
        guard.restore();
        guard.restore();

        assertEquals(before, Files.readSymbolicLink(STDIN));
    }
}
