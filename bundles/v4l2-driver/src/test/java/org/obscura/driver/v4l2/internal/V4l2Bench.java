package org.obscura.driver.v4l2.internal;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.obscura.camera.api.CameraDescriptor;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CapturedImage;
import org.obscura.camera.api.DeviceInfo;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.PixelFormat;
import org.obscura.camera.api.Setting;
import org.obscura.camera.core.internal.CameraDevices;
import org.obscura.camera.core.internal.EventPublisher;
import org.obscura.camera.core.internal.capture.CoreCaptureService;
import org.obscura.camera.core.internal.capture.InterruptServices;
import org.obscura.camera.core.internal.jpeg.BgrImage;
import org.obscura.camera.core.internal.jpeg.JpegCodec;
import org.obscura.camera.core.internal.jpeg.JpegCodecs;
import org.obscura.camera.spi.CameraDevice;
import org.obscura.camera.spi.FrameSink;

/**
 * Benchmark of the driver against the kernel's vivid device, run inside the QEMU guest by
 * {@code src/test/vivid/run-bench.sh} (not part of the build):
 * <ol>
 * <li><b>Snapshot from an idle camera</b>, 640x480 YUYV at 25 fps, to a JPEG (quality 95, the capture
 * service's default), the way the server takes one: camera-core's real capture service
 * ({@code CoreCaptureService.take}) with the codec it opens in the server ({@code JpegCodecs.open()}:
 * libjpeg-turbo through JNA; the run fails if only the pure-Java fallback loads) and this driver's camera
 * (open, negotiate, map buffers, first frame, close), including the sidecar metadata the service gathers
 * (the camera's current settings). Against the way a v4l2-ctl based server does it: spawn
 * {@code v4l2-ctl --set-fmt-video=... --set-parm=25 --stream-mmap --stream-count=1 --stream-to=FILE}, read the
 * raw file, encode it with the same codec at the same quality in this JVM. Every JPEG is decoded (outside the
 * timings) and must be 640x480, and the driver's still must have been captured after the snapshot was asked
 * for (kernel timestamp), so it is a new frame and not a buffered one. Warm-up rounds first, then the two
 * methods alternate so both see the same machine state; medians, minimum and maximum are printed.</li>
 * <li><b>Streaming CPU per frame</b> at 640x480 YUYV 25 fps into a sink that only counts: the capture
 * thread's own CPU per frame ({@code /proc/self/task}) and the whole process's ({@code /proc/self/stat} utime +
 * stime, next to the same JVM idling for the same time); and v4l2-ctl streaming the same mode to
 * {@code /dev/null} (its CPU from this process's cutime + cstime once it was waited for).</li>
 * </ol>
 * Arguments: {@code [SNAPSHOTS [STREAM_SECONDS]]} (default 30 and 20; 0 seconds skips the streaming part).
 */
public final class V4l2Bench {

    private static final int WIDTH = 640;
    private static final int HEIGHT = 480;
    private static final int FPS = 25;
    private static final int QUALITY = 95;
    /**
     * Warm-up rounds of each method. A server takes stills for days: the driver's ioctl and JNA paths are
     * compiled by then (streaming runs the same ones). v4l2-ctl starts afresh every time, which is that
     * method's cost; the warm-up gives it a warm page cache.
     */
    private static final int WARMUP = 20;
    private static final String CAMERA = "bench";
    /** Linux reports process times in USER_HZ ticks, 100 per second on every architecture. */
    private static final double MS_PER_TICK = 10.0;

    private V4l2Bench() {
    }

    /** The camera as the capture service sees it, timing the calls the service makes into the driver. */
    private static final class TimedDevice implements CameraDevice {
        private final CameraDevice device;
        long stillNanos;
        long settingsNanos;

        TimedDevice(CameraDevice device) {
            this.device = device;
        }

        @Override
        public CameraDescriptor descriptor() {
            return device.descriptor();
        }

        @Override
        public void start(FrameSink sink) {
            device.start(sink);
        }

        @Override
        public void stop() {
            device.stop();
        }

        @Override
        public Frame captureStill() {
            long t0 = System.nanoTime();
            try {
                return device.captureStill();
            } finally {
                stillNanos = System.nanoTime() - t0;
            }
        }

        @Override
        public List<Setting> settings() {
            long t0 = System.nanoTime();
            try {
                return device.settings();
            } finally {
                settingsNanos = System.nanoTime() - t0;
            }
        }
    }

