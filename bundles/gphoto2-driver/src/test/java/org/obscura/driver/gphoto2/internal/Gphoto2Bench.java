package org.obscura.driver.gphoto2.internal;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.Frame;
import org.obscura.camera.spi.FrameSink;

/**
 * Liveview frame rate and capture-to-file latency against {@link VirtualPtpIpCamera}, through this driver
 * (libgphoto2 in process, one connection kept open) and through the gphoto2 command-line program started once
 * per request (what a server built on {@code subprocess} does), in the same run against the same camera.
 *
 * <p>Not a test: run it with {@code src/test/bench/run-bench.sh}. It prints a markdown table. The camera is on
 * the loopback interface, so the numbers measure protocol and process overhead, not a real camera's USB or
 * Wi-Fi speed.
 *
 * <p>Arguments: {@code --seconds S} (liveview measuring time per approach, default 10), {@code --captures N}
 * (captures per approach, default 20), {@code --gphoto2 PATH} (the command-line program, default
 * {@code gphoto2} on the PATH; {@code none} skips it).
 */
public final class Gphoto2Bench {

    private static final int STILL_WIDTH = 2592; // seed 003's still size
    private static final int STILL_HEIGHT = 1728;
    private static final int PREVIEW_WIDTH = 960; // a typical DSLR liveview size
    private static final int PREVIEW_HEIGHT = 640;
    private static final int WARMUP = 3;

    private Gphoto2Bench() {
    }

    /** One approach's results. */
    private record Result(String approach, double liveviewFps, double previewMillis, List<Double> captureMillis,
            String note) {
    }

