package org.obscura.sequencer.internal;

import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraRegistry;
import org.obscura.camera.api.CameraStatus;
import org.obscura.camera.api.CaptureService;
import org.obscura.camera.api.ImageData;
import org.obscura.camera.api.ImageSet;
import org.obscura.camera.api.ImageSetFile;
import org.obscura.camera.api.ImageSets;
import org.obscura.camera.api.ImageStore;
import org.obscura.camera.api.LightController;
import org.obscura.camera.api.ObscuraEvents;
import org.obscura.camera.api.SequenceProgress;
import org.obscura.camera.api.SequenceRequest;
import org.obscura.camera.api.SequenceResult;
import org.obscura.camera.api.SequenceService;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Photometric sequences (one still per light, one light on at a time) into image sets under {@code sets/},
 * and the image sets service over what they wrote. One sequence runs at a time, on its own thread.
 *
 * <p>It works with any camera that takes stills through {@link CaptureService#take}; images are written with
 * {@link ImageStore#write} (atomically). Lights and Event Admin are optional: without lights a sequence
 * cannot start, without Event Admin progress goes to the caller's callback only. When the component stops
 * (bundle stop, configuration change) a running sequence is cancelled: its set is marked failed, its images
 * are kept, and every light is switched off.
 */
@Component(service = { SequenceService.class, ImageSets.class }, configurationPid = PhotometricSequencer.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = PhotometricSequencer.Config.class)
public final class PhotometricSequencer implements SequenceService, ImageSets {

    /** Configuration PID of the sequencer. */
    public static final String PID = "org.obscura.sequencer";

    static final Duration MAX_SETTLE = Duration.ofSeconds(60);
    /** Steps are numbered with two digits ({@code image_NN_...}). */
    static final int MAX_STEPS = 99;
    private static final long STOP_WAIT_MS = 30_000;
    private static final Logger LOG = LoggerFactory.getLogger(PhotometricSequencer.class);

    @ObjectClassDefinition(name = "Obscura photometric sequencer", description = "Light-by-light capture "
            + "sequences into image sets.")
    public @interface Config {
        @AttributeDefinition(name = "Settle delay (ms)", description = "Delay between switching a light on and "
                + "capturing, unless a sequence asks for another.", min = "0", max = "60000")
        long settle_ms() default 500;

        @AttributeDefinition(name = "Default camera", description = "Camera of sequences that name none; empty "
                + "for the first online camera.", required = false)
        String default_camera() default "";
    }

    private final CaptureService capture;
    private final ImageStore store;
    private final Duration defaultSettle;
    private final String defaultCamera;
    private final Clock clock;
    private final ZoneId zone;
    private final SetFolders sets;
    private final AtomicReference<SequenceRun> running = new AtomicReference<>();
    private volatile Thread runner;
    private volatile boolean stopped;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile LightController lights;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile EventAdmin events;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile CameraRegistry registry;

    @Activate
    public PhotometricSequencer(@Reference CaptureService capture, @Reference ImageStore store, Config config) {
        this(capture, store, config.settle_ms(), config.default_camera(), Clock.systemUTC(), ZoneId.systemDefault());
    }

    PhotometricSequencer(CaptureService capture, ImageStore store, long settleMs, String defaultCamera, Clock clock,
            ZoneId zone) {
        if (settleMs < 0 || settleMs > MAX_SETTLE.toMillis()) {
            throw CameraException.invalid("settle.ms", "settle delay must be 0 to " + MAX_SETTLE.toMillis()
                    + " ms, got " + settleMs);
        }
        this.capture = capture;
        this.store = store;
        this.defaultSettle = Duration.ofMillis(settleMs);
        this.defaultCamera = defaultCamera == null ? "" : defaultCamera.trim();
        this.clock = clock;
        this.zone = zone;
        this.sets = new SetFolders(store, zone, () -> {
            SequenceRun run = running.get();
            return run == null ? null : run.plan().set();
        });
    }

    // ---- sequences --------------------------------------------------------------------------------------

    @Override
    public CompletionStage<SequenceResult> start(SequenceRequest request, Consumer<SequenceProgress> progress) {
        if (request == null) {
            throw CameraException.invalid("lights", "a sequence request is required");
        }
        LightController lc = lights;
        if (lc == null) {
            throw new CameraException(CameraException.Kind.UNAVAILABLE, "no lights are available (is the lights "
                    + "bundle running?)");
        }
        if (stopped) {
            throw new CameraException(CameraException.Kind.UNAVAILABLE, "the sequencer is stopping");
        }
        SequencePlan plan = plan(request, lc);
        Consumer<SequenceProgress> listener = progress == null ? p -> { } : progress;
        SequenceRun run = new SequenceRun(plan, lc, capture, store, p -> {
            try {
                listener.accept(p);
            } finally {
                post(p);
            }
        }, clock);
        if (!running.compareAndSet(null, run)) {
            SequenceRun other = running.get();
            throw new CameraException(CameraException.Kind.CONFLICT, "a sequence is already running"
                    + (other == null ? "" : " (set '" + other.plan().set() + "')"));
        }
        CompletableFuture<SequenceResult> result = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                run.cancel("cancelled by the caller");
                return super.cancel(mayInterruptIfRunning);
            }
        };
        try {
            if (Files.exists(store.resolve(plan.folder()))) {
                throw new CameraException(CameraException.Kind.CONFLICT, "image set '" + plan.set()
                        + "' already exists; use another prefix or start again in a second", "prefix", null);
            }
            run.prepare();
            Thread thread = new Thread(() -> {
                SequenceResult outcome = run.execute();
                // Free the slot before completing, so that a caller reacting to the result can start the next.
                running.compareAndSet(run, null);
                result.complete(outcome);
            }, "obscura-sequence-" + plan.set());
            thread.setDaemon(true);
            runner = thread;
            thread.start();
        } catch (RuntimeException e) {
            running.compareAndSet(run, null);
            throw e;
        }
        LOG.info("sequence {} started: lights {}, cameras {}, settle {} ms", plan.set(), plan.lights(), plan.cameras(),
                plan.settle().toMillis());
        return result;
    }

    /** Checks a request completely before anything is switched or written. */
    SequencePlan plan(SequenceRequest request, LightController lc) {
        List<String> sequence = request.lights();
        if (sequence.isEmpty()) {
            throw CameraException.invalid("lights", "the light sequence is empty; name at least one light");
        }
        if (sequence.size() > MAX_STEPS) {
            throw CameraException.invalid("lights", "a sequence has at most " + MAX_STEPS + " steps, got "
                    + sequence.size());
        }
        Map<String, Boolean> known = lc.states();
        for (String light : sequence) {
            if (light == null || !known.containsKey(light)) {
                throw CameraException.invalid("lights", "unknown light '" + light + "'; configured: "
                        + known.keySet());
            }
            if (!SetNames.PART.matcher(light).matches()) {
                throw CameraException.invalid("lights", "light '" + light + "' cannot be used in a file name");
            }
        }
        String prefix = request.prefix() == null || request.prefix().isBlank() ? SetNames.DEFAULT_PREFIX
                : request.prefix().trim();
        if (!SetNames.PREFIX.matcher(prefix).matches()) {
            throw CameraException.invalid("prefix", "set name prefix must be 1-64 letters, digits, '_' or '-', "
                    + "starting with a letter or digit, got '" + request.prefix() + "'");
        }
        Duration settle = request.settle() == null ? defaultSettle : request.settle();
        if (settle.isNegative() || settle.compareTo(MAX_SETTLE) > 0) {
            throw CameraException.invalid("settle", "settle delay must be 0 to " + MAX_SETTLE.toMillis()
                    + " ms, got " + settle.toMillis() + " ms");
        }
        return new SequencePlan(SetNames.setName(prefix, clock.instant(), zone), sequence, cameras(request),
                settle);
    }

    private List<String> cameras(SequenceRequest request) {
        CameraRegistry reg = registry;
        List<String> cameras = new ArrayList<>(new LinkedHashSet<>(request.cameras()));
        if (cameras.isEmpty() && !defaultCamera.isEmpty()) {
            cameras.add(defaultCamera);
        }
        if (cameras.isEmpty()) {
            Optional<String> first = reg == null ? Optional.empty()
                    : reg.cameras().stream().filter(CameraStatus::online).map(CameraStatus::name).sorted().findFirst();
            cameras.add(first.orElseThrow(() -> new CameraException(CameraException.Kind.UNAVAILABLE,
                    "no camera is online to capture the sequence")));
        }
        for (String camera : cameras) {
            if (camera == null || !SetNames.PART.matcher(camera).matches()) {
                throw CameraException.invalid("cameras", "camera name '" + camera + "' is not valid");
            }
            if (reg != null && reg.camera(camera).isEmpty()) {
                throw CameraException.invalid("cameras", "unknown camera '" + camera + "'");
            }
        }
        return cameras;
    }

    private void post(SequenceProgress p) {
        EventAdmin ea = events;
        if (ea == null) {
            return;
        }
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("status", p.status());
        properties.put("step", p.step());
        properties.put("total", p.total());
        if (p.currentLight() != null) {
            properties.put("currentLight", p.currentLight());
        }
        properties.put("setFolder", p.setFolder());
        if (p.errorDetail() != null) {
            properties.put("errorDetail", p.errorDetail());
        }
        try {
            ea.postEvent(new Event(ObscuraEvents.SEQUENCE_PROGRESS, properties));
        } catch (RuntimeException e) {
            LOG.debug("could not post sequence progress: {}", e.toString());
        }
    }

    /** Cancels a running sequence, waits for it to record its failure, and leaves every light off. */
    @Deactivate
    void deactivate() {
        stopped = true;
        SequenceRun run = running.get();
        Thread thread = runner;
        if (run != null) {
            run.cancel("the sequencer was stopped");
            if (thread != null) {
                try {
                    thread.join(STOP_WAIT_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (thread.isAlive()) {
                    LOG.warn("sequence {} did not stop within {} ms", run.plan().set(), STOP_WAIT_MS);
                }
            }
        }
        LightController lc = lights;
        if (lc != null) {
            lc.allOff();
        }
    }

    // ---- image sets -------------------------------------------------------------------------------------

    @Override
    public List<ImageSet> sets() {
        return sets.sets();
    }

    @Override
    public List<ImageSetFile> contents(String set) {
        return sets.contents(set);
    }

    @Override
    public boolean delete(String set) {
        return sets.delete(set);
    }

    @Override
    public ImageData image(String path) {
        return sets.image(path);
    }
}
