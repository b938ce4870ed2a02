package org.obscura.camera.core.internal.capture;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.obscura.camera.api.BatchResult;
import org.obscura.camera.api.CameraDescriptor;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CaptureResult;
import org.obscura.camera.api.CaptureService;
import org.obscura.camera.api.CapturedImage;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.ImageStore;
import org.obscura.camera.api.MetadataProvider;
import org.obscura.camera.api.ObscuraEvents;
import org.obscura.camera.api.Setting;
import org.obscura.camera.core.internal.CameraDevices;
import org.obscura.camera.core.internal.EventAdminPublisher;
import org.obscura.camera.core.internal.EventPublisher;
import org.obscura.camera.core.internal.Failures;
import org.obscura.camera.core.internal.jpeg.JpegCodec;
import org.obscura.camera.core.internal.jpeg.JpegEncoder;
import org.obscura.camera.core.internal.store.JsonValues;
import org.obscura.camera.spi.CameraDevice;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes stills: one camera, every online camera, or the stereo cameras together.
 *
 * <p>It reaches devices through the registry's internal {@link CameraDevices} service, so a camera is "online"
 * for capture exactly when the registry has a device for its name (a camera whose stream failed is still tried:
 * stills often work when streaming does not, and the device reports its own error otherwise).
 *
 * <h2>Concurrency</h2>
 * Stills of one camera are serialised by a per-camera lock (a second capture waits up to a minute, then fails
 * BUSY). Operations that stop interrupt services hold one more lock for their whole duration, so that one batch
 * never restarts a service that another batch just stopped. {@code captureAll} takes the cameras one after the
 * other: simultaneous stills on one USB bus can exceed its bandwidth, and a DSLR and a webcam gain nothing from
 * overlapping; {@code captureStereo} is the mode that triggers together. Stereo holds every participant's lock
 * (taken in name order, so concurrent batches cannot deadlock), starts one thread per camera, lets them all
 * reach a latch, then releases them at once.
 *
 * <h2>Metadata</h2>
 * Every still, whatever the mode and including {@link #take} (which photometric sequences use), gets the
 * metadata providers' entries in its sidecar metadata and their XMP properties embedded into the JPEG
 * ({@link JpegXmp}). Providers are called on the capturing thread; one that throws costs only its own data,
 * recorded with the reason, never the capture.
 */
@Component(service = CaptureService.class, configurationPid = CoreCaptureService.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = CoreCaptureService.Config.class)
public final class CoreCaptureService implements CaptureService {

    /** Configuration PID of the capture service. */
    public static final String PID = "org.obscura.camera.core.capture";

    /** Sidecar entry reporting the XMP properties embedded into the JPEG (reserved: no provider may use it). */
    static final String XMP_KEY = "xmp";
    private static final long LOCK_WAIT_SECONDS = 60;
    private static final Logger LOG = LoggerFactory.getLogger(CoreCaptureService.class);

    @ObjectClassDefinition(name = "Obscura captures", description = "How stills are taken and encoded.")
    public @interface Config {
        @AttributeDefinition(name = "Still JPEG quality", min = "1", max = "100",
                description = "Quality of stills encoded from raw camera frames (JPEG stills are stored as they are).")
        int still_quality() default 95;

        @AttributeDefinition(name = "Interrupt command", description = "Program and leading arguments that stop and "
                + "restart interrupt services; 'stop <service>' or 'restart <service>' is appended.")
        String[] interrupt_command() default {"sudo", "-n", "systemctl"};

        @AttributeDefinition(name = "Interrupt timeout (ms)", min = "100",
                description = "How long stopping or restarting an interrupt service may take.")
        long interrupt_timeout_ms() default 15000;
    }

    private final CameraDevices cameras;
    private final ImageStore store;
    private final JpegEncoder encoder;
    private final InterruptServices interrupts;
    private final int stillQuality;
    private final EventPublisher events;
    private final EventAdminPublisher eventAdmin;
    private final List<MetadataProvider> providers = new CopyOnWriteArrayList<>();
    private final ConcurrentMap<String, ReentrantLock> cameraLocks = new ConcurrentHashMap<>();
    private final ReentrantLock interruptLock = new ReentrantLock(true);

    /**
     * @param codec the bundle's shared codec: stills from raw frames are encoded with libjpeg-turbo where it is
     *              installed, like live frames; SCR deactivates this service before that codec is freed
     */
    @Activate
    public CoreCaptureService(@Reference CameraDevices cameras, @Reference ImageStore store,
            @Reference JpegCodec codec, Config config) {
        this(cameras, store, codec,
                new InterruptServices(Arrays.asList(config.interrupt_command()),
                        Duration.ofMillis(Math.max(100, config.interrupt_timeout_ms()))),
                config.still_quality() >= 1 && config.still_quality() <= 100 ? config.still_quality() : 95,
                new EventAdminPublisher());
    }

    public CoreCaptureService(CameraDevices cameras, ImageStore store, JpegEncoder encoder,
            InterruptServices interrupts, int stillQuality, EventPublisher events) {
        this.cameras = cameras;
        this.store = store;
        this.encoder = encoder;
        this.interrupts = interrupts;
        this.stillQuality = stillQuality;
        this.events = events;
        this.eventAdmin = events instanceof EventAdminPublisher p ? p : null;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindEventAdmin(EventAdmin admin) {
        if (eventAdmin != null) {
            eventAdmin.bind(admin);
        }
    }

    void unbindEventAdmin(EventAdmin admin) {
        if (eventAdmin != null) {
            eventAdmin.unbind(admin);
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void addProvider(MetadataProvider provider) {
        providers.add(provider);
    }

    public void removeProvider(MetadataProvider provider) {
        providers.remove(provider);
    }

    // ---- CaptureService ---------------------------------------------------------------------------------

    @Override
    public CapturedImage take(String camera, Map<String, Object> metadata) {
        CameraDevice device = cameras.device(camera);
        String service = interruptService(device);
        if (service == null) {
            return takeLocked(camera, device, metadata, "single");
        }
        acquire(interruptLock, "the interrupt services");
        try {
            interrupts.stop(service);
            return takeLocked(camera, device, metadata, "single");
        } finally {
            restartQuietly(service);
            interruptLock.unlock();
        }
    }

    @Override
    public CaptureResult capture(String camera, Map<String, Object> metadata) {
        CaptureResult result = store.store(take(camera, metadata), Map.of());
        captured(result);
        return result;
    }

    /**
     * Same locking and interrupt handling as {@link #take}; nothing is stored or announced here, as the picture
     * stays on the device.
     */
    @Override
    public String captureOnDevice(String camera) {
        CameraDevice device = cameras.device(camera);
        String service = interruptService(device);
        if (service == null) {
            return captureOnDeviceLocked(camera, device);
        }
        acquire(interruptLock, "the interrupt services");
        try {
            interrupts.stop(service);
            return captureOnDeviceLocked(camera, device);
        } finally {
            restartQuietly(service);
            interruptLock.unlock();
        }
    }

    private String captureOnDeviceLocked(String camera, CameraDevice device) {
        ReentrantLock lock = cameraLocks.computeIfAbsent(camera, k -> new ReentrantLock());
        acquire(lock, "camera '" + camera + "'");
        String where;
        try {
            where = device.captureOnDevice();
        } catch (RuntimeException e) {
            throw Failures.of(e, "camera '" + camera + "' failed to take a still");
        } finally {
            lock.unlock();
        }
        if (where == null || where.isBlank()) {
            throw new CameraException(CameraException.Kind.IO, "camera '" + camera + "' did not say where it stored "
                    + "the still");
        }
        return where;
    }

    @Override
    public BatchResult captureAll(Map<String, Object> metadata) {
        Instant started = Instant.now();
        List<Target> targets = new ArrayList<>();
        cameras.online().forEach((name, device) -> targets.add(new Target(name, device, descriptor(device))));
        List<CaptureResult> results = new ArrayList<>();
        Map<String, String> errors = new TreeMap<>();
        Map<String, List<String>> services = services(targets);
        if (!services.isEmpty()) {
            acquire(interruptLock, "the interrupt services");
        }
        try {
            stopAll(services, errors);
            for (Target t : targets) {
                if (errors.containsKey(t.name)) {
                    continue;
                }
                try {
                    CaptureResult result = store.store(takeLocked(t.name, t.device, metadata, "all"), Map.of());
                    results.add(result);
                    captured(result);
                } catch (RuntimeException e) {
                    errors.put(t.name, Failures.message(e));
                    LOG.warn("capture of camera '{}' failed: {}", t.name, Failures.message(e));
                }
            }
        } finally {
            if (!services.isEmpty()) {
                services.keySet().forEach(this::restartQuietly);
                interruptLock.unlock();
            }
        }
        return new BatchResult("all", results, errors, null, started, Instant.now());
    }

    @Override
    public BatchResult captureStereo(Map<String, Object> metadata) {
        Instant started = Instant.now();
        List<Target> targets = new ArrayList<>();
        cameras.online().forEach((name, device) -> {
            CameraDescriptor d = descriptor(device);
            if (d != null && d.stereo()) {
                targets.add(new Target(name, device, d));
            }
        });
        if (targets.size() < 2) {
            throw new CameraException(CameraException.Kind.UNAVAILABLE, "stereo capture needs at least two online "
                    + "cameras marked stereo; online now: " + targets.stream().map(Target::name).toList());
        }
        targets.sort(Comparator.comparingInt((Target t) -> t.descriptor.stereoOrder()).thenComparing(Target::name));
        List<String> order = targets.stream().map(Target::name).toList();

        List<CaptureResult> results = new ArrayList<>();
        Map<String, String> errors = new TreeMap<>();
        Map<String, List<String>> services = services(targets);
        List<ReentrantLock> held = new ArrayList<>();
        Frame[] frames = new Frame[0];
        Long skew = null;
        if (!services.isEmpty()) {
            acquire(interruptLock, "the interrupt services");
        }
        try {
            stopAll(services, errors);
            List<Target> ready = new ArrayList<>();
            for (Target t : targets.stream().sorted(Comparator.comparing(Target::name)).toList()) {
                if (errors.containsKey(t.name)) {
                    continue;
                }
                try {
                    ReentrantLock lock = cameraLocks.computeIfAbsent(t.name, k -> new ReentrantLock());
                    acquire(lock, "camera '" + t.name + "'");
                    held.add(lock);
                    ready.add(t);
                } catch (CameraException e) {
                    errors.put(t.name, e.getMessage());
                }
            }
            ready.sort(Comparator.comparingInt(t -> order.indexOf(t.name)));
            frames = grabTogether(ready, errors);
            skew = skew(frames);
            Map<String, Object> stereo = new LinkedHashMap<>();
            stereo.put("cameras", order);
            stereo.put("skewNanos", skew);
            for (int i = 0; i < frames.length; i++) {
                Target t = ready.get(i);
                if (frames[i] == null) {
                    continue;
                }
                try {
                    Frame frame = frames[i];
                    frames[i] = null; // finish() releases it, even when it fails
                    CapturedImage image = finish(t.name, t.device, frame, metadata, "stereo");
                    Map<String, Object> extra = new LinkedHashMap<>(stereo);
                    extra.put("position", order.indexOf(t.name));
                    CaptureResult result = store.store(image, Map.of("stereo", extra));
                    results.add(result);
                    captured(result);
                } catch (RuntimeException e) {
                    errors.put(t.name, Failures.message(e));
                    LOG.warn("stereo capture of camera '{}' failed: {}", t.name, Failures.message(e));
                }
            }
        } finally {
            for (Frame unfinished : frames) {
                if (unfinished != null) {
                    unfinished.release();
                }
            }
            held.forEach(ReentrantLock::unlock);
            if (!services.isEmpty()) {
                services.keySet().forEach(this::restartQuietly);
                interruptLock.unlock();
            }
        }
        return new BatchResult("stereo", results, errors, skew, started, Instant.now());
    }

    // ---- taking stills ----------------------------------------------------------------------------------

    private CapturedImage takeLocked(String camera, CameraDevice device, Map<String, Object> metadata, String mode) {
        ReentrantLock lock = cameraLocks.computeIfAbsent(camera, k -> new ReentrantLock());
        acquire(lock, "camera '" + camera + "'");
        try {
            return finish(camera, device, grab(camera, device), metadata, mode);
        } finally {
            lock.unlock();
        }
    }

    private static Frame grab(String camera, CameraDevice device) {
        Frame frame;
        try {
            frame = device.captureStill();
        } catch (RuntimeException e) {
            throw Failures.of(e, "camera '" + camera + "' failed to take a still");
        }
        if (frame == null) {
            throw new CameraException(CameraException.Kind.IO, "camera '" + camera + "' returned no image");
        }
        return frame;
    }

    /**
     * Triggers every target's still at the same moment: one thread per camera, all parked on a latch that opens
     * once every thread is ready. Returns the frames in target order ({@code null} where a camera failed, with
     * its error recorded).
     */
    private static Frame[] grabTogether(List<Target> targets, Map<String, String> errors) {
        int n = targets.size();
        Frame[] frames = new Frame[n];
        RuntimeException[] failures = new RuntimeException[n];
        CountDownLatch ready = new CountDownLatch(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int slot = i;
            Target t = targets.get(i);
            Thread thread = new Thread(() -> {
                ready.countDown();
                try {
                    go.await();
                    frames[slot] = grab(t.name, t.device);
                } catch (InterruptedException e) {
                    failures[slot] = new CameraException(CameraException.Kind.IO, "interrupted");
                } catch (RuntimeException e) {
                    failures[slot] = e;
                }
            }, "obscura-stereo-" + t.name);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        boolean interrupted = false;
        try {
            ready.await();
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            go.countDown();
        }
        for (Thread thread : threads) {
            while (true) {
                try {
                    thread.join(); // the device's own capture timeout bounds this
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        for (int i = 0; i < n; i++) {
            if (failures[i] != null) {
                errors.put(targets.get(i).name, Failures.message(failures[i]));
            }
        }
        return frames;
    }

    /** Largest minus smallest capture time among the frames, or {@code null} with fewer than two. */
    static Long skew(Frame[] frames) {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        int count = 0;
        for (Frame f : frames) {
            if (f != null) {
                min = Math.min(min, f.monotonicNanos());
                max = Math.max(max, f.monotonicNanos());
                count++;
            }
        }
        return count < 2 ? null : max - min;
    }

    /** Encodes (if raw) and describes a still; always releases the frame. */
    private CapturedImage finish(String camera, CameraDevice device, Frame frame, Map<String, Object> extra,
            String mode) {
        byte[] jpeg;
        try {
            jpeg = frame.format().isCompressed() ? frame.toByteArray() : encoder.encode(frame, stillQuality);
        } catch (RuntimeException e) {
            throw Failures.of(e, "could not encode the still of camera '" + camera + "'");
        } finally {
            frame.release();
        }
        Xmp xmp = embedXmp(camera, jpeg);
        return new CapturedImage(camera, xmp.jpeg, frame.width(), frame.height(), frame.timestamp(),
                frame.monotonicNanos(), metadata(camera, device, frame, extra, mode, xmp.report));
    }

    /**
     * The still with the providers' XMP properties embedded, and what the sidecar says about it under
     * {@value #XMP_KEY} ({@code null}: no provider had any). Never fails the capture: a provider that throws,
     * a name that cannot be embedded or a JPEG that cannot be rewritten is reported, and with nothing left to
     * embed, or when embedding fails, the JPEG is returned untouched.
     */
    private Xmp embedXmp(String camera, byte[] jpeg) {
        Map<String, String> properties = new LinkedHashMap<>();
        Map<String, String> owners = new LinkedHashMap<>();
        Map<String, String> providerErrors = new TreeMap<>();
        Map<String, String> skipped = new TreeMap<>();
        for (MetadataProvider provider : providers) {
            String name = providerName(provider);
            if (name == null) {
                continue;
            }
            Map<String, String> values;
            try {
                values = provider.xmp(camera);
            } catch (RuntimeException e) {
                providerErrors.put(name, Failures.message(e));
                continue;
            }
            if (values == null) {
                continue;
            }
            values.forEach((property, value) -> {
                String refusal = JpegXmp.refusal(property);
                if (refusal == null && owners.containsKey(property)) {
                    refusal = "already given by provider '" + owners.get(property) + "'";
                }
                if (refusal != null) {
                    skipped.put(String.valueOf(property), name + ": " + refusal);
                } else {
                    properties.put(property, value == null ? "" : value);
                    owners.put(property, name);
                }
            });
        }
        if (properties.isEmpty() && providerErrors.isEmpty() && skipped.isEmpty()) {
            return new Xmp(jpeg, null);
        }
        Map<String, Object> report = new LinkedHashMap<>();
        byte[] result = jpeg;
        if (!properties.isEmpty()) {
            try {
                result = JpegXmp.embed(jpeg, properties);
                report.put("embedded", properties);
            } catch (IOException | RuntimeException e) {
                report.put("embedded", Map.of());
                report.put("error", "XMP not embedded: " + Failures.message(e));
                LOG.warn("could not embed XMP into the still of camera '{}': {}", camera, Failures.message(e));
            }
        } else {
            report.put("embedded", Map.of());
        }
        if (!providerErrors.isEmpty()) {
            report.put("providerErrors", providerErrors);
        }
        if (!skipped.isEmpty()) {
            report.put("skipped", skipped);
        }
        return new Xmp(result, report);
    }

    /** The provider's name, or {@code null} (logged) when it has none. */
    private static String providerName(MetadataProvider provider) {
        try {
            String name = provider.name();
            if (name == null || name.isBlank()) {
                LOG.warn("a metadata provider has an empty name and is skipped");
                return null;
            }
            return name;
        } catch (RuntimeException e) {
            LOG.warn("a metadata provider has no name: {}", e.toString());
            return null;
        }
    }

    /** A still after XMP embedding, and the sidecar's report of it ({@code null}: nothing to report). */
    private record Xmp(byte[] jpeg, Map<String, Object> report) {
    }

    private Map<String, Object> metadata(String camera, CameraDevice device, Frame frame, Map<String, Object> extra,
            String mode, Map<String, Object> xmp) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("capture", mode);
        CameraDescriptor d = descriptor(device);
        if (d != null) {
            m.put("label", d.label());
            m.put("driver", d.driver());
            m.put("device", d.device());
            Map<String, Object> cameraMode = new LinkedHashMap<>();
            cameraMode.put("format", d.mode().format().name());
            cameraMode.put("width", d.mode().width());
            cameraMode.put("height", d.mode().height());
            cameraMode.put("fps", d.mode().fps());
            m.put("mode", cameraMode);
        }
        m.put("format", frame.format().name());
        m.put("sequence", frame.sequence());
        m.put("settings", settings(device));
        if (xmp != null) {
            m.put(XMP_KEY, xmp);
        }
        for (MetadataProvider provider : providers) {
            String name = providerName(provider);
            if (name == null) {
                continue;
            }
            if (m.containsKey(name) || name.equals(XMP_KEY)) {
                LOG.warn("metadata provider '{}' skipped: its name is already used", name);
                continue;
            }
            Object value;
            try {
                Map<String, Object> data = provider.metadata(camera);
                value = data == null ? Map.of() : data;
            } catch (RuntimeException e) {
                value = Map.of("error", Failures.message(e));
            }
            m.put(name, value);
        }
        if (extra != null) {
            extra.forEach(m::putIfAbsent);
        }
        return JsonValues.plainMap(m);
    }

    /** The camera's settings as name to value; best effort, an error is recorded instead of failing the capture. */
    private static Map<String, Object> settings(CameraDevice device) {
        Map<String, Object> values = new LinkedHashMap<>();
        try {
            List<Setting> all = device.settings();
            if (all != null) {
                for (Setting s : all) {
                    values.put(s.name(), s.value());
                }
            }
        } catch (RuntimeException e) {
            values.clear();
            values.put("error", Failures.message(e));
        }
        return values;
    }

    // ---- interrupt services -----------------------------------------------------------------------------

    /** Each interrupt service with the cameras that need it stopped, in first-seen order. */
    private static Map<String, List<String>> services(List<Target> targets) {
        Map<String, List<String>> services = new LinkedHashMap<>();
        for (Target t : targets) {
            String service = t.descriptor == null ? null : t.descriptor.interruptService();
            if (service != null) {
                services.computeIfAbsent(service, k -> new ArrayList<>()).add(t.name);
            }
        }
        return services;
    }

    /** Stops each service once; the cameras of a service that would not stop get its error and are skipped. */
    private void stopAll(Map<String, List<String>> services, Map<String, String> errors) {
        services.forEach((service, names) -> {
            try {
                interrupts.stop(service);
            } catch (CameraException e) {
                LOG.warn("could not stop interrupt service '{}': {}", service, e.getMessage());
                names.forEach(name -> errors.put(name, e.getMessage()));
            }
        });
    }

    /** Restarts a service whatever happened before: a stream service left stopped is worse than a failed capture. */
    private void restartQuietly(String service) {
        try {
            interrupts.restart(service);
        } catch (CameraException e) {
            LOG.error("could not restart interrupt service '{}': {}", service, e.getMessage());
        }
    }

    private static String interruptService(CameraDevice device) {
        CameraDescriptor d = descriptor(device);
        return d == null ? null : d.interruptService();
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private void captured(CaptureResult result) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put(ObscuraEvents.CAMERA, result.camera());
        properties.put(ObscuraEvents.PATH, result.stored().path());
        properties.put(ObscuraEvents.URL, result.stored().url());
        events.post(ObscuraEvents.CAPTURE_DONE, properties);
    }

    private static void acquire(ReentrantLock lock, String what) {
        try {
            if (!lock.tryLock(LOCK_WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new CameraException(CameraException.Kind.BUSY, what + " is busy with another capture");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CameraException(CameraException.Kind.BUSY, "interrupted while waiting for " + what, e);
        }
    }

    private static CameraDescriptor descriptor(CameraDevice device) {
        try {
            return device.descriptor();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private record Target(String name, CameraDevice device, CameraDescriptor descriptor) {
    }
}
