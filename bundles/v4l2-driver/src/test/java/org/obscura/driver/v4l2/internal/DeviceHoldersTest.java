package org.obscura.driver.v4l2.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceHoldersTest {

    @Test
    void findsThisProcessHoldingAFileOpen(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("node"), "x");
        DeviceHolders holders = new DeviceHolders();
        assertTrue(holders.holders(file).isEmpty());
        try (FileInputStream in = new FileInputStream(file.toFile())) {
            assertEquals("held by this server (pid " + ProcessHandle.current().pid() + ")", holders.describe(file));
        }
    }

    @Test
    void namesOtherProcessesByTheirCommand(@TempDir Path proc) throws Exception {
        Path node = Files.writeString(proc.resolve("video0"), "");
        Path fd = Files.createDirectories(proc.resolve("4242/fd"));
        Files.createSymbolicLink(fd.resolve("7"), node.toRealPath());
        Files.writeString(proc.resolve("4242/comm"), "mjpg_streamer\n");
        Files.createDirectories(proc.resolve("4243/fd"));
        assertEquals("held by mjpg_streamer (pid 4242)", new DeviceHolders(proc).describe(node));
        assertEquals("held by another process", new DeviceHolders(proc).describe(proc.resolve("4243")));
    }
}
