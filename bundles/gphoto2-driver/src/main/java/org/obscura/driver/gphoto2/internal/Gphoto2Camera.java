package org.obscura.driver.gphoto2.internal;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import org.obscura.camera.api.CameraConfig;
import org.obscura.camera.api.CameraDescriptor;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraException.Kind;
import org.obscura.camera.api.Capability;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.Mode;
import org.obscura.camera.api.PixelFormat;
import org.obscura.camera.api.Setting;
import org.obscura.camera.spi.CameraDevice;
import org.obscura.camera.spi.FrameSink;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A DSLR or mirrorless camera driven through libgphoto2: one per factory configuration of
 * {@link #FACTORY_PID}.
 *
 * <h2>One thread per camera</h2>
 * libgphoto2 must not be entered concurrently for one camera, and a camera's USB or PTP/IP link carries one
 * operation at a time. Every libgphoto2 call for this camera therefore runs on its own thread
 * ({@code gphoto2-<name>}): public methods submit a task and wait for it with a timeout. Liveview is a
 * chain of tasks on the same thread, one preview each, so a still capture or a settings read submitted
 * meanwhile runs between two preview frames: liveview pauses for it and resumes by itself. Input is checked
 * before anything is submitted, so bad requests never occupy the camera thread.
 *
 * <h2>Connection</h2>
 * The camera is opened on first use (not on activation) and kept open. A failure that leaves the link
 * unusable (camera switched off, cable pulled, socket closed) closes it; the next request opens it again.
 * During liveview such a failure is reported through {@link FrameSink#failed}, after which the core calls
 * {@link #start} again until the camera is back. A liveview image that does not come within
 * {@link #PREVIEW_TIMEOUT} fails the stream at once (TIMEOUT, from a watchdog thread, as the camera thread is
 * stuck in libgphoto2); the connection it hung on is closed when the call returns. {@link #reset} closes and
 * reopens the connection on request, between two liveview frames.
 *
 * <h2>Settings</h2>
 * The configuration tree is read as a whole and served from memory for {@code settings.refresh.seconds};
 * the next read after that goes to the camera again. A write is checked against the last read (options,
 * range, read-only) and the setting read back from the camera is returned and cached.
 *
 * <h2>Registration</h2>
 * As DS cannot derive the {@code camera.name} service property from the configuration's {@code name},
 * {@link #activate} registers the service itself (only when {@code enabled}), and {@link #deactivate}
 * unregisters it, stops liveview and releases the camera.
 */
@Component(configurationPid = Gphoto2Camera.FACTORY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
@Designate(ocd = Gphoto2Camera.Config.class, factory = true)
public final class Gphoto2Camera implements CameraDevice {

    /** Factory PID of gphoto2 camera configurations. */
    public static final String FACTORY_PID = "org.obscura.driver.gphoto2.camera";

    /** Longest wait for opening the camera and its first liveview frame. */
    static final Duration OPEN_TIMEOUT = Duration.ofSeconds(30);
    /** Longest wait for a settings read or write. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    /** Consecutive liveview images that are not JPEG before liveview is declared failed. */
    private static final int MAX_BAD_PREVIEWS = 25;
    private static final long CLOSE_WAIT_SECONDS = 10;
    /**
     * Longest wait for one liveview image. A camera answers a preview in well under a second; one that takes
     * longer is stuck (a PTP/IP link that stopped answering without closing, firmware busy) and libgphoto2
     * may wait for it for a long time.
     */
    static final Duration PREVIEW_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(Gphoto2Camera.class);

    /** A gphoto2 camera's configuration, as forms show it. */
    @ObjectClassDefinition(name = "gphoto2 camera", description = "A DSLR or mirrorless camera driven through "
            + "libgphoto2, over USB or PTP/IP (Wi-Fi). Needs the libgphoto2-6 package.")
    public @interface Config {

        @AttributeDefinition(name = "Name", description = "Unique camera name, used in URLs and file names: "
                + "lower-case letters, digits, '_' and '-', starting with a letter or digit.")
        String name();

        @AttributeDefinition(name = "Label", description = "Name shown to people; the name when empty.",
                required = false)
        String label() default "";

        @AttributeDefinition(name = "Stereo", description = "Take part in stereo captures.")
        boolean stereo() default false;

        @AttributeDefinition(name = "Stereo order", description = "Position among the stereo cameras, lower first.")
        int stereo_order() default 0;

        @AttributeDefinition(name = "Interrupt service", description = "A systemd service to stop before an "
                + "exclusive capture and restart after it; none when empty.", required = false)
        String interrupt_service() default "";

        @AttributeDefinition(name = "Enabled",
                description = "A disabled camera keeps its configuration but does not run.")
        boolean enabled() default true;

        @AttributeDefinition(name = "Model", description = "Camera model as 'gphoto2 --auto-detect' names it "
                + "(e.g. 'Canon EOS 700D'); with no port, the first camera of this model is used. Empty: whatever "
                + "camera is found.", required = false)
        String model() default "";

        @AttributeDefinition(name = "Port", description = "Where the camera is: usb:BBB,DDD (bus and device as "
                + "'gphoto2 --auto-detect' shows; they change when it is plugged in again), or "
                + "ptpip:A.B.C.D[:PORT[:EVENTPORT]] for a camera on the network. Empty: found by auto-detection.",
                required = false)
        String port() default "";

        @AttributeDefinition(name = "Keep on camera", description = "Keep captured pictures on the camera's card "
                + "after downloading them; otherwise they are deleted from the card.")
        boolean keep_on_camera() default false;

        @AttributeDefinition(name = "Settings refresh (s)", description = "How long the camera's settings are "
                + "served from memory before they are read from the camera again.", min = "1", max = "3600")
        int settings_refresh_seconds() default Gphoto2Setup.DEFAULT_SETTINGS_REFRESH_SECONDS;

        @AttributeDefinition(name = "Liveview interval (s)", description = "Shortest time between two liveview "
                + "frames: 0.05 is about 20 frames per second when the camera keeps up; 0 as fast as it can.",
                min = "0", max = "10")
        double liveview_interval() default Gphoto2Setup.DEFAULT_LIVEVIEW_INTERVAL;

        @AttributeDefinition(name = "Capture timeout (s)", description = "Longest wait for a still: exposure, "
                + "saving to the card and download. Raise it for long exposures.", min = "1", max = "3600")
        int capture_timeout_seconds() default Gphoto2Setup.DEFAULT_CAPTURE_TIMEOUT_SECONDS;
    }

    /** A liveview session: from a successful {@link #start} to {@link #stop} or a failure. */
    private static final class Stream {
        final FrameSink sink;
        volatile ScheduledFuture<?> next;
        int badPreviews; // camera thread only
        volatile boolean hung; // set by the watchdog once the stream was failed for a preview that hangs

        Stream(FrameSink sink) {
            this.sink = sink;
        }
    }

    /** A request on the camera thread, so that one that outlives its timeout can be recognised as stuck. */
    private static final class Request {
        final String action;
        volatile long startedNanos;
        volatile boolean finished;

        Request(String action) {
            this.action = action;
        }
    }

    /** The settings as last read, by name too. */
    private record SettingsSnapshot(List<GpConnection.Entry> entries, Map<String, GpConnection.Entry> byName,
            long readNanos) {
        static SettingsSnapshot of(List<GpConnection.Entry> entries) {
            Map<String, GpConnection.Entry> byName = new LinkedHashMap<>();
            for (GpConnection.Entry e : entries) {
                byName.putIfAbsent(e.setting().name(), e);
            }
            return new SettingsSnapshot(List.copyOf(entries), byName, System.nanoTime());
        }

        boolean fresh(Duration maxAge) {
            return System.nanoTime() - readNanos < maxAge.toNanos();
        }

        SettingsSnapshot with(GpConnection.Entry changed) {
            List<GpConnection.Entry> list = entries.stream()
                    .map(e -> e.setting().name().equals(changed.setting().name()) ? changed : e).toList();
            Map<String, GpConnection.Entry> map = new LinkedHashMap<>(byName);
            map.put(changed.setting().name(), changed);
            return new SettingsSnapshot(list, map, readNanos);
        }
    }

    private final Gphoto2Setup setup;
    private final Gphoto2Library library;
    private final ScheduledThreadPoolExecutor executor;
    private volatile Thread cameraThread;

    // camera thread only
    private GpConnection connection;
    private long sequence;

    // guards the stream field and every call into a sink, so that stop() can promise silence
    private final ReentrantLock sinkLock = new ReentrantLock();
    private Stream stream; // guarded by sinkLock
    private long streamGeneration; // guarded by sinkLock; bumped by every stop

    private volatile SettingsSnapshot settings;
    private volatile CameraDescriptor descriptor;
    private volatile boolean previewUnsupported;
    private volatile Map<String, String> facts = Map.of();
    private volatile int previewWidth;
    private volatile int previewHeight;
    private volatile boolean closed;
    private volatile Duration previewTimeout = PREVIEW_TIMEOUT;
    // fails a liveview whose preview call hangs: the camera thread itself is stuck inside libgphoto2 then
    private final ScheduledThreadPoolExecutor watchdog;
    private final AtomicReference<Request> stuck = new AtomicReference<>();
    private ServiceRegistration<CameraDevice> registration; // DS activate/deactivate only

    /** Made by DS for a factory configuration; fails when libgphoto2 cannot be loaded (no camera registered). */
    @Activate
    public Gphoto2Camera(Config config) {
        this(Gphoto2Setup.from(config), Gphoto2Library.load());
    }

    Gphoto2Camera(Gphoto2Setup setup, Gphoto2Library library) {
        this.setup = Objects.requireNonNull(setup, "setup");
        this.library = Objects.requireNonNull(library, "library");
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "gphoto2-" + setup.name());
            t.setDaemon(true);
            cameraThread = t;
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.watchdog = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "gphoto2-" + setup.name() + "-watchdog");
            t.setDaemon(true);
            return t;
        });
        watchdog.setRemoveOnCancelPolicy(true);
        this.descriptor = describe();
    }

    @Activate
    void activate(BundleContext context, Map<String, Object> properties) {
        if (!setup.enabled()) {
            LOG.info("camera '{}' is disabled: not registered", setup.name());
            return;
        }
        Hashtable<String, Object> serviceProperties = new Hashtable<>();
        serviceProperties.put(CameraConfig.CAMERA_NAME, setup.name());
        serviceProperties.put(CameraConfig.DRIVER, Gphoto2Driver.ID);
        for (String key : List.of(Constants.SERVICE_PID, "service.factoryPid")) {
            Object value = properties.get(key);
            if (value != null) {
                serviceProperties.put(key, value);
            }
        }
        registration = context.registerService(CameraDevice.class, this, serviceProperties);
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework unregistered it with the bundle
            }
            registration = null;
        }
        close();
    }

    /**
     * Stops liveview, releases the camera and ends the camera thread. Later calls fail as UNAVAILABLE.
     * Waits a few seconds for a libgphoto2 call in progress; a call that hangs is left to finish on its own.
     */
    void close() {
        closed = true;
        stop();
        try {
            executor.execute(this::disconnect);
        } catch (RejectedExecutionException alreadyClosed) {
            return;
        }
        executor.shutdown();
        watchdog.shutdownNow();
        try {
            if (!executor.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("{}: still busy in libgphoto2 after {} s; leaving it to finish", quoted(),
                        CLOSE_WAIT_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    Gphoto2Setup setup() {
        return setup;
    }

    /** Changes the longest wait for one liveview image (tests). */
    void previewTimeout(Duration timeout) {
        previewTimeout = Objects.requireNonNull(timeout, "timeout");
    }

    private String quoted() {
        return "camera '" + setup.name() + "'";
    }

    // ---- descriptor ----

    @Override
    public CameraDescriptor descriptor() {
        return descriptor;
    }

    private CameraDescriptor describe() {
        Set<Capability> capabilities = previewUnsupported ? EnumSet.of(Capability.STILL, Capability.SETTINGS)
                : EnumSet.of(Capability.STREAM, Capability.PREVIEW, Capability.STILL, Capability.SETTINGS);
        long interval = setup.liveviewInterval().toNanos();
        Mode mode = new Mode(PixelFormat.JPEG, previewWidth, previewHeight, interval > 0 ? 1e9 / interval : 0);
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("port", setup.port().toString());
        if (!setup.model().isEmpty()) {
            properties.put("model", setup.model());
        }
        properties.putAll(facts); // what the camera itself reports, once it has been opened
        properties.put("libgphoto2", library.version());
        properties.put("keepOnCamera", setup.keepOnCamera());
        return new CameraDescriptor(setup.name(), setup.label(), Gphoto2Driver.ID, setup.device(), mode, capabilities,
                setup.stereo(), setup.stereoOrder(), setup.interruptService(), properties);
    }

    // ---- the camera thread ----

    /**
     * Runs {@code task} on the camera thread and waits for it. Called on the camera thread itself (from a
     * sink callback), it runs the task directly.
     *
     * @throws CameraException from the task; TIMEOUT when it takes longer than {@code timeout};
     *                         UNAVAILABLE once the camera is closed
     */
    private <T> T onCameraThread(String action, Duration timeout, Callable<T> task) {
        if (Thread.currentThread() == cameraThread) {
            try {
                return task.call();
            } catch (CameraException e) {
                throw e;
            } catch (Exception e) {
                throw unexpected(action, e);
            }
        }
        if (closed) {
            throw removed();
        }
        Request hung = stuck.get();
        if (hung != null) {
            throw new CameraException(Kind.TIMEOUT, quoted() + " has not answered since " + hung.action
                    + " started " + Duration.ofNanos(System.nanoTime() - hung.startedNanos).toSeconds()
                    + " s ago; switch the camera off and on again (or unplug it) to free it");
        }
        Request request = new Request(action);
        Future<T> future;
        try {
            future = executor.submit(() -> {
                request.startedNanos = System.nanoTime();
                try {
                    return task.call();
                } finally {
                    request.finished = true;
                    stuck.compareAndSet(request, null); // it returned after all: the thread serves again
                }
            });
        } catch (RejectedExecutionException e) {
            throw removed();
        }
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(false); // a request still queued never runs
            if (request.startedNanos != 0) {
                // it is running inside libgphoto2, which cannot be interrupted: later requests fail at once
                // instead of queueing behind it, until it returns (camera reset, link dropped)
                stuck.set(request);
                if (request.finished) {
                    stuck.compareAndSet(request, null);
                }
            }
            throw new CameraException(Kind.TIMEOUT, quoted() + ": " + action + " took longer than "
                    + timeout.toSeconds() + " s; if this repeats, switch the camera off and on again");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof CameraException ce) {
                throw ce;
            }
            throw unexpected(action, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(false);
            throw new CameraException(Kind.UNAVAILABLE, quoted() + ": " + action + " was interrupted", e);
        }
    }

    private CameraException removed() {
        return new CameraException(Kind.UNAVAILABLE, quoted() + " has been removed");
    }

    private CameraException unexpected(String action, Throwable cause) {
        LOG.error("{}: {} failed unexpectedly", quoted(), action, cause);
        return new CameraException(Kind.IO, quoted() + ": " + action + " failed: " + cause, cause);
    }

    /**
     * Runs {@code operation} on the open connection, opening it first when needed; closes it when the
     * operation found it broken. Camera thread only.
     */
    private <T> T withConnection(Function<GpConnection, T> operation) {
        if (closed) {
            throw removed();
        }
        if (connection == null) {
            connection = GpConnection.open(library, quoted(), setup.port(), setup.model());
            facts = connection.facts();
            descriptor = describe();
            LOG.info("{}: connected to {} at {}", quoted(), facts.getOrDefault("model", connection.model()),
                    setup.port());
        }
        GpConnection c = connection;
        try {
            return operation.apply(c);
        } finally {
            if (c.broken()) {
                LOG.info("{}: connection lost; it is reopened on the next request", quoted());
                disconnect();
            }
        }
    }

    /** Releases the camera. Camera thread only. */
    private void disconnect() {
        GpConnection c = connection;
        connection = null;
        if (c != null) {
            c.close();
        }
    }

    // ---- liveview ----

    @Override
    public void start(FrameSink sink) {
        Objects.requireNonNull(sink, "sink");
        Stream s = new Stream(sink);
        long generation;
        sinkLock.lock();
        try {
            if (stream != null) {
                throw new CameraException(Kind.CONFLICT, quoted() + " is already streaming");
            }
            generation = streamGeneration;
        } finally {
            sinkLock.unlock();
        }
        onCameraThread("starting liveview", OPEN_TIMEOUT, () -> {
            byte[] first;
            try {
                first = withConnection(GpConnection::preview);
            } catch (CameraException e) {
                if (e.kind() == Kind.UNSUPPORTED && !previewUnsupported) {
                    previewUnsupported = true;
                    descriptor = describe();
                }
                throw e;
            }
            sinkLock.lock();
            try {
                if (streamGeneration != generation || stream != null) {
                    return null; // stopped (or started elsewhere) while the camera opened: stay silent
                }
                stream = s;
            } finally {
                sinkLock.unlock();
            }
            long started = System.nanoTime();
            deliver(s, first);
            scheduleNext(s, started);
            return null;
        });
    }

    @Override
    public void stop() {
        Stream s;
        // taking the lock waits for a frame being delivered; after it no call reaches the old sink
        sinkLock.lock();
        try {
            streamGeneration++;
            s = stream;
            stream = null;
        } finally {
            sinkLock.unlock();
        }
        if (s != null) {
            ScheduledFuture<?> next = s.next;
            if (next != null) {
                next.cancel(false);
            }
        }
    }

    private boolean current(Stream s) {
        sinkLock.lock();
        try {
            return stream == s;
        } finally {
            sinkLock.unlock();
        }
    }

    private void scheduleNext(Stream s, long startedNanos) {
        if (!current(s)) {
            return;
        }
        long delay = Math.max(0, setup.liveviewInterval().toNanos() - (System.nanoTime() - startedNanos));
        try {
            s.next = executor.schedule(() -> liveviewStep(s), delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            // the camera is being closed: stop() already silenced the stream
        }
    }

    /**
     * One liveview frame; camera thread. A watchdog fails the stream when the preview call hangs; when the
     * call returns at last, the connection it hung on is closed, so the core's next {@link #start} (queued
     * behind it on this thread) opens a fresh one.
     */
    private void liveviewStep(Stream s) {
        if (!current(s)) {
            return;
        }
        long started = System.nanoTime();
        Duration timeout = previewTimeout;
        ScheduledFuture<?> alarm;
        try {
            alarm = watchdog.schedule(() -> previewHung(s, timeout), timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            return; // the camera is being closed
        }
        byte[] jpeg;
        try {
            jpeg = withConnection(GpConnection::preview);
        } catch (CameraException e) {
            alarm.cancel(false);
            streamFailed(s, e);
            return;
        } catch (RuntimeException e) {
            alarm.cancel(false);
            streamFailed(s, unexpected("liveview", e));
            return;
        } finally {
            if (s.hung) {
                LOG.info("{}: the liveview image that hung came after {} ms; closing that connection", quoted(),
                        (System.nanoTime() - started) / 1_000_000);
                disconnect();
            }
        }
        alarm.cancel(false);
        if (s.hung) {
            return;
        }
        deliver(s, jpeg);
        scheduleNext(s, started);
    }

    /**
     * The watchdog's side of a preview that hangs: fails the stream at once, from the watchdog thread. The
     * camera thread is inside libgphoto2 and makes no sink call meanwhile, and both take {@link #sinkLock}, so
     * the sink is never called from two threads at once.
     */
    private void previewHung(Stream s, Duration timeout) {
        s.hung = true;
        sinkLock.lock();
        try {
            if (stream != s) {
                return;
            }
            stream = null;
            streamGeneration++;
            CameraException error = new CameraException(Kind.TIMEOUT, quoted() + " has not sent a liveview image for "
                    + timeout.toSeconds() + " s; it is reconnected when it answers again. If this repeats, switch "
                    + "the camera off and on again");
            LOG.warn("{}: liveview stopped: {}", quoted(), error.getMessage());
            s.sink.failed(error);
        } catch (RuntimeException e) {
            LOG.warn("{}: the frame sink failed", quoted(), e);
        } finally {
            sinkLock.unlock();
        }
    }

    private void deliver(Stream s, byte[] jpeg) {
        JpegSize size = JpegSize.of(jpeg, jpeg.length);
        if (size == null) {
            if (++s.badPreviews == 1) {
                LOG.warn("{}: liveview image of {} bytes is not a JPEG; skipped", quoted(), jpeg.length);
            }
            if (s.badPreviews >= MAX_BAD_PREVIEWS) {
                streamFailed(s, new CameraException(Kind.UNSUPPORTED, quoted() + " sends liveview images that are "
                        + "not JPEG; this camera's liveview cannot be shown"));
            }
            return;
        }
        s.badPreviews = 0;
        if (size.width() != previewWidth || size.height() != previewHeight) {
            previewWidth = size.width();
            previewHeight = size.height();
            descriptor = describe();
        }
        Frame frame = Frame.of(PixelFormat.JPEG, size.width(), size.height(), 0, ++sequence, System.nanoTime(),
                Instant.now(), ByteBuffer.wrap(jpeg));
        sinkLock.lock();
        try {
            if (stream == s) {
                s.sink.frame(frame);
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: the frame sink failed", quoted(), e);
        } finally {
            sinkLock.unlock();
            frame.release();
        }
    }

    private void streamFailed(Stream s, CameraException error) {
        // a camera that failed in liveview is reopened from scratch on the next start
        disconnect();
        sinkLock.lock();
        try {
            if (stream != s) {
                return;
            }
            stream = null;
            streamGeneration++;
            LOG.warn("{}: liveview stopped: {}", quoted(), error.getMessage());
            s.sink.failed(error);
        } catch (RuntimeException e) {
            LOG.warn("{}: the frame sink failed", quoted(), e);
        } finally {
            sinkLock.unlock();
        }
    }

    // ---- stills ----

    @Override
    public Frame captureStill() {
        return onCameraThread("capturing", setup.captureTimeout(), () -> {
            GpConnection.Captured c = withConnection(conn -> conn.capture(true, setup.keepOnCamera()));
            byte[] data = c.data();
            JpegSize size = JpegSize.of(data, data.length);
            if (size == null) {
                throw new CameraException(Kind.UNSUPPORTED, quoted() + " saved " + c.name() + ", which is not a JPEG "
                        + "image; it was kept on the camera in " + c.folder() + ". Set the camera's image format "
                        + "to JPEG (or RAW+JPEG) to take stills here");
            }
            return Frame.of(PixelFormat.JPEG, size.width(), size.height(), 0, ++sequence, c.triggeredNanos(),
                    Instant.now(), ByteBuffer.wrap(data));
        });
    }

    /**
     * Takes a picture and leaves it on the card: no download, no delete, whatever {@code keep.on.camera}
     * says. Runs between two liveview frames like any capture.
     */
    @Override
    public String captureOnDevice() {
        return onCameraThread("capturing", setup.captureTimeout(), () -> {
            GpConnection.Captured c = withConnection(conn -> conn.capture(false, true));
            return c.folder().endsWith("/") ? c.folder() + c.name() : c.folder() + "/" + c.name();
        });
    }

    // ---- reset ----

    /**
     * Exits the camera and initialises it again on the camera thread, so that it runs between two liveview
     * frames: the next frame is read through the new connection and liveview goes on by itself. The settings
     * are read from the camera again on the next request. A libgphoto2 call that hangs cannot be reset from
     * here (it holds the camera thread): that still takes switching the camera off or unplugging it.
     *
     * @throws CameraException UNAVAILABLE when the camera does not come back, TIMEOUT, BUSY, IO
     */
    @Override
    public void reset() {
        onCameraThread("resetting", OPEN_TIMEOUT, () -> {
            LOG.info("{}: resetting the connection", quoted());
            disconnect();
            settings = null;
            withConnection(c -> null);
            return null;
        });
    }

    // ---- settings ----

    @Override
    public List<Setting> settings() {
        return freshSettings().entries().stream().map(GpConnection.Entry::setting).toList();
    }

    private SettingsSnapshot freshSettings() {
        SettingsSnapshot s = settings;
        if (s != null && s.fresh(setup.settingsRefresh())) {
            return s;
        }
        return onCameraThread("reading settings", CALL_TIMEOUT, () -> {
            SettingsSnapshot again = settings;
            if (again != null && again.fresh(setup.settingsRefresh())) {
                return again; // another caller refreshed it while this one waited
            }
            SettingsSnapshot read = SettingsSnapshot.of(withConnection(GpConnection::readSettings));
            settings = read;
            return read;
        });
    }

    @Override
    public Setting setSetting(String name, Object value) {
        if (name == null || name.isBlank()) {
            throw CameraException.invalid("name", "setting name is empty");
        }
        GpConnection.Entry entry = freshSettings().byName().get(name);
        if (entry == null) {
            throw new CameraException(Kind.NOT_FOUND, quoted() + " has no setting '" + name + "'", "name", null);
        }
        Object converted = SettingValues.parse(entry.setting(), entry.widget(), value);
        GpConnection.Entry written = onCameraThread("setting '" + name + "'", CALL_TIMEOUT, () -> {
            GpConnection.Entry result = withConnection(conn -> conn.writeSetting(entry, converted));
            SettingsSnapshot s = settings;
            if (s != null) {
                settings = s.with(result);
            }
            return result;
        });
        return written.setting();
    }
}
