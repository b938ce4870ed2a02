package org.obscura.camera.core.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.obscura.camera.api.CameraConfig;
import org.obscura.camera.api.CameraDescriptor;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraRegistry;
import org.obscura.camera.api.CameraStatus;
import org.obscura.camera.api.DeviceInfo;
import org.obscura.camera.api.DriverInfo;
import org.obscura.camera.api.FrameListener;
import org.obscura.camera.api.FrameSubscription;
import org.obscura.camera.api.ObscuraEvents;
import org.obscura.camera.api.Setting;
import org.obscura.camera.core.internal.hub.FrameHub;
import org.obscura.camera.core.internal.hub.HubEnvironment;
import org.obscura.camera.core.internal.hub.HubSettings;
import org.obscura.camera.core.internal.jpeg.JpegCodec;
import org.obscura.camera.core.internal.jpeg.JpegEncoder;
import org.obscura.camera.spi.CameraDevice;
import org.obscura.camera.spi.CameraDriver;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
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
 * The camera registry: tracks driver and device services as they come and go, and keeps one {@link FrameHub}
 * per camera name. A hub is created when the first device with its name is registered and dropped when it has
 * neither device nor subscriber, so viewers of a camera whose driver is being updated stay connected.
 *
 * <p>Device names come from the service property {@link CameraConfig#CAMERA_NAME}, else the descriptor. The
 * first device registered under a name owns it; a second one is ignored (with a warning) until the first goes,
 * and then takes over.
 *
 * <p>Also registered as {@link CameraDevices}, this bundle's internal view through which the capture service
 * reaches the device that owns a name, so that ownership is decided in exactly one place.
 *
 * <p>Immediate, so that cameras are tracked (and announced) from startup, and so that viewers' hubs are never
 * dropped because the last service user happened to let go for a moment. The registry's monitor guards the maps;
 * it is taken before a hub's own lock, never after.
 */
@Component(service = {CameraRegistry.class, CameraDevices.class}, configurationPid = CoreCameraRegistry.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
@Designate(ocd = CoreCameraRegistry.Config.class)
public final class CoreCameraRegistry implements CameraRegistry, CameraDevices {

    /** Configuration PID of the frame hubs' settings. */
    public static final String PID = "org.obscura.camera.core.hub";

    private static final Logger LOG = LoggerFactory.getLogger(CoreCameraRegistry.class);

    @ObjectClassDefinition(name = "Obscura frame hubs",
            description = "How live frames are served to viewers: device release, encoding, offline behaviour.")
    public @interface Config {
        @AttributeDefinition(name = "Linger (ms)", min = "0",
                description = "How long a camera keeps streaming after its last viewer left.")
        long linger_ms() default 3000;

        @AttributeDefinition(name = "JPEG quality", min = "1", max = "100",
                description = "Quality of live JPEG frames encoded from raw camera frames.")
        int jpeg_quality() default 80;

        @AttributeDefinition(name = "No-signal frames",
                description = "Show viewers of an offline camera a \"no signal\" picture.")
        boolean nosignal_enabled() default true;

        @AttributeDefinition(name = "No-signal interval (ms)", min = "100",
                description = "How often the \"no signal\" picture is refreshed.")
        long nosignal_interval_ms() default 1000;

        @AttributeDefinition(name = "First retry delay (ms)", min = "10",
                description = "Delay before restarting a failed camera; doubles after each failure.")
        long retry_initial_ms() default 500;

        @AttributeDefinition(name = "Longest retry delay (ms)", min = "10",
                description = "Upper bound of the restart delay.")
        long retry_max_ms() default 10000;
    }

    private final EventAdminPublisher eventAdmin;
    private final EventPublisher events;
    private final ScheduledThreadPoolExecutor timer;
    private final ThreadPoolExecutor workers;
    private final HubEnvironment environment;
    private volatile HubSettings settings;

    // Guarded by this.
    private final Map<String, FrameHub> hubs = new TreeMap<>();
    private final List<BoundDevice> devices = new ArrayList<>();
    private final Map<CameraDriver, DriverInfo> drivers = new IdentityHashMap<>();
    private boolean closed;

    /**
     * @param codec the bundle's shared codec ({@link org.obscura.camera.core.internal.jpeg.SharedJpegCodec}); SCR
     *              deactivates this registry before that codec is freed
     */
    @Activate
    public CoreCameraRegistry(Config config, @Reference JpegCodec codec) {
        this(settings(config), codec, new EventAdminPublisher());
    }

    /** @param encoder encodes live frames; used, never closed: it stays the caller's */
    public CoreCameraRegistry(HubSettings settings, JpegEncoder encoder, EventPublisher events) {
        this.settings = settings;
        this.eventAdmin = events instanceof EventAdminPublisher p ? p : null;
        this.events = events;
        this.timer = new ScheduledThreadPoolExecutor(1, threads("obscura-hub-timer"));
        this.timer.setRemoveOnCancelPolicy(true);
        // Grows with demand: device start/stop may block for seconds, and a listener that breaks its
        // contract pins a thread; neither may hold up another camera. Idle threads die after 30 s.
        this.workers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                threads("obscura-hub"));
        this.environment = new HubEnvironment(() -> this.settings, encoder, timer, workers, events);
    }

    @Modified
    void modified(Config config) {
        settings = settings(config);
    }

    @Deactivate
    public void deactivate() {
        List<FrameHub> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(hubs.values());
            hubs.clear();
        }
        all.forEach(FrameHub::dispose);
        timer.shutdownNow();
        // Disposing queued a stop for every streaming device: let those finish before the pool goes.
        workers.shutdown();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("some cameras did not stop within 5 s");
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
    }

    static HubSettings settings(Config c) {
        HubSettings d = HubSettings.DEFAULTS;
        long retryInitial = c.retry_initial_ms() >= 10 ? c.retry_initial_ms() : d.retryInitial().toMillis();
        return new HubSettings(
                Duration.ofMillis(Math.max(0, c.linger_ms())),
                c.jpeg_quality() >= 1 && c.jpeg_quality() <= 100 ? c.jpeg_quality() : d.jpegQuality(),
                c.nosignal_enabled(),
                Duration.ofMillis(Math.max(100, c.nosignal_interval_ms())),
                Duration.ofMillis(retryInitial),
                Duration.ofMillis(Math.max(retryInitial, c.retry_max_ms())));
    }

    // ---- service tracking -------------------------------------------------------------------------------

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
    void bindDriver(CameraDriver driver, ServiceReference<CameraDriver> reference) {
        Bundle bundle = reference.getBundle();
        addDriver(driver, reference.getProperty(CameraDriver.DRIVER_ID),
                bundle == null ? null : bundle.getSymbolicName(),
                bundle == null ? null : bundle.getVersion().toString());
    }

    void unbindDriver(CameraDriver driver) {
        removeDriver(driver);
    }

    /** Records a driver; {@code idProperty} is its {@link CameraDriver#DRIVER_ID} service property, if any. */
    public void addDriver(CameraDriver driver, Object idProperty, String bundle, String version) {
        try {
            String id = idProperty instanceof String s && !s.isBlank() ? s : driver.id();
            DriverInfo info = new DriverInfo(id, driver.displayName(), driver.factoryPid(), true, null, bundle, version);
            synchronized (this) {
                drivers.put(driver, info);
            }
            LOG.info("driver '{}' added ({} {})", id, bundle, version);
        } catch (RuntimeException e) {
            LOG.warn("ignoring a camera driver that does not describe itself: {}", e.toString());
        }
    }

    public synchronized void removeDriver(CameraDriver driver) {
        drivers.remove(driver);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void addDevice(CameraDevice device, Map<String, Object> properties) {
        CameraDescriptor descriptor;
        try {
            descriptor = device.descriptor();
        } catch (RuntimeException e) {
            LOG.warn("ignoring a camera device whose descriptor fails: {}", e.toString());
            return;
        }
        Object property = properties.get(CameraConfig.CAMERA_NAME);
        String name = property instanceof String s && !s.isBlank() ? s : descriptor.name();
        if (!CameraConfig.isValidName(name)) {
            LOG.warn("ignoring camera device with invalid name '{}' (must match {})", name, CameraConfig.NAME_PATTERN);
            return;
        }
        boolean created = false;
        synchronized (this) {
            if (closed) {
                return;
            }
            BoundDevice owner = owner(name);
            devices.add(new BoundDevice(device, name));
            if (owner != null) {
                LOG.warn("camera name '{}' is already used by a device of driver '{}'; ignoring the new one of driver "
                        + "'{}' until the first goes", name, driverOf(owner.device), descriptor.driver());
                return;
            }
            FrameHub hub = hubs.get(name);
            if (hub == null) {
                hub = new FrameHub(name, environment, this::dropIfIdle);
                hubs.put(name, hub);
                created = true;
                events.post(ObscuraEvents.CAMERA_ADDED, properties(name, descriptor.driver()));
            }
            hub.attach(device, descriptor);
        }
        LOG.info("camera '{}' {} (driver '{}')", name, created ? "added" : "is back", descriptor.driver());
    }

    public void removeDevice(CameraDevice device) {
        String name;
        boolean removed = false;
        synchronized (this) {
            BoundDevice bound = null;
            for (BoundDevice b : devices) {
                if (b.device == device) {
                    bound = b;
                    break;
                }
            }
            if (bound == null) {
                return;
            }
            devices.remove(bound);
            name = bound.name;
            FrameHub hub = hubs.get(name);
            if (hub == null || hub.device() != device) {
                return; // it was a waiting duplicate
            }
            hub.detach(device);
            BoundDevice successor = owner(name);
            if (successor != null) {
                LOG.info("camera '{}' is now served by the device that waited for its name", name);
                hub.attach(successor.device, descriptorOf(successor.device));
            } else if (hub.isIdle()) {
                hubs.remove(name);
                hub.dispose();
                removed = true;
                events.post(ObscuraEvents.CAMERA_REMOVED, properties(name, null));
            }
        }
        LOG.info("camera '{}' {}", name, removed ? "removed" : "went away; its viewers wait for it");
    }

    /** Property changes of a device service: only a new name matters. */
    void updatedDevice(CameraDevice device, Map<String, Object> properties) {
        Object property = properties.get(CameraConfig.CAMERA_NAME);
        boolean renamed = false;
        synchronized (this) {
            for (BoundDevice b : devices) {
                if (b.device == device && property instanceof String s && !s.isBlank() && !s.equals(b.name)) {
                    renamed = true;
                }
            }
        }
        if (renamed) {
            removeDevice(device);
            addDevice(device, properties);
        }
    }

    private void dropIfIdle(FrameHub hub) {
        synchronized (this) {
            if (hubs.get(hub.camera()) != hub || !hub.isIdle()) {
                return;
            }
            hubs.remove(hub.camera());
            hub.dispose();
        }
        events.post(ObscuraEvents.CAMERA_REMOVED, properties(hub.camera(), null));
        LOG.info("camera '{}' removed (no device, no viewer)", hub.camera());
    }

    private BoundDevice owner(String name) {
        for (BoundDevice b : devices) {
            if (b.name.equals(name)) {
                return b;
            }
        }
        return null;
    }

    // ---- CameraRegistry ---------------------------------------------------------------------------------

    @Override
    public List<CameraStatus> cameras() {
        List<FrameHub> all;
        synchronized (this) {
            all = new ArrayList<>(hubs.values());
        }
        List<CameraStatus> result = new ArrayList<>(all.size());
        for (FrameHub hub : all) {
            result.add(hub.status());
        }
        return result;
    }

    @Override
    public Optional<CameraStatus> camera(String name) {
        FrameHub hub;
        synchronized (this) {
            hub = name == null ? null : hubs.get(name);
        }
        return hub == null ? Optional.empty() : Optional.of(hub.status());
    }

    @Override
    public List<DriverInfo> drivers() {
        Map<CameraDriver, DriverInfo> all;
        synchronized (this) {
            all = new IdentityHashMap<>(drivers);
        }
        List<DriverInfo> result = new ArrayList<>();
        all.forEach((driver, info) -> result.add(withState(driver, info)));
        result.sort((a, b) -> a.id().compareTo(b.id()));
        return result;
    }

    @Override
    public Optional<DriverInfo> driver(String id) {
        return drivers().stream().filter(d -> d.id().equals(id)).findFirst();
    }

    @Override
    public List<DeviceInfo> discover(String driverId) {
        CameraDriver driver = null;
        synchronized (this) {
            for (Map.Entry<CameraDriver, DriverInfo> e : drivers.entrySet()) {
                if (e.getValue().id().equals(driverId)) {
                    driver = e.getKey();
                }
            }
        }
        if (driver == null) {
            throw CameraException.notFound("no driver '" + driverId + "'");
        }
        try {
            List<DeviceInfo> found = driver.discover();
            return found == null ? List.of() : List.copyOf(found);
        } catch (RuntimeException e) {
            throw Failures.of(e, "driver '" + driverId + "' failed to discover devices");
        }
    }

    @Override
    public FrameSubscription subscribe(String camera, FrameListener listener) {
        synchronized (this) {
            FrameHub hub = camera == null ? null : hubs.get(camera);
            if (hub == null) {
                throw CameraException.notFound("no camera named '" + camera + "'");
            }
            return hub.subscribe(listener);
        }
    }

    @Override
    public List<Setting> settings(String camera) {
        CameraDevice d = device(camera);
        try {
            List<Setting> all = d.settings();
            return all == null ? List.of() : List.copyOf(all);
        } catch (RuntimeException e) {
            throw Failures.of(e, "camera '" + camera + "' failed to read its settings");
        }
    }

    @Override
    public Setting setSetting(String camera, String setting, Object value) {
        if (setting == null || setting.isBlank()) {
            throw CameraException.invalid("setting", "a setting name is required");
        }
        CameraDevice d = device(camera);
        try {
            return d.setSetting(setting, value);
        } catch (RuntimeException e) {
            throw Failures.of(e, "camera '" + camera + "' failed to set '" + setting + "'");
        }
    }

    /** Goes straight to the device: a device that streams keeps its sink and resumes by itself. */
    @Override
    public void reset(String camera) {
        CameraDevice d = device(camera);
        try {
            d.reset();
        } catch (RuntimeException e) {
            throw Failures.of(e, "camera '" + camera + "' failed to reset");
        }
        LOG.info("camera '{}' was reset", camera);
    }

    // ---- CameraDevices ----------------------------------------------------------------------------------

    @Override
    public CameraDevice device(String camera) {
        FrameHub hub;
        synchronized (this) {
            hub = camera == null ? null : hubs.get(camera);
        }
        if (hub == null) {
            throw CameraException.notFound("no camera named '" + camera + "'");
        }
        CameraDevice d = hub.device();
        if (d == null) {
            throw new CameraException(CameraException.Kind.UNAVAILABLE, "camera '" + camera + "' is offline");
        }
        return d;
    }

    @Override
    public SortedMap<String, CameraDevice> online() {
        SortedMap<String, CameraDevice> result = new TreeMap<>();
        List<FrameHub> all;
        synchronized (this) {
            all = new ArrayList<>(hubs.values());
        }
        for (FrameHub hub : all) {
            CameraDevice d = hub.device();
            if (d != null) {
                result.put(hub.camera(), d);
            }
        }
        return Collections.unmodifiableSortedMap(result);
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private static DriverInfo withState(CameraDriver driver, DriverInfo info) {
        boolean available;
        String status;
        try {
            available = driver.available();
            status = driver.status();
        } catch (RuntimeException e) {
            available = false;
            status = "driver error: " + Failures.message(e);
        }
        return new DriverInfo(info.id(), info.name(), info.factoryPid(), available, status, info.bundle(), info.version());
    }

    private static CameraDescriptor descriptorOf(CameraDevice device) {
        try {
            return device.descriptor();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String driverOf(CameraDevice device) {
        CameraDescriptor d = descriptorOf(device);
        return d == null ? "?" : d.driver();
    }

    private static Map<String, Object> properties(String camera, String driver) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put(ObscuraEvents.CAMERA, camera);
        p.put(ObscuraEvents.DRIVER, driver);
        return p;
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private record BoundDevice(CameraDevice device, String name) {
    }
}
