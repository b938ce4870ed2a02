package org.obscura.driver.v4l2.internal;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.DeviceInfo;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.PixelFormat;
import org.obscura.camera.core.internal.jpeg.JpegEncoder;
import org.obscura.camera.spi.FrameSink;

/**
 * Benchmark of the driver against the kernel's vivid device, run inside the QEMU guest by
 * {@code src/test/vivid/run-bench.sh} (not part of the build):
 * <ol>
 * <li><b>Snapshot from an idle camera</b>, 640x480 YUYV at 25 fps, to a JPEG (quality 95, the capture
 * service's default) with the core's encoder: this driver (open, negotiate, map buffers, first frame, close,
 * encode) against the way a v4l2-ctl based server does it (spawn
 * {@code v4l2-ctl --set-fmt-video=... --set-parm=25 --stream-mmap --stream-count=1 --stream-to=FILE}, read the
 * raw file, encode it with the same encoder in this JVM). Warm-up rounds first, then the two methods
 * alternate so both see the same machine state; medians, minimum and maximum are printed.</li>
 * <li><b>Streaming CPU per frame</b> at 640x480 YUYV 25 fps into a sink that only counts: the capture
 * thread's own CPU per frame ({@code /proc/self/task}) and the whole process's ({@code /proc/self/stat} utime +
 * stime, next to the same JVM idling for the same time); and v4l2-ctl streaming the same mode to
 * {@code /dev/null} (its CPU from this process's cutime + cstime once it was waited for).</li>
 * </ol>
 * Arguments: {@code [SNAPSHOTS [STREAM_SECONDS]]} (default 15 and 20).
 */
public final class V4l2Bench {

    private static final int WIDTH = 640;
    private static final int HEIGHT = 480;
    private static final int FPS = 25;
    private static final int QUALITY = 95;
    private static final int WARMUP = 8;
    /** Linux reports process times in USER_HZ ticks, 100 per second on every architecture. */
    private static final double MS_PER_TICK = 10.0;

    private V4l2Bench() {
    }

    public static void main(String[] args) throws Exception {
        int snapshots = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int streamSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        V4l2Driver driver = new V4l2Driver();
        if (!driver.available()) {
            throw new IllegalStateException("V4L2 driver unavailable: " + driver.status());
        }
        DeviceInfo vivid = driver.discover().stream().filter(d -> "vivid".equals(d.properties().get("kernelDriver")))
                .findFirst().orElseThrow(() -> new IllegalStateException("no vivid device"));
        String device = vivid.device();
        System.out.printf("device %s (%s), %d CPUs, Java %s%n", device, vivid.properties().get("node"),
                Runtime.getRuntime().availableProcessors(), Runtime.version());

        V4l2CameraDevice camera = new V4l2CameraDevice(LibCAccess.require(), Path.of("/dev"),
                new V4l2CameraDevice.CameraSpec("bench", null, device, "YUYV", WIDTH, HEIGHT, FPS, false, 0, null));
        JpegEncoder encoder = JpegEncoder.standard();
        Path raw = Files.createTempFile("v4l2-ctl-frame", ".yuyv");
        List<String> v4l2ctl = List.of("v4l2-ctl", "-d", device,
                "--set-fmt-video=width=" + WIDTH + ",height=" + HEIGHT + ",pixelformat=YUYV", "--set-parm=" + FPS,
                "--stream-mmap", "--stream-count=1", "--stream-to=" + raw);
        System.out.println("v4l2-ctl method: " + String.join(" ", v4l2ctl) + " + read + encode in this JVM");

        for (int i = 0; i < WARMUP; i++) {
            snapshotObscura(camera, encoder, new long[2]);
            snapshotV4l2Ctl(v4l2ctl, raw, encoder);
        }
        long[] obscura = new long[snapshots];
        long[] capture = new long[snapshots];
        long[] encode = new long[snapshots];
        long[] external = new long[snapshots];
        long[] phases = new long[2];
        for (int i = 0; i < snapshots; i++) {
            obscura[i] = snapshotObscura(camera, encoder, phases);
            capture[i] = phases[0];
            encode[i] = phases[1];
            external[i] = snapshotV4l2Ctl(v4l2ctl, raw, encoder);
        }
        Files.deleteIfExists(raw);
        System.out.println("snapshot from idle, 640x480 YUYV -> JPEG q95, " + snapshots + " rounds (ms):");
        report("  obscura driver  ", obscura);
        report("    of which open..first frame..close", capture);
        report("    of which JPEG encode", encode);
        report("  v4l2-ctl + encode", external);
        System.out.printf("  speed-up (median v4l2-ctl / median obscura): %.2fx%n",
                median(external) / (double) median(obscura));

        long[] tree = new long[5];
        for (int i = 0; i < tree.length; i++) {
            try (V4l2Node node = V4l2Node.open(LibCAccess.require(), device)) {
                long t0 = System.nanoTime();
                DeviceModes.read(node);
                tree[i] = System.nanoTime() - t0;
            }
        }
        report("  (reading the whole mode tree once, for comparison)", tree);

        streamingCpu(device, streamSeconds);
    }