    public static void main(String[] args) throws Exception {
        double seconds = 10;
        int captures = 20;
        String gphoto2 = "gphoto2";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
            case "--seconds" -> seconds = Double.parseDouble(args[++i]);
            case "--captures" -> captures = Integer.parseInt(args[++i]);
            case "--gphoto2" -> gphoto2 = args[++i];
            default -> throw new IllegalArgumentException("unknown argument " + args[i]
                    + " (known: --seconds S, --captures N, --gphoto2 PATH|none)");
            }
        }
        String reason = Gphoto2Library.unavailableReason();
        if (reason != null) {
            throw new IllegalStateException("libgphoto2 cannot be loaded: " + reason);
        }
        Gphoto2Library library = Gphoto2Library.load();
        Random random = new Random(42);
        byte[] still = jpeg(STILL_WIDTH, STILL_HEIGHT, random);
        List<byte[]> previews = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            previews.add(jpeg(PREVIEW_WIDTH, PREVIEW_HEIGHT, random));
        }
        int previewBytes = previews.stream().mapToInt(p -> p.length).sum() / previews.size();
        Path work = Files.createTempDirectory("gphoto2-bench");
        List<Result> results = new ArrayList<>();
        try (VirtualPtpIpCamera fake = new VirtualPtpIpCamera(still, STILL_WIDTH, STILL_HEIGHT, previews)) {
            results.add(driverLiveviewAndCaptures(library, fake, 0.0, seconds, captures, still, work));
            results.add(driverLiveviewOnly(library, fake, Gphoto2Setup.DEFAULT_LIVEVIEW_INTERVAL, seconds));
            if (!gphoto2.equals("none")) {
                results.add(cli(gphoto2, fake, seconds, captures, still, previews, work));
            }
        } finally {
            deleteTree(work);
        }
        System.out.printf(Locale.ROOT, "Virtual PTP/IP camera on 127.0.0.1: liveview %dx%d JPEG (%.0f KB), stills "
                + "%dx%d JPEG (%.0f KB); libgphoto2 %s; %d cores; %.0f s of liveview and %d captures per approach "
                + "(after %d warm-up captures).%n%n", PREVIEW_WIDTH, PREVIEW_HEIGHT, previewBytes / 1024.0,
                STILL_WIDTH, STILL_HEIGHT, still.length / 1024.0, library.version(),
                Runtime.getRuntime().availableProcessors(), seconds, captures, WARMUP);
        System.out.println("| Approach | Liveview fps | Per preview (ms) | Capture to file, median (ms) "
                + "| p90 (ms) | min-max (ms) |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        for (Result r : results) {
            List<Double> c = new ArrayList<>(r.captureMillis());
            Collections.sort(c);
            String median = c.isEmpty() ? "-" : fmt(percentile(c, 50));
            String p90 = c.isEmpty() ? "-" : fmt(percentile(c, 90));
            String range = c.isEmpty() ? "-" : fmt(c.get(0)) + "-" + fmt(c.get(c.size() - 1));
            System.out.printf(Locale.ROOT, "| %s%s | %.1f | %s | %s | %s | %s |%n", r.approach(),
                    r.note().isEmpty() ? "" : " (" + r.note() + ")", r.liveviewFps(), fmt(r.previewMillis()), median,
                    p90, range);
        }
    }

    // ---- this driver ----

    private static Gphoto2Camera camera(Gphoto2Library library, VirtualPtpIpCamera fake, double interval) {
        Map<String, Object> config = new HashMap<>();
        config.put("name", "bench");
        config.put("port", fake.port());
        config.put(Gphoto2Setup.LIVEVIEW_INTERVAL, interval);
        return new Gphoto2Camera(Gphoto2Setup.from(config), library);
    }

    private static Result driverLiveviewAndCaptures(Gphoto2Library library, VirtualPtpIpCamera fake, double interval,
            double seconds, int captures, byte[] expected, Path work) throws Exception {
        Gphoto2Camera camera = camera(library, fake, interval);
        try {
            long openStarted = System.nanoTime();
            camera.settings(); // opens the camera: paid once, not per request
            double openMillis = (System.nanoTime() - openStarted) / 1e6;
            double[] fps = liveview(camera, seconds);
            List<Double> latencies = new ArrayList<>();
            Path target = work.resolve("driver.jpg");
            for (int i = 0; i < WARMUP + captures; i++) {
                long started = System.nanoTime();
                Frame frame = camera.captureStill();
                try {
                    writeAtomically(frame.toByteArray(), target);
                } finally {
                    frame.release();
                }
                double millis = (System.nanoTime() - started) / 1e6;
                if (i >= WARMUP) {
                    latencies.add(millis);
                }
            }
            check(expected, target);
            return new Result("Obscura driver (libgphoto2 via JNA, connection kept open)", fps[0], fps[1], latencies,
                    String.format(Locale.ROOT, "liveview interval 0; opening the camera once: %.0f ms", openMillis));
        } finally {
            camera.close();
        }
    }

    private static Result driverLiveviewOnly(Gphoto2Library library, VirtualPtpIpCamera fake, double interval,
            double seconds) throws Exception {
        Gphoto2Camera camera = camera(library, fake, interval);
        try {
            double[] fps = liveview(camera, seconds);
            return new Result("Obscura driver", fps[0], fps[1], List.of(),
                    String.format(Locale.ROOT, "default liveview interval %.2f s, i.e. at most 20 fps", interval));
        } finally {
            camera.close();
        }
    }

    /** Frames per second over {@code seconds} after the first frame, and the mean milliseconds per frame. */
    private static double[] liveview(Gphoto2Camera camera, double seconds) throws InterruptedException {
        CountingSink sink = new CountingSink();
        camera.start(sink);
        try {
            long start = sink.awaitFirst();
            int firstCount = sink.count();
            Thread.sleep((long) (seconds * 1000));
            long end = System.nanoTime();
            int frames = sink.count() - firstCount;
            if (sink.failure != null) {
                throw sink.failure;
            }
            double elapsed = (end - start) / 1e9;
            return new double[] { frames / elapsed, frames == 0 ? Double.NaN : elapsed * 1000 / frames };
        } finally {
            camera.stop();
        }
    }

    /** Counts frames; the sink contract allows it nothing slow. */
    private static final class CountingSink implements FrameSink {
        private int count;
        private long firstNanos;
        volatile CameraException failure;

        @Override
        public synchronized void frame(Frame frame) {
            if (count++ == 0) {
                firstNanos = System.nanoTime();
                notifyAll();
            }
        }

        @Override
        public synchronized void failed(CameraException error) {
            failure = error;
            notifyAll();
        }

        synchronized int count() {
            return count;
        }

        synchronized long awaitFirst() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (count == 0 && failure == null && System.nanoTime() < deadline) {
                wait(100);
            }
            if (failure != null) {
                throw failure;
            }
            if (count == 0) {
                throw new IllegalStateException("no liveview frame within 30 s");
            }
            return firstNanos;
        }
    }

    // ---- the command-line program, once per request ----

    private static Result cli(String gphoto2, VirtualPtpIpCamera fake, double seconds, int captures,
            byte[] expected, List<byte[]> served, Path work) throws Exception {
        Path home = Files.createDirectories(work.resolve("cli-home"));
        Path preview = work.resolve("preview.jpg");
        Path written = work.resolve("thumb_preview.jpg"); // the program prefixes preview file names with thumb_
        List<String> base = List.of(gphoto2, "--quiet", "--port", fake.port(), "--camera", GpConnection.PTPIP_MODEL);
        List<String> previewCommand = new ArrayList<>(base);
        previewCommand.addAll(List.of("--capture-preview", "--force-overwrite", "--filename", preview.toString()));
        run(previewCommand, home); // warm-up: page cache, first settings file
        int frames = 0;
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        while (System.nanoTime() < deadline) {
            run(previewCommand, home);
            frames++;
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        byte[] last = Files.readAllBytes(written);
        if (served.stream().noneMatch(p -> Arrays.equals(p, last))) {
            throw new IllegalStateException("gphoto2 wrote a preview the camera did not serve");
        }

        Path target = work.resolve("cli.jpg");
        List<String> captureCommand = new ArrayList<>(base);
        captureCommand.addAll(List.of("--capture-image-and-download", "--force-overwrite", "--filename",
                target.toString()));
        List<Double> latencies = new ArrayList<>();
        for (int i = 0; i < WARMUP + captures; i++) {
            long started = System.nanoTime();
            run(captureCommand, home);
            double millis = (System.nanoTime() - started) / 1e6;
            if (i >= WARMUP) {
                latencies.add(millis);
            }
        }
        check(expected, target);
        return new Result("gphoto2 CLI subprocess per request", frames / elapsed, elapsed * 1000 / frames, latencies,
                "--capture-preview / --capture-image-and-download");
    }

    private static void run(List<String> command, Path home) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("HOME", home.toString());
        pb.environment().put("LC_ALL", "C.UTF-8");
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + String.join(" ", command));
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("exit " + p.exitValue() + ": " + String.join(" ", command) + "\n"
                    + new String(output, StandardCharsets.UTF_8));
        }
    }

    // ---- helpers ----

    /** A JPEG with gradients and noise, so that it compresses about as a photograph does. */
    private static byte[] jpeg(int width, int height, Random random) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int phase = random.nextInt(256);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = (x * 255 / width + phase + random.nextInt(24)) & 0xFF;
                int g = (y * 255 / height + random.nextInt(24)) & 0xFF;
                int b = ((x + y) * 255 / (width + height) + random.nextInt(24)) & 0xFF;
                image.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(image, "jpg", out)) {
            throw new IOException("no JPEG writer");
        }
        return out.toByteArray();
    }

    private static void writeAtomically(byte[] data, Path target) throws IOException {
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(temp, data);
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void check(byte[] expected, Path file) throws IOException {
        if (!Arrays.equals(expected, Files.readAllBytes(file))) {
            throw new IllegalStateException(file + " is not the image the camera served");
        }
    }

    private static double percentile(List<Double> sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static String fmt(double millis) {
        return Double.isNaN(millis) ? "-" : millis >= 100 ? String.format(Locale.ROOT, "%.0f", millis)
                : String.format(Locale.ROOT, "%.1f", millis);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(Collections.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
