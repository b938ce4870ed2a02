package org.obscura.sequencer.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CaptureService;
import org.obscura.camera.api.CapturedImage;
import org.obscura.camera.api.ImageStore;
import org.obscura.camera.api.LightController;
import org.obscura.camera.api.SequenceProgress;
import org.obscura.camera.api.SequenceResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * One sequence, run on its own thread by {@link #run()}: for each step, every light off, the step's light on,
 * the settle delay, a still from each camera written into the set, every light off again.
 *
 * <p>Safety and honesty rules: lights are switched off after every step and in a {@code finally} around the
 * whole run (failure, cancellation, bundle stop); the manifest is rewritten atomically after every step, so
 * that the set on disk always says what it holds ({@code running}, then {@code complete} or {@code failed}
 * with the error); images already written are kept when a later step fails.
 *
 * <p>Images are written on the run's thread before a step counts as captured. The {@code running} manifests
 * between steps are written by a background writer instead, so that their fsync does not delay the next
 * step: snapshots coalesce (only the newest waiting one is written, so the writer never falls behind), each
 * lists only images already on disk, and a failed write fails the sequence at its next step. The first
 * manifest and the final one ({@code complete} or {@code failed}) are written on the calling thread, the final
 * one after the writer stopped, so no older snapshot can ever replace it.
 *
 * <p>{@link #cancel} may be called from any thread: it interrupts the settle delay, and the run stops before
 * the next capture (a capture in progress is not torn down; its device timeout bounds it).
 */
final class SequenceRun implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(SequenceRun.class);
    private static final long MANIFEST_WAIT_SECONDS = 30;

    private final SequencePlan plan;
    private final LightController lights;
    private final CaptureService capture;
    private final ImageStore store;
    private final Consumer<SequenceProgress> progress;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final List<String> images = new ArrayList<>();
    private final List<Map<String, Object>> steps = new ArrayList<>();
    private final Instant started;
    private volatile String cancelled;
    private volatile Thread thread;

    /** Serialises manifest writes; once {@link #manifestClosed}, background snapshots are dropped. */
    private final Object manifestLock = new Object();
    private final AtomicReference<byte[]> pendingManifest = new AtomicReference<>();
    private volatile IOFailure manifestFailure;
    private boolean manifestClosed;
    private ExecutorService manifestWriter;

    /** @param progress receives every progress report (already shielded against a throwing listener) */
    SequenceRun(SequencePlan plan, LightController lights, CaptureService capture, ImageStore store,
            Consumer<SequenceProgress> progress, Clock clock) {
        this.plan = plan;
        this.lights = lights;
        this.capture = capture;
        this.store = store;
        this.progress = progress;
        this.clock = clock;
        this.started = clock.instant();
    }

    SequencePlan plan() {
        return plan;
    }

    /**
     * Writes the first manifest ({@code running}), which also creates the set folder. Called on the starting
     * thread, so that a set that cannot be written fails the start itself.
     *
     * @throws CameraException IO when the set cannot be written
     */
    void prepare() {
        writeManifest("running", null);
    }

    /** Asks the run to stop; the result will be a failure with this reason. */
    void cancel(String reason) {
        cancelled = reason;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    /** Runs every step and returns the outcome; never throws. */
    SequenceResult execute() {
        thread = Thread.currentThread();
        manifestWriter = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "obscura-manifest-" + plan.set());
            t.setDaemon(true);
            return t;
        });
        int total = plan.lights().size();
        report("started", 0, null, null);
        int step = 0;
        String light = null;
        try {
            for (step = 1; step <= total; step++) {
                light = plan.lights().get(step - 1);
                checkCancelled();
                checkManifest();
                runStep(step, light);
                writeManifestInBackground();
                report("captured", step, light, null);
            }
            stopManifestWriter();
            checkManifest();
            writeManifest("complete", null);
            report("completed", total, null, null);
            LOG.info("sequence {} complete: {} images", plan.set(), images.size());
            return new SequenceResult(true, "Photometric sequence completed successfully.", plan.folder(), images,
                    null);
        } catch (RuntimeException | InterruptedException e) {
            if (e instanceof InterruptedException && cancelled == null) {
                cancelled = "interrupted";
            }
            IOFailure manifest = manifestFailure;
            String error = cancelled != null ? "sequence cancelled: " + cancelled
                    : manifest != null && manifest.exception == e ? e.getMessage()
                    : "Failed to capture image for light: " + light + ": " + e.getMessage();
            LOG.warn("sequence {} failed at step {} of {}: {}", plan.set(), step, total, error);
            lights.allOff();
            stopManifestWriter();
            try {
                writeManifest("failed", error);
            } catch (RuntimeException m) {
                LOG.error("could not write the manifest of failed set {}: {}", plan.set(), m.getMessage());
            }
            report("failed", Math.min(step, total), light, error);
            return new SequenceResult(false, "Photometric sequence failed: " + error, plan.folder(), images, error);
        } finally {
            lights.allOff();
            stopManifestWriter();
            Thread.interrupted(); // a cancel that came late must not leak into the next task of this thread
            thread = null;
        }
    }

    /** Fails the sequence when a background manifest write failed: the set on disk would not say what it holds. */
    private void checkManifest() {
        IOFailure failure = manifestFailure;
        if (failure != null) {
            throw failure.exception;
        }
    }

    /** Queues the current state as the next {@code running} manifest; never blocks on the disk. */
    private void writeManifestInBackground() {
        byte[] snapshot = manifestBytes("running", null);
        if (pendingManifest.getAndSet(snapshot) == null) {
            manifestWriter.execute(() -> {
                synchronized (manifestLock) {
                    byte[] newest = pendingManifest.getAndSet(null);
                    if (newest == null || manifestClosed) {
                        return;
                    }
                    try {
                        store.write(plan.folder() + "/" + SetNames.MANIFEST, newest);
                    } catch (RuntimeException e) {
                        LOG.warn("could not write the manifest of set {}: {}", plan.set(), e.getMessage());
                        manifestFailure = new IOFailure(e instanceof CameraException ce ? ce
                                : new CameraException(CameraException.Kind.IO, "could not write the manifest of set '"
                                        + plan.set() + "': " + e.getMessage(), e));
                    }
                }
            });
        }
    }

    /**
     * Lets the background writer finish what it has (bounded by one write), then closes it: after this, only
     * the run's thread writes the manifest. Idempotent. Clears the thread's interrupt: by now the outcome is
     * decided ({@link #cancelled} holds a cancellation), and the final manifest must still reach the disk,
     * which an interrupted thread's file channel refuses.
     */
    private void stopManifestWriter() {
        ExecutorService writer = manifestWriter;
        if (writer == null) {
            return;
        }
        writer.shutdown();
        Thread.interrupted();
        try {
            while (true) {
                try {
                    if (!writer.awaitTermination(MANIFEST_WAIT_SECONDS, TimeUnit.SECONDS)) {
                        LOG.warn("the manifest writer of set {} did not finish within {} s", plan.set(),
                                MANIFEST_WAIT_SECONDS);
                    }
                    break;
                } catch (InterruptedException e) {
                    // a cancel while draining: the drain is bounded by one write, finish it
                }
            }
        } finally {
            synchronized (manifestLock) {
                manifestClosed = true;
            }
        }
    }

    /** A failure of the background writer, handed to the run's thread. */
    private record IOFailure(CameraException exception) {
    }

    @Override
    public void run() {
        execute();
    }

    private void runStep(int step, String light) throws InterruptedException {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("step", step);
        record.put("light", light);
        List<Map<String, Object>> shots = new ArrayList<>();
        record.put("images", shots);
        steps.add(record);
        long stepStart = System.nanoTime();
        report("capturing", step, light, null);
        try {
            lights.allOff();
            lights.set(light, true);
            record.put("lightOn", clock.instant().toString());
            long settleMs = plan.settle().toMillis();
            if (settleMs > 0) {
                Thread.sleep(settleMs);
            }
            for (String camera : plan.cameras()) {
                checkCancelled();
                Map<String, Object> metadata = new LinkedHashMap<>();
                metadata.put("set", plan.set());
                metadata.put("step", step);
                metadata.put("light", light);
                long shotStart = System.nanoTime();
                CapturedImage image = capture.take(camera, metadata);
                long captureNanos = System.nanoTime() - shotStart;
                String file = SetNames.imageName(step, light, plan.cameras().size() > 1 ? camera : null);
                String path = plan.folder() + "/" + file;
                store.write(path, image.jpeg());
                images.add(path);
                Map<String, Object> shot = new LinkedHashMap<>();
                shot.put("camera", camera);
                shot.put("file", file);
                shot.put("width", image.width());
                shot.put("height", image.height());
                shot.put("size", image.jpeg().length);
                shot.put("timestamp", image.timestamp().toString());
                shot.put("captureMs", captureNanos / 1_000_000.0);
                shot.put("metadata", image.metadata());
                shots.add(shot);
            }
        } finally {
            lights.allOff();
            record.put("durationMs", (System.nanoTime() - stepStart) / 1_000_000.0);
        }
    }

    private void checkCancelled() throws InterruptedException {
        if (cancelled != null || Thread.currentThread().isInterrupted()) {
            throw new InterruptedException(cancelled == null ? "interrupted" : cancelled);
        }
    }

    private void report(String status, int step, String light, String error) {
        try {
            progress.accept(new SequenceProgress(status, step, plan.lights().size(), light, plan.folder(), error));
        } catch (RuntimeException e) {
            LOG.warn("a sequence progress listener failed: {}", e.toString());
        }
    }

    /** Writes the manifest on the calling thread (the first one, and the final one once the writer stopped). */
    private void writeManifest(String status, String error) {
        byte[] bytes = manifestBytes(status, error);
        synchronized (manifestLock) {
            store.write(plan.folder() + "/" + SetNames.MANIFEST, bytes);
        }
    }

    /** The manifest as it stands, serialised on the run's thread (which alone changes what it describes). */
    private byte[] manifestBytes(String status, String error) {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("name", plan.set());
        manifest.put("folder", plan.folder());
        manifest.put("status", status);
        manifest.put("error", error);
        manifest.put("started", started.toString());
        manifest.put("finished", "running".equals(status) ? null : clock.instant().toString());
        manifest.put("lights", plan.lights());
        manifest.put("cameras", plan.cameras());
        manifest.put("settleMs", plan.settle().toMillis());
        manifest.put("gpioAvailable", safeHardware());
        manifest.put("images", images);
        manifest.put("steps", steps);
        try {
            return json.writeValueAsBytes(manifest);
        } catch (JsonProcessingException e) {
            throw new CameraException(CameraException.Kind.IO, "could not write the manifest of set '" + plan.set()
                    + "': " + e.getOriginalMessage(), e);
        }
    }

    private boolean safeHardware() {
        try {
            return lights.hardwareAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }
}