    /** One idle snapshot through the driver; phases[0] gets the capture time, phases[1] the encode time (ns). */
    private static long snapshotObscura(V4l2CameraDevice camera, JpegEncoder encoder, long[] phases) {
        long t0 = System.nanoTime();
        Frame frame = camera.captureStill();
        long t1 = System.nanoTime();
        byte[] jpeg;
        try {
            jpeg = encoder.encode(frame, QUALITY);
        } finally {
            frame.release();
        }
        long t2 = System.nanoTime();
        checkJpeg(jpeg);
        phases[0] = t1 - t0;
        phases[1] = t2 - t1;
        return t2 - t0;
    }

    /** One snapshot the v4l2-ctl way: spawn, wait, read the raw frame, encode it with the same encoder (ns). */
    private static long snapshotV4l2Ctl(List<String> command, Path raw, JpegEncoder encoder) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("v4l2-ctl did not finish within 60 s");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("v4l2-ctl exited with " + p.exitValue());
        }
        byte[] bytes = Files.readAllBytes(raw);
        if (bytes.length != WIDTH * HEIGHT * 2) {
            throw new IllegalStateException("v4l2-ctl wrote " + bytes.length + " bytes, not one 640x480 YUYV frame");
        }
        Frame frame = Frame.of(PixelFormat.YUYV, WIDTH, HEIGHT, WIDTH * 2, 0, System.nanoTime(), Instant.now(),
                ByteBuffer.wrap(bytes));
        byte[] jpeg = encoder.encode(frame, QUALITY);
        long t1 = System.nanoTime();
        checkJpeg(jpeg);
        return t1 - t0;
    }

    private static void checkJpeg(byte[] jpeg) {
        if (jpeg.length < 1000 || (jpeg[0] & 0xFF) != 0xFF || (jpeg[1] & 0xFF) != 0xD8) {
            throw new IllegalStateException("not a JPEG: " + jpeg.length + " bytes");
        }
    }

    private static void streamingCpu(String device, int seconds) throws Exception {
        long[] idle0 = processTicks();
        Thread.sleep(seconds * 1000L);
        long[] idle1 = processTicks();
        double idleMs = (idle1[0] - idle0[0]) * MS_PER_TICK;

        V4l2CameraDevice camera = new V4l2CameraDevice(LibCAccess.require(), Path.of("/dev"),
                new V4l2CameraDevice.CameraSpec("bench-stream", null, device, "YUYV", WIDTH, HEIGHT, FPS, false, 0, null));
        AtomicInteger frames = new AtomicInteger();
        FrameSink sink = new FrameSink() {
            @Override
            public void frame(Frame frame) {
                frames.incrementAndGet();
            }

            @Override
            public void failed(CameraException error) {
                System.out.println("stream failed: " + error.getMessage());
            }
        };
        camera.start(sink);
        Thread.sleep(15_000); // let the stream settle (and the JIT compile its path) before measuring
        int f0 = frames.get();
        java.util.Map<String, Long> t0 = threadTicks();
        long[] s0 = processTicks();
        long w0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long[] s1 = processTicks();
        java.util.Map<String, Long> t1 = threadTicks();
        int n = frames.get() - f0;
        double wall = (System.nanoTime() - w0) / 1e9;
        camera.stop();
        double streamMs = (s1[0] - s0[0]) * MS_PER_TICK;
        System.out.printf("streaming 640x480 YUYV at %d fps for %.1f s: %d frames (%.1f fps)%n", FPS, wall, n, n / wall);
        long captureTicks = t1.entrySet().stream().filter(e -> e.getKey().startsWith("v4l2-bench-stre"))
                .mapToLong(e -> e.getValue() - t0.getOrDefault(e.getKey(), 0L)).sum();
        System.out.printf("  obscura driver: capture thread %.3f ms CPU per frame; whole process %.3f ms per frame"
                + " (%.0f ms; the same JVM idle for the same time: %.0f ms)%n", captureTicks * MS_PER_TICK / n,
                streamMs / n, streamMs, idleMs);
        StringBuilder busiest = new StringBuilder("  busiest threads (CPU ms):");
        t1.entrySet().stream().map(e -> java.util.Map.entry(e.getKey(), e.getValue() - t0.getOrDefault(e.getKey(), 0L)))
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(6)
                .forEach(e -> busiest.append(String.format(" %s %.0f;", e.getKey(), e.getValue() * MS_PER_TICK)));
        System.out.println(busiest);

        int count = FPS * seconds;
        long[] c0 = processTicks();
        long w1 = System.nanoTime();
        Process p = new ProcessBuilder("v4l2-ctl", "-d", device,
                "--set-fmt-video=width=" + WIDTH + ",height=" + HEIGHT + ",pixelformat=YUYV", "--set-parm=" + FPS,
                "--stream-mmap", "--stream-count=" + count, "--stream-to=/dev/null").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(seconds * 4L + 60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("v4l2-ctl streaming failed");
        }
        double wall2 = (System.nanoTime() - w1) / 1e9;
        long[] c1 = processTicks();
        double childMs = (c1[1] - c0[1]) * MS_PER_TICK;
        System.out.printf("  v4l2-ctl --stream-mmap --stream-count=%d --stream-to=/dev/null: CPU %.0f ms in %.1f s:"
                + " %.3f ms per frame (start-up included)%n", count, childMs, wall2, childMs / count);
    }

    /** {utime + stime, cutime + cstime} of this process in ticks, from /proc/self/stat. */
    private static long[] processTicks() throws java.io.IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        // Fields after the parenthesised command name (which may contain spaces), starting at field 3.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        long self = Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14, 15
        long children = Long.parseLong(f[13]) + Long.parseLong(f[14]); // fields 16, 17
        return new long[] {self, children};
    }

    /** CPU ticks per thread of this process, by thread name (tid appended), from /proc/self/task. */
    private static java.util.Map<String, Long> threadTicks() throws java.io.IOException {
        java.util.Map<String, Long> out = new java.util.HashMap<>();
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
                    out.put(name + "#" + task.getFileName(), Long.parseLong(f[11]) + Long.parseLong(f[12]));
                } catch (java.io.IOException e) {
                    // the thread ended meanwhile
                }
            }
        }
        return out;
    }

    private static long median(long[] values) {
        long[] s = values.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static void report(String label, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        System.out.printf("%s median %.1f, min %.1f, max %.1f%n", label, s[s.length / 2] / 1e6, s[0] / 1e6,
                s[s.length - 1] / 1e6);
    }
}
