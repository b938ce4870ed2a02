package org.obscura.driver.v4l2.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Boots the vivid QEMU guest ({@code src/test/vivid/run-in-vivid.sh}) and runs {@link V4l2VividIT} and
 * {@link V4l2HubVividIT} in it with this module's test class path, then asserts on the guest's results: tests
 * found, none failed or skipped.
 *
 * <p>Skipped, saying why, when {@code -Dobscura.vivid.skip=true} or when the machine lacks what the guest
 * needs (Debian: {@code qemu-system-x86 busybox-static kmod}; the first run also downloads Debian's kernel
 * package with apt-get into {@code ~/.cache/obscura-vivid}).
 */
class VividRigTest {

    /** Longest the whole guest run may take; the script stops QEMU itself at this limit. */
    private static final int GUEST_TIMEOUT_S = 280;

    @Test
    void integrationTestsPassAgainstVividInAQemuGuest() throws Exception {
        assumeFalse(Boolean.getBoolean("obscura.vivid.skip"), "vivid guest tests skipped: -Dobscura.vivid.skip=true");
        assumeFalse("1".equals(System.getenv("OBSCURA_VIVID_GUEST")), "already inside the guest");
        Peers.require(System.getProperty("os.arch").matches("amd64|x86_64"),
                "vivid guest tests skipped: they boot an amd64 kernel under qemu-system-x86_64 (this is "
                        + System.getProperty("os.arch") + ")");
        for (String tool : List.of("qemu-system-x86_64", "depmod", "modprobe", "dpkg-deb", "apt-get")) {
            Peers.require(onPath(tool), "vivid guest tests skipped: " + tool
                    + " not found (apt-get install qemu-system-x86 busybox-static kmod)");
        }
        Peers.require(Files.isExecutable(Path.of("/bin/busybox")),
                "vivid guest tests skipped: /bin/busybox not found (apt-get install busybox-static)");

        Path script = Path.of(System.getProperty("obscura.vivid.script", "src/test/vivid/run-in-vivid.sh"));
        Path job = Path.of(System.getProperty("obscura.vivid.job", "target/vivid")).toAbsolutePath();
        Files.createDirectories(job);
        Path results = job.resolve("results.txt");
        Files.deleteIfExists(results);
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        assertTrue(!classPath.contains(" "), "the guest command line cannot take a class path with spaces: " + classPath);

        List<String> command = new ArrayList<>(List.of("bash", script.toString(), "-j", job.toString(), "-t",
                Integer.toString(GUEST_TIMEOUT_S), "--", "java", "-cp", classPath,
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", VividGuestRunner.class.getName(), results.toString(),
                // In this order: the hub test unplugs the device too, and V4l2VividIT's tests expect a fresh one.
                V4l2VividIT.class.getName(), V4l2HubVividIT.class.getName()));
        long started = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(GUEST_TIMEOUT_S + 60, TimeUnit.SECONDS), "guest run did not end");
        System.out.println(output);
        System.out.printf("vivid guest run: %.1f s%n", (System.nanoTime() - started) / 1e9);

        assertTrue(Files.exists(results), "the guest wrote no results (exit " + p.exitValue() + "):\n" + output);
        Map<String, Integer> counts = new HashMap<>();
        for (String line : Files.readAllLines(results)) {
            String[] kv = line.split("=");
            if (kv.length == 2) {
                counts.put(kv[0], Integer.parseInt(kv[1]));
            }
        }
        assertEquals(0, counts.getOrDefault("failed", -1), "failed tests in the guest:\n" + output);
        assertEquals(0, counts.getOrDefault("skipped", -1), "skipped tests in the guest:\n" + output);
        assertTrue(counts.getOrDefault("succeeded", 0) >= 20, "tests that passed in the guest: " + counts);
        assertEquals(0, p.exitValue(), output);
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", program)) || Files.isExecutable(Path.of("/sbin", program));
    }
}