    public static void main(String[] args) throws Exception {
        int snapshots = args.length > 0 ? Integer.parseInt(args[0]) : 30;
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

        JpegCodec codec = JpegCodecs.open();
        if (codec.fallback()) {
            throw new IllegalStateException("libjpeg-turbo did not load in the guest (" + codec.name()
                    + "); the server would use it: install libturbojpeg0");
        }
        System.out.println("JPEG codec: " + codec.name() + ", quality " + QUALITY + ", on both sides");

        TimedDevice camera = new TimedDevice(new V4l2CameraDevice(LibCAccess.require(), Path.of("/dev"),
                new V4l2CameraDevice.CameraSpec(CAMERA, null, device, "YUYV", WIDTH, HEIGHT, FPS, false, 0, null)));
        CameraDevices devices = new CameraDevices() {
            @Override
            public CameraDevice device(String name) {
                if (!CAMERA.equals(name)) {
                    throw CameraException.notFound("no camera " + name);
                }
                return camera;
            }

            @Override
            public SortedMap<String, CameraDevice> online() {
                return new TreeMap<>(Map.of(CAMERA, camera));
            }
        };
        CoreCaptureService capture = new CoreCaptureService(devices, null, codec,
                new InterruptServices(InterruptServices.DEFAULT_COMMAND, Duration.ofSeconds(15)), QUALITY,
                EventPublisher.NONE);

        Path raw = Files.createTempFile("v4l2-ctl-frame", ".yuyv");
        List<String> v4l2ctl = List.of("v4l2-ctl", "-d", device,
                "--set-fmt-video=width=" + WIDTH + ",height=" + HEIGHT + ",pixelformat=YUYV", "--set-parm=" + FPS,
                "--stream-mmap", "--stream-count=1", "--stream-to=" + raw);
        System.out.println("v4l2-ctl method: " + String.join(" ", v4l2ctl) + " + read + encode in this JVM");

        long[] phases = new long[3];
        for (int i = 0; i < WARMUP; i++) {
            snapshotObscura(capture, camera, codec, phases);
            snapshotV4l2Ctl(v4l2ctl, raw, codec, phases);
        }
        long[] obscura = new long[snapshots];
        long[] still = new long[snapshots];
        long[] settings = new long[snapshots];
        long[] rest = new long[snapshots];
        long[] external = new long[snapshots];
        long[] spawn = new long[snapshots];
        long[] ratio = new long[snapshots];
        for (int i = 0; i < snapshots; i++) {
            obscura[i] = snapshotObscura(capture, camera, codec, phases);
            still[i] = phases[0];
            settings[i] = phases[1];
            rest[i] = phases[2];
            external[i] = snapshotV4l2Ctl(v4l2ctl, raw, codec, phases);
            spawn[i] = phases[0];
            ratio[i] = external[i] * 1000 / obscura[i];
        }
        Files.deleteIfExists(raw);
        System.out.println("snapshot from idle, 640x480 YUYV -> JPEG q" + QUALITY + " (" + codec.name() + "), "
                + snapshots + " rounds (ms):");
        report("  obscura: CaptureService.take", obscura);
        report("    of which captureStill (open..first frame..close)", still);
        report("    of which settings() for the sidecar", settings);
        report("    of which JPEG encode + metadata", rest);
        report("  v4l2-ctl + encode", external);
        report("    of which v4l2-ctl process", spawn);
        System.out.printf("  speed-up (median v4l2-ctl / median obscura): %.2fx; per round: median %.2fx, min %.2fx,"
                + " max %.2fx%n", median(external) / (double) median(obscura), median(ratio) / 1000.0,
                Arrays.stream(ratio).min().orElse(0) / 1000.0, Arrays.stream(ratio).max().orElse(0) / 1000.0);

        long[] tree = new long[5];
        for (int i = 0; i < tree.length; i++) {
            try (V4l2Node node = V4l2Node.open(LibCAccess.require(), device)) {
                long t0 = System.nanoTime();
                DeviceModes.read(node);
                tree[i] = System.nanoTime() - t0;
            }
        }
        report("  (reading the whole mode tree once, for comparison)", tree);
        codec.close();

        if (streamSeconds > 0) {
            streamingCpu(device, streamSeconds);
        }
    }

    /**
     * One idle snapshot through the capture service; phases get the driver's still time, its settings time and
     * the rest (encoding, metadata), in ns.
     */
    private static long snapshotObscura(CoreCaptureService capture, TimedDevice camera, JpegCodec codec,
            long[] phases) {
        long t0 = System.nanoTime();
        CapturedImage image = capture.take(CAMERA, Map.of());
        long t1 = System.nanoTime();
        if (image.monotonicNanos() < t0) {
            throw new IllegalStateException("the still was captured " + (t0 - image.monotonicNanos()) / 1000
                    + " us before it was asked for: not a new frame");
        }
        checkJpeg(codec, image.jpeg());
        phases[0] = camera.stillNanos;
        phases[1] = camera.settingsNanos;
        phases[2] = (t1 - t0) - camera.stillNanos - camera.settingsNanos;
        return t1 - t0;
    }

    /**
     * One snapshot the v4l2-ctl way: spawn, wait, read the raw frame, encode it with the same codec (ns);
     * phases[0] gets the time until v4l2-ctl exited.
     */
    private static long snapshotV4l2Ctl(List<String> command, Path raw, JpegCodec codec, long[] phases)
            throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("v4l2-ctl did not finish within 60 s");
        }
        long exited = System.nanoTime();
        if (p.exitValue() != 0) {
            throw new IllegalStateException("v4l2-ctl exited with " + p.exitValue());
        }
        byte[] bytes = Files.readAllBytes(raw);
        if (bytes.length != WIDTH * HEIGHT * 2) {
            throw new IllegalStateException("v4l2-ctl wrote " + bytes.length + " bytes, not one 640x480 YUYV frame");
        }
        Frame frame = Frame.of(PixelFormat.YUYV, WIDTH, HEIGHT, WIDTH * 2, 0, System.nanoTime(), Instant.now(),
                ByteBuffer.wrap(bytes));
        byte[] jpeg = codec.encode(frame, QUALITY);
        long t1 = System.nanoTime();
        checkJpeg(codec, jpeg);
        phases[0] = exited - t0;
        return t1 - t0;
    }

    /** The JPEG must decode, at the size asked for. */
    private static void checkJpeg(JpegCodec codec, byte[] jpeg) {
        BgrImage image = codec.decode(ByteBuffer.wrap(jpeg), 0, 0);
        if (image.width() != WIDTH || image.height() != HEIGHT) {
            throw new IllegalStateException("the JPEG decodes to " + image.width() + "x" + image.height());
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
