package org.obscura.sequencer.internal;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import javax.imageio.ImageIO;

import org.obscura.camera.api.BatchResult;
import org.obscura.camera.api.CaptureResult;
import org.obscura.camera.api.CaptureService;
import org.obscura.camera.api.CapturedImage;
import org.obscura.camera.api.ImageStore;
import org.obscura.camera.api.Page;
import org.obscura.camera.api.StoredCapture;
import org.obscura.camera.api.SequenceProgress;
import org.obscura.camera.api.SequenceRequest;
import org.obscura.camera.api.SequenceResult;
import org.obscura.camera.core.internal.store.FileImageStore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Per-step overhead of a photometric sequence beyond its settle delay and capture time: the real sequencer and
 * the real file image store (atomic writes with fsync, manifest rewritten after every step), a camera that
 * returns a pre-encoded JPEG at once, virtual lights, settle 0.
 *
 * <p>A step's period is the time between two consecutive {@code captured} progress reports (the first step's
 * starts at {@code started}), so it includes switching lights, writing the image, rewriting the manifest and
 * reporting progress. Its overhead is that period minus the settle delay minus the time spent inside
 * {@link CaptureService#take} (the manifest's {@code captureMs}).
 *
 * <pre>
 * SequencerBench [--lights N] [--runs R] [--warmup W] [--width W --height H] [--settle MS] [--dir PATH]
 * </pre>
 */
public final class SequencerBench {

    public static void main(String[] args) throws Exception {
        int lightsCount = 8;
        int runs = 10;
        int warmup = 3;
        int width = 1280;
        int height = 720;
        long settleMs = 0;
        Path dir = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--lights" -> lightsCount = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--width" -> width = Integer.parseInt(args[++i]);
                case "--height" -> height = Integer.parseInt(args[++i]);
                case "--settle" -> settleMs = Long.parseLong(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path data = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("obscura-seq-bench");
        byte[] jpeg = testJpeg(width, height);
        String[] names = IntStream.rangeClosed(1, lightsCount).mapToObj(n -> "led" + n).toArray(String[]::new);
        Fakes.Lights lights = new Fakes.Lights(names);
        TimedStore store = new TimedStore(new FileImageStore(data, ZoneId.systemDefault()));
        PhotometricSequencer sequencer = new PhotometricSequencer(new InstantCamera(jpeg), store, settleMs, "bench",
                Clock.systemUTC(), ZoneOffset.UTC);
        sequencer.lights = lights;

        System.out.printf(Locale.ROOT, "data dir %s, still %dx%d (%d KB), %d lights, settle %d ms, %d warm-up + %d "
                + "measured runs%n", data, width, height, jpeg.length / 1024, lightsCount, settleMs, warmup, runs);
        List<Double> overheads = new ArrayList<>();
        List<Double> captures = new ArrayList<>();
        List<Double> totals = new ArrayList<>();
        List<Double> imageWrites = new ArrayList<>();
        List<Double> manifestWrites = new ArrayList<>();
        for (int run = 0; run < warmup + runs; run++) {
            Run r = runOnce(sequencer, store, List.of(names), "bench-" + run, settleMs);
            if (run >= warmup) {
                overheads.addAll(r.overheadMs);
                captures.addAll(r.captureMs);
                totals.add(r.totalMs);
                imageWrites.addAll(r.imageWriteMs);
                manifestWrites.addAll(r.manifestWriteMs);
                System.out.printf(Locale.ROOT, "run %2d: step overhead median %.2f ms, max %.2f ms; sequence %.1f ms%n",
                        run - warmup + 1, percentile(r.overheadMs, 50), Collections.max(r.overheadMs), r.totalMs);
            }
        }
        sequencer.deactivate();
        System.out.println();
        List<Double> rest = new ArrayList<>();
        for (int i = 0; i < overheads.size(); i++) {
            rest.add(overheads.get(i) - imageWrites.get(i));
        }
        System.out.println("| Lights | Settle (ms) | Steps | Overhead median (ms) | p90 (ms) | max (ms) | of which "
                + "image write, median (ms) | rest, median / p90 (ms) | Manifest writes per run | take() median (ms) |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        System.out.printf(Locale.ROOT, "| %d | %d | %d | %.2f | %.2f | %.2f | %.2f | %.2f / %.2f | %.1f | %.3f |%n",
                lightsCount, settleMs, overheads.size(), percentile(overheads, 50), percentile(overheads, 90),
                Collections.max(overheads), percentile(imageWrites, 50), percentile(rest, 50), percentile(rest, 90),
                (double) manifestWrites.size() / runs, percentile(captures, 50));
        if (dir == null) {
            deleteTree(data);
        }
    }

    private record Run(List<Double> overheadMs, List<Double> captureMs, List<Double> imageWriteMs,
            List<Double> manifestWriteMs, double totalMs) {
    }

    private static Run runOnce(PhotometricSequencer sequencer, TimedStore store, List<String> lights,
            String prefix, long settleMs) throws Exception {
        List<long[]> marks = Collections.synchronizedList(new ArrayList<>());
        // One image per step (one camera), written on the run's thread; manifests come from the start, the
        // background writer (coalesced, off the steps' path) and the end.
        List<Double> imageWrite = Collections.synchronizedList(new ArrayList<>());
        List<Double> manifestWrite = Collections.synchronizedList(new ArrayList<>());
        store.listener = (path, nanos) -> (path.endsWith("/manifest.json") ? manifestWrite : imageWrite)
                .add(nanos / 1e6);
        long start = System.nanoTime();
        SequenceResult result = sequencer.start(new SequenceRequest(lights, prefix, List.of(),
                Duration.ofMillis(settleMs)), (SequenceProgress p) -> {
                    if (p.status().equals("started") || p.status().equals("captured")) {
                        marks.add(new long[] {p.step(), System.nanoTime()});
                    }
                }).toCompletableFuture().get(5, TimeUnit.MINUTES);
        long end = System.nanoTime();
        if (!result.success()) {
            throw new IllegalStateException("sequence failed: " + result.error());
        }
        JsonNode manifest = new ObjectMapper().readTree(store.resolve(result.setFolder() + "/manifest.json").toFile());
        List<Double> overhead = new ArrayList<>();
        List<Double> capture = new ArrayList<>();
        for (int i = 1; i < marks.size(); i++) {
            double periodMs = (marks.get(i)[1] - marks.get(i - 1)[1]) / 1e6;
            double takeMs = 0;
            for (JsonNode shot : manifest.get("steps").get(i - 1).get("images")) {
                takeMs += shot.get("captureMs").asDouble();
            }
            capture.add(takeMs);
            overhead.add(periodMs - settleMs - takeMs);
        }
        if (overhead.size() != lights.size()) {
            throw new IllegalStateException("expected " + lights.size() + " steps, saw " + overhead.size());
        }
        return new Run(overhead, capture, imageWrite, manifestWrite, (end - start) / 1e6);
    }

    /** The real store, timing every write and telling the benchmark which file it was. */
    private static final class TimedStore implements ImageStore {
        private final ImageStore store;
        volatile java.util.function.ObjLongConsumer<String> listener = (path, nanos) -> { };

        TimedStore(ImageStore store) {
            this.store = store;
        }

        @Override
        public Path root() {
            return store.root();
        }

        @Override
        public Path resolve(String relative) {
            return store.resolve(relative);
        }

        @Override
        public Path write(String relative, byte[] content) {
            long start = System.nanoTime();
            Path written = store.write(relative, content);
            listener.accept(relative, System.nanoTime() - start);
            return written;
        }

        @Override
        public CaptureResult store(CapturedImage image, Map<String, Object> extra) {
            return store.store(image, extra);
        }

        @Override
        public Page<StoredCapture> captures(String camera, int offset, int limit) {
            return store.captures(camera, offset, limit);
        }

        @Override
        public Optional<StoredCapture> capture(String camera, String file) {
            return store.capture(camera, file);
        }

        @Override
        public boolean deleteCapture(String camera, String file) {
            return store.deleteCapture(camera, file);
        }
    }

    /** A camera that has its still ready: returns the same pre-encoded JPEG with core-like metadata at once. */
    private static final class InstantCamera implements CaptureService {
        private final byte[] jpeg;
        private long sequence;

        InstantCamera(byte[] jpeg) {
            this.jpeg = jpeg;
        }

        @Override
        public CapturedImage take(String camera, Map<String, Object> metadata) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("capture", "single");
            m.put("label", "Bench camera");
            m.put("driver", "memory");
            m.put("mode", Map.of("format", "MJPEG", "width", 1280, "height", 720, "fps", 30));
            m.put("format", "MJPEG");
            m.put("sequence", ++sequence);
            m.put("settings", Map.of("brightness", 50, "contrast", 32, "exposure_auto", 3, "gain", 0));
            m.put("imu", Map.of("available", true, "roll", 0.5, "pitch", -1.25, "yaw", 182.0, "ageMs", 12));
            m.putAll(metadata);
            return new CapturedImage(camera, jpeg, 1280, 720, Instant.now(), System.nanoTime(), m);
        }

        @Override
        public CaptureResult capture(String camera, Map<String, Object> metadata) {
            throw new UnsupportedOperationException();
        }

        @Override
        public BatchResult captureAll(Map<String, Object> metadata) {
            throw new UnsupportedOperationException();
        }

        @Override
        public BatchResult captureStereo(Map<String, Object> metadata) {
            throw new UnsupportedOperationException();
        }
    }

    /** A noisy gradient, so the JPEG has a realistic size for its resolution. */
    private static byte[] testJpeg(int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        Random random = new Random(7);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = (x * 255 / width + random.nextInt(24)) & 0xff;
                int g = (y * 255 / height + random.nextInt(24)) & 0xff;
                int b = ((x + y) & 0x7f) + random.nextInt(24);
                image.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpg", out);
        return out.toByteArray();
    }

    private static double percentile(List<Double> values, int p) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
