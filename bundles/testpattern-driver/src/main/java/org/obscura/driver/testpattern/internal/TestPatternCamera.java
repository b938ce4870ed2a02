package org.obscura.driver.testpattern.internal;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.obscura.camera.api.CameraConfig;
import org.obscura.camera.api.CameraDescriptor;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraException.Kind;
import org.obscura.camera.api.Capability;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.Mode;
import org.obscura.camera.api.PixelFormat;
import org.obscura.camera.api.Setting;
import org.obscura.camera.api.SettingType;
import org.obscura.camera.spi.CameraDevice;
import org.obscura.camera.spi.FrameSink;
import org.obscura.driver.testpattern.internal.PatternRenderer.Look;
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
import org.osgi.service.metatype.annotations.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A test-pattern camera: one per factory configuration of {@link #FACTORY_PID}, or the driver's built-in
 * camera. It draws a moving pattern with the frame number, camera name and wall-clock time in it, as YUYV
 * or JPEG at the configured size and rate; or, when {@code folder} (or a {@code device} of the form
 * {@code folder:<path>}) is set, loops the JPEG files of that folder, passing their bytes through.
 *
 * <h2>Registration</h2>
 * The component does not let DS register it: a CameraDevice must carry {@code camera.name} (from the
 * configuration's {@code name}) and {@code camera.driver}, which DS cannot derive. {@link #activate}
 * registers it through the bundle context with those properties (plus the configuration's
 * {@code service.pid} / {@code service.factoryPid}, as DS would), and only when {@code enabled} is true;
 * {@link #deactivate} (configuration changed or deleted, bundle stopped or updated) unregisters it and stops
 * the stream. A configuration change therefore re-registers the camera, which viewers ride through.
 *
 * <h2>Threading</h2>
 * While streaming, one daemon thread named after the camera makes and pushes the frames at the configured
 * rate. {@link #stop} returns only when no further call can reach the sink. Stills are drawn on the caller's
 * thread with their own renderer, so they do not disturb the stream. Settings may be written from any
 * thread; the next frame shows them.
 */
@org.osgi.annotation.bundle.Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=org.obscura.camera.spi.CameraDevice",
        uses = CameraDevice.class)
@Component(configurationPid = TestPatternCamera.FACTORY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
@Designate(ocd = TestPatternCamera.Config.class, factory = true)
public final class TestPatternCamera implements CameraDevice {

    /** Factory PID of test-pattern camera configurations. */
    public static final String FACTORY_PID = "org.obscura.driver.testpattern.camera";
    /** Service property marking the driver's built-in camera. */
    public static final String BUILTIN = "camera.builtin";

    static final String PATTERN_SETTING = "pattern";
    static final String BRIGHTNESS_SETTING = "brightness";
    static final String OVERLAY_SETTING = "overlay";
    static final int MIN_BRIGHTNESS = -100;
    static final int MAX_BRIGHTNESS = 100;
    /** How long {@link #stop} waits for the stream thread to finish its frame before giving up on it. */
    private static final long STOP_WAIT_SECONDS = 5;

    private static final Logger LOG = LoggerFactory.getLogger(TestPatternCamera.class);

    /** A test-pattern camera's configuration, as forms show it. */
    @ObjectClassDefinition(name = "Test pattern camera",
            description = "A synthetic camera that draws a moving test pattern, or loops the JPEG files of a folder. "
                    + "Needs no hardware.")
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

        @AttributeDefinition(name = "Device", description = "What to show: 'pattern' to draw a test pattern, or "
                + "'folder:<path>' to loop the JPEG files of a folder (as discovery lists them).", required = false)
        String device() default CameraSetup.PATTERN_DEVICE;

        @AttributeDefinition(name = "Width", description = "Frame width in pixels; even for YUYV.",
                min = "" + CameraSetup.MIN_SIZE, max = "" + CameraSetup.MAX_WIDTH)
        int width() default CameraSetup.DEFAULT_WIDTH;

        @AttributeDefinition(name = "Height", description = "Frame height in pixels.",
                min = "" + CameraSetup.MIN_SIZE, max = "" + CameraSetup.MAX_HEIGHT)
        int height() default CameraSetup.DEFAULT_HEIGHT;

        @AttributeDefinition(name = "Frame rate", description = "Frames per second.",
                min = "" + CameraSetup.MIN_FPS, max = "" + CameraSetup.MAX_FPS)
        double fps() default CameraSetup.DEFAULT_FPS;

        @AttributeDefinition(name = "Pixel format", description = "How frames leave the camera.", options = {
            @Option(label = "YUYV 4:2:2 (raw; the server encodes it)", value = "YUYV"),
            @Option(label = "JPEG (encoded by the camera, like a webcam's MJPEG)", value = "JPEG")
        })
        String format() default CameraSetup.DEFAULT_FORMAT;

        @AttributeDefinition(name = "Pattern", description = "The picture drawn; can also be changed live as a "
                + "camera setting.", options = {
                    @Option(label = "Colour bars", value = "bars"),
                    @Option(label = "Scrolling rainbow", value = "gradient"),
                    @Option(label = "Moving checkerboard", value = "checkers")
                })
        String pattern() default CameraSetup.DEFAULT_PATTERN;

        @AttributeDefinition(name = "JPEG folder", description = "When set, the camera loops the JPEG files of this "
                + "folder (sorted by name) instead of drawing: each file is sent untouched at the frame rate, its "
                + "size read from the file. Files added or removed join the loop.", required = false)
        String folder() default "";

        @AttributeDefinition(name = "JPEG quality", description = "Quality of the JPEG frames the camera encodes "
                + "(pixel format JPEG), 1 to 100.", min = "1", max = "100")
        int jpeg_quality() default CameraSetup.DEFAULT_JPEG_QUALITY;
    }

    private final CameraSetup setup;
    private final boolean builtin;
    private final ZoneId zone;
    private final JpegFolder folder;
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicReference<Look> look;
    private volatile CameraDescriptor descriptor;
    private final Object stillLock = new Object();
    private FrameSource stillSource; // guarded by stillLock
    private Stream stream; // guarded by this
    private boolean closed; // guarded by this
    private ServiceRegistration<CameraDevice> registration; // DS activate/deactivate only

    /** Made by DS for a factory configuration. */
    @Activate
    public TestPatternCamera(Config config) {
        this(CameraSetup.from(config), false, ZoneId.systemDefault());
    }

    /**
     * @param builtin whether this is the driver's built-in camera (service property {@link #BUILTIN})
     * @param zone    time zone of the clock drawn in the picture
     */
    TestPatternCamera(CameraSetup setup, boolean builtin, ZoneId zone) {
        this.setup = setup;
        this.builtin = builtin;
        this.zone = zone;
        this.folder = setup.folder() == null ? null : new JpegFolder(setup.folder());
        this.look = new AtomicReference<>(new Look(setup.pattern(), 0, true));
        Mode mode = new Mode(setup.format(), setup.width(), setup.height(), setup.fps());
        if (folder != null) {
            JpegFolder.Size size = JpegFolder.firstImageSize(folder.dir());
            if (size != null) {
                mode = new Mode(PixelFormat.JPEG, size.width(), size.height(), setup.fps());
            }
        }
        this.descriptor = describe(mode);
    }

    @Activate
    void activate(BundleContext context, Map<String, Object> properties) {
        if (!setup.enabled()) {
            LOG.info("camera '{}' is disabled: not registered", setup.name());
            return;
        }
        Hashtable<String, Object> serviceProperties = new Hashtable<>(serviceProperties());
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

    /** The service properties a CameraDevice needs: camera name, driver, and the built-in marker. */
    Map<String, Object> serviceProperties() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put(CameraConfig.CAMERA_NAME, setup.name());
        p.put(CameraConfig.DRIVER, TestPatternDriver.ID);
        if (builtin) {
            p.put(BUILTIN, Boolean.TRUE);
        }
        return p;
    }

    /** Stops streaming for good: later {@link #start} and {@link #captureStill} calls fail as UNAVAILABLE. */
    void close() {
        synchronized (this) {
            closed = true;
        }
        stop();
    }

    @Override
    public CameraDescriptor descriptor() {
        return descriptor;
    }

    private CameraDescriptor describe(Mode mode) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("source", folder == null ? "pattern" : "folder");
        if (folder != null) {
            properties.put("folder", folder.dir().toString());
        }
        if (builtin) {
            properties.put("builtin", true);
        }
        Set<Capability> capabilities = folder == null ? Set.of(Capability.STREAM, Capability.STILL, Capability.SETTINGS)
                : Set.of(Capability.STREAM, Capability.STILL);
        return new CameraDescriptor(setup.name(), setup.label(), TestPatternDriver.ID, setup.device(), mode,
                capabilities, setup.stereo(), setup.stereoOrder(), setup.interruptService(), properties);
    }

    /** Keeps a folder camera's mode at the size of the file it shows. */
    private void shown(JpegFolder.Image image) {
        Mode mode = descriptor.mode();
        if (mode.width() != image.width() || mode.height() != image.height()) {
            descriptor = describe(new Mode(PixelFormat.JPEG, image.width(), image.height(), setup.fps()));
        }
    }

    private FrameSource newSource() {
        return folder != null ? new FolderSource(folder, this::shown) : new PatternSource(setup, look::get, zone);
    }

    private String quoted() {
        return "camera '" + setup.name() + "'";
    }

    @Override
    public void start(FrameSink sink) {
        Objects.requireNonNull(sink, "sink");
        synchronized (this) {
            if (closed) {
                throw new CameraException(Kind.UNAVAILABLE, quoted() + " has been removed");
            }
            if (stream != null) {
                throw new CameraException(Kind.CONFLICT, quoted() + " is already streaming");
            }
            if (folder != null) {
                folder.current(); // fail now, not on the stream thread, when the folder holds nothing to show
            }
            stream = new Stream(sink, newSource());
        }
    }

    @Override
    public void stop() {
        Stream s;
        synchronized (this) {
            s = stream;
            stream = null;
        }
        if (s != null) {
            s.close();
        }
    }

    @Override
    public Frame captureStill() {
        synchronized (this) {
            if (closed) {
                throw new CameraException(Kind.UNAVAILABLE, quoted() + " has been removed");
            }
        }
        synchronized (stillLock) {
            if (stillSource == null) {
                stillSource = newSource();
            }
            return stillSource.still(sequence.incrementAndGet(), System.nanoTime(), Instant.now());
        }
    }

    @Override
    public List<Setting> settings() {
        if (folder != null) {
            return List.of();
        }
        Look l = look.get();
        return List.of(patternSetting(l), brightnessSetting(l), overlaySetting(l));
    }

    @Override
    public Setting setSetting(String name, Object value) {
        if (folder == null && name != null) {
            switch (name) {
                case PATTERN_SETTING -> {
                    Pattern p = Pattern.parse(value == null ? null : value.toString())
                            .orElseThrow(() -> CameraException.invalid(PATTERN_SETTING,
                                    "pattern '" + value + "' is unknown: one of " + String.join(", ", Pattern.ids())));
                    return patternSetting(look.updateAndGet(l -> new Look(p, l.brightness(), l.overlay())));
                }
                case BRIGHTNESS_SETTING -> {
                    int b = brightness(value);
                    return brightnessSetting(look.updateAndGet(l -> new Look(l.pattern(), b, l.overlay())));
                }
                case OVERLAY_SETTING -> {
                    boolean o = overlay(value);
                    return overlaySetting(look.updateAndGet(l -> new Look(l.pattern(), l.brightness(), o)));
                }
                default -> {
                    // not found, below
                }
            }
        }
        List<String> names = settings().stream().map(Setting::name).toList();
        throw CameraException.notFound(quoted() + " has no setting '" + name + "'"
                + (names.isEmpty() ? "; it has no settings" : "; settings: " + String.join(", ", names)));
    }

    private static int brightness(Object value) {
        try {
            double d = value instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(value).strip());
            if (d == Math.rint(d) && d >= MIN_BRIGHTNESS && d <= MAX_BRIGHTNESS) {
                return (int) d;
            }
        } catch (NumberFormatException e) {
            // reported below with what is allowed
        }
        throw CameraException.invalid(BRIGHTNESS_SETTING, "brightness must be a whole number from " + MIN_BRIGHTNESS
                + " to " + MAX_BRIGHTNESS + ", not '" + value + "'");
    }

    private static boolean overlay(Object value) {
        if (value instanceof Boolean b) {
            return b;
        }
        String t = String.valueOf(value).strip();
        if (t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(t);
        }
        throw CameraException.invalid(OVERLAY_SETTING, "overlay must be true or false, not '" + value + "'");
    }

    private static Setting patternSetting(Look l) {
        return new Setting(PATTERN_SETTING, "Pattern", SettingType.MENU, l.pattern().id(), Pattern.ids(), null, null,
                null, false, "picture");
    }

    private static Setting brightnessSetting(Look l) {
        return new Setting(BRIGHTNESS_SETTING, "Brightness", SettingType.INTEGER, (long) l.brightness(), List.of(),
                MIN_BRIGHTNESS, MAX_BRIGHTNESS, 1, false, "picture");
    }

    private static Setting overlaySetting(Look l) {
        return new Setting(OVERLAY_SETTING, "Text overlay", SettingType.BOOLEAN, l.overlay(), List.of(), null, null,
                null, false, "picture");
    }

    /** The current stream's pooled buffer count, for tests; 0 when not streaming or not pooled. */
    synchronized int pooledBuffers() {
        return stream != null && stream.source instanceof PatternSource p ? p.pooledBuffers() : 0;
    }

    /**
     * One streaming session: a single-thread scheduler ticking at the frame rate, and the gate that makes
     * {@link #close} final. Every sink call happens under {@code gate} after checking {@code open}; close
     * clears {@code open} under the gate, so once it has it no call can follow, whatever the thread is doing
     * (and it is re-entrant, for a sink that stops the camera from inside a callback).
     */
    private final class Stream implements Runnable {
        final FrameSink sink;
        final FrameSource source;
        final ScheduledExecutorService timer;
        final Object gate = new Object();
        volatile boolean open = true; // written under gate
        volatile Thread thread;

        Stream(FrameSink sink, FrameSource source) {
            this.sink = sink;
            this.source = source;
            this.timer = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread t = new Thread(task, "testpattern-" + setup.name());
                t.setDaemon(true);
                thread = t;
                return t;
            });
            long period = Math.max(1, Math.round(1e9 / setup.fps()));
            timer.scheduleAtFixedRate(this, 0, period, TimeUnit.NANOSECONDS);
        }

        @Override
        public void run() {
            if (!open) {
                return;
            }
            long nanos = System.nanoTime();
            Instant now = Instant.now();
            Frame frame;
            try {
                frame = source.next(sequence.incrementAndGet(), nanos, now);
            } catch (CameraException e) {
                fail(e);
                return;
            } catch (RuntimeException | Error e) {
                fail(new CameraException(Kind.IO, quoted() + " could not make a frame: " + e, e));
                return;
            }
            if (frame == null) {
                return; // every pooled buffer is held downstream: skip this tick
            }
            try {
                synchronized (gate) {
                    if (open) {
                        sink.frame(frame);
                    }
                }
            } catch (RuntimeException e) {
                LOG.warn("frame sink of {} failed on frame {}", quoted(), frame.sequence(), e);
            } finally {
                frame.release();
            }
        }

        private void fail(CameraException error) {
            synchronized (gate) {
                if (!open) {
                    return;
                }
                open = false;
                timer.shutdown();
                LOG.warn("{} stopped streaming: {}", quoted(), error.getMessage());
                try {
                    sink.failed(error);
                } catch (RuntimeException e) {
                    LOG.warn("frame sink of {} failed on an error report", quoted(), e);
                }
            }
        }

        void close() {
            timer.shutdown();
            synchronized (gate) {
                open = false;
            }
            if (Thread.currentThread() == thread) {
                return; // stopped from inside a sink call: the thread ends after it returns
            }
            try {
                if (!timer.awaitTermination(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    LOG.warn("{}: the stream thread is still busy {} s after stop", quoted(), STOP_WAIT_SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // no sink call can follow anyway: the gate is closed
            }
        }
    }
}
