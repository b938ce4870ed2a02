package org.obscura.compat.internal;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import javax.imageio.ImageIO;

import org.obscura.camera.api.AccessControl;
import org.obscura.camera.api.BatchResult;
import org.obscura.camera.api.CameraDescriptor;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraRegistry;
import org.obscura.camera.api.CameraState;
import org.obscura.camera.api.CameraStatus;
import org.obscura.camera.api.Capability;
import org.obscura.camera.api.CaptureResult;
import org.obscura.camera.api.CaptureService;
import org.obscura.camera.api.CapturedImage;
import org.obscura.camera.api.DeviceInfo;
import org.obscura.camera.api.DriverInfo;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.FrameImages;
import org.obscura.camera.api.FrameListener;
import org.obscura.camera.api.FrameSubscription;
import org.obscura.camera.api.ImageStore;
import org.obscura.camera.api.LiveFrame;
import org.obscura.camera.api.Mode;
import org.obscura.camera.api.Page;
import org.obscura.camera.api.PixelFormat;
import org.obscura.camera.api.Setting;
import org.obscura.camera.api.StoredCapture;
import org.obscura.camera.spi.CameraDriver;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/** Hand-written stand-ins for the camera-api services the seed routes use. */
final class Fakes {
    private Fakes() {
    }

    static final String V4L2_PID = "org.obscura.driver.v4l2.camera";

    /** A real JPEG of the given size (a colour field with a diagonal), so decoders and scalers work on it. */
    static byte[] jpeg(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(40, 120, 200));
        g.fillRect(0, 0, width, height);
        g.setColor(Color.WHITE);
        g.drawLine(0, 0, width - 1, height - 1);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "jpg", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static BufferedImage decode(byte[] data) {
        try {
            return ImageIO.read(new ByteArrayInputStream(data));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static CameraStatus status(String name, String driver, CameraState state) {
        return status(name, driver, state, new Mode(PixelFormat.JPEG, 640, 480, 30));
    }

    static CameraStatus status(String name, String driver, CameraState state, Mode mode) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("card", "C922 Pro Stream Webcam");
        CameraDescriptor d = new CameraDescriptor(name, name.toUpperCase(), driver, "/dev/video0",
                mode, Set.of(Capability.STREAM, Capability.STILL, Capability.SETTINGS),
                false, 0, null, properties);
        return new CameraStatus(name, d, state, 0, state == CameraState.STREAMING ? 29.9 : 0, 10,
                state == CameraState.OFFLINE ? null : Instant.now(), state == CameraState.OFFLINE ? "unplugged" : null);
    }

    /** A live frame handle over a JPEG frame. */
    static final class Live implements LiveFrame {
        final Frame frame;
        final long index;
        final boolean placeholder;
        final AtomicInteger closes = new AtomicInteger();

        Live(Frame frame, long index, boolean placeholder) {
            this.frame = frame;
            this.index = index;
            this.placeholder = placeholder;
        }

        @Override
        public Frame frame() {
            return frame;
        }

        @Override
        public long index() {
            return index;
        }

        @Override
        public boolean placeholder() {
            return placeholder;
        }

        @Override
        public ByteBuffer jpeg() {
            return frame.data();
        }

        @Override
        public ByteBuffer jpeg(int quality) {
            return frame.data();
        }

        @Override
        public void close() {
            closes.incrementAndGet();
        }
    }

    /**
     * A subscription that delivers a new 640x480 JPEG frame every {@code periodMillis} (a camera at work), or
     * nothing at all when {@code periodMillis} is 0 (a camera that gives no picture); placeholders first when
     * asked.
     */
    static final class Subscription implements FrameSubscription {
        final String camera;
        final long periodMillis;
        final byte[] jpeg;
        final AtomicLong index = new AtomicLong();
        final AtomicInteger placeholdersLeft;
        volatile boolean closed;

        Subscription(String camera, long periodMillis, int placeholders) {
            this.camera = camera;
            this.periodMillis = periodMillis;
            this.jpeg = jpeg(640, 480);
            this.placeholdersLeft = new AtomicInteger(placeholders);
        }

        @Override
        public String camera() {
            return camera;
        }

        @Override
        public CameraState state() {
            return CameraState.STREAMING;
        }

        @Override
        public LiveFrame latest() {
            return null;
        }

        @Override
        public LiveFrame next(long timeout, TimeUnit unit) throws InterruptedException {
            long waitMillis = periodMillis == 0 ? unit.toMillis(timeout) : Math.min(periodMillis, unit.toMillis(timeout));
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
            while (!closed && System.nanoTime() < end) {
                Thread.sleep(Math.max(1, Math.min(20, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()))));
            }
            if (closed || periodMillis == 0 || waitMillis < periodMillis) {
                return null;
            }
            boolean placeholder = placeholdersLeft.getAndDecrement() > 0;
            return new Live(Frame.jpeg(640, 480, index.incrementAndGet(), jpeg), index.get(), placeholder);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    static final class Registry implements CameraRegistry {
        final Map<String, CameraStatus> cameras = new ConcurrentHashMap<>();
        final List<DriverInfo> drivers = new CopyOnWriteArrayList<>();
        final Map<String, List<DeviceInfo>> devices = new ConcurrentHashMap<>();
        final Map<String, List<Setting>> settings = new ConcurrentHashMap<>();
        final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
        final List<String> resets = new CopyOnWriteArrayList<>();
        volatile long framePeriodMillis = 20;
        volatile int placeholders;
        volatile CameraException resetFailure;

        void add(CameraStatus status) {
            cameras.put(status.name(), status);
        }

        @Override
        public List<CameraStatus> cameras() {
            List<CameraStatus> all = new ArrayList<>(cameras.values());
            all.sort((a, b) -> a.name().compareTo(b.name()));
            return all;
        }

        @Override
        public Optional<CameraStatus> camera(String name) {
            return Optional.ofNullable(cameras.get(name));
        }

        @Override
        public List<DriverInfo> drivers() {
            return List.copyOf(drivers);
        }

        @Override
        public Optional<DriverInfo> driver(String id) {
            return drivers.stream().filter(d -> d.id().equals(id)).findFirst();
        }

        @Override
        public List<DeviceInfo> discover(String driverId) {
            List<DeviceInfo> found = devices.get(driverId);
            if (found == null) {
                throw new CameraException(CameraException.Kind.UNAVAILABLE, "driver " + driverId + " cannot discover");
            }
            return found;
        }

        @Override
        public FrameSubscription subscribe(String camera, FrameListener listener) {
            if (!cameras.containsKey(camera)) {
                throw CameraException.notFound("no camera '" + camera + "'");
            }
            Subscription s = new Subscription(camera, framePeriodMillis, placeholders);
            subscriptions.add(s);
            return s;
        }

        @Override
        public List<Setting> settings(String camera) {
            return settings.getOrDefault(camera, List.of());
        }

        @Override
        public Setting setSetting(String camera, String setting, Object value) {
            throw new AssertionError("the seed routes never write settings");
        }

        @Override
        public void reset(String camera) {
            if (resetFailure != null) {
                throw resetFailure;
            }
            resets.add(camera);
        }

        boolean allSubscriptionsClosed() {
            return subscriptions.stream().allMatch(s -> s.closed);
        }
    }

    static DriverInfo driverInfo(String id, String factoryPid) {
        return new DriverInfo(id, id + " cameras", factoryPid, true, "ready", "org.obscura.driver." + id, "0.1.0");
    }

    /** Takes stills of 640x480 and stores them in a folder. */
    static final class Capture implements CaptureService {
        final Store store;
        final byte[] still = jpeg(640, 480);
        final List<String> taken = new CopyOnWriteArrayList<>();
        volatile CameraException failure;
        final Map<String, String> batchErrors = new ConcurrentHashMap<>();
        final List<String> batchCameras = new CopyOnWriteArrayList<>();

        Capture(Store store) {
            this.store = store;
        }

        @Override
        public CapturedImage take(String camera, Map<String, Object> metadata) {
            if (failure != null) {
                throw failure;
            }
            taken.add(camera);
            return new CapturedImage(camera, still, 640, 480, Instant.now(), System.nanoTime(), Map.of());
        }

        @Override
        public CaptureResult capture(String camera, Map<String, Object> metadata) {
            if (failure != null) {
                throw failure;
            }
            if (!store.knownCameras.contains(camera)) {
                throw CameraException.notFound("no camera '" + camera + "'");
            }
            return store.store(take(camera, metadata), Map.of());
        }

        @Override
        public BatchResult captureAll(Map<String, Object> metadata) {
            return batch("all");
        }

        @Override
        public BatchResult captureStereo(Map<String, Object> metadata) {
            return batch("stereo");
        }

        private BatchResult batch(String mode) {
            Instant started = Instant.now();
            List<CaptureResult> results = new ArrayList<>();
            for (String camera : batchCameras) {
                results.add(capture(camera, Map.of()));
            }
            Long skew = "stereo".equals(mode) && results.size() > 1 ? 1_234_567L : null;
            return new BatchResult(mode, results, batchErrors, skew, started, Instant.now());
        }
    }

    /** Captures as files under a folder, with the same names and checks as the real store. */
    static final class Store implements ImageStore {
        final Path root;
        final Set<String> knownCameras = ConcurrentHashMap.newKeySet();
        private final AtomicInteger counter = new AtomicInteger();

        Store(Path root) {
            this.root = root.toAbsolutePath().normalize();
        }

        @Override
        public Path root() {
            return root;
        }

        @Override
        public Path resolve(String relative) {
            if (relative.startsWith("/") || relative.contains("..") || relative.contains("\\") || relative.contains("\0")) {
                throw CameraException.invalid("path", "bad path " + relative);
            }
            Path p = root.resolve(relative).normalize();
            if (!p.startsWith(root)) {
                throw CameraException.invalid("path", "bad path " + relative);
            }
            return p;
        }

        @Override
        public Path write(String relative, byte[] content) {
            Path p = resolve(relative);
            try {
                Files.createDirectories(p.getParent());
                Files.write(p, content);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return p;
        }

        @Override
        public CaptureResult store(CapturedImage image, Map<String, Object> extra) {
            String file = image.camera() + "_20261120-101530-" + String.format("%03d", counter.incrementAndGet()) + ".jpg";
            String path = "captures/" + image.camera() + "/" + file;
            write(path, image.jpeg());
            write(path.replace(".jpg", ".json"), "{\"camera\":\"x\"}".getBytes());
            StoredCapture s = new StoredCapture(image.camera(), file, path, "/api/v1/captures/" + image.camera() + "/" + file,
                    path.replace(".jpg", ".json"), image.jpeg().length, image.timestamp());
            return new CaptureResult(s, image.width(), image.height(), image.timestamp(), image.monotonicNanos());
        }

        @Override
        public Page<StoredCapture> captures(String camera, int offset, int limit) {
            throw new AssertionError("not used");
        }

        @Override
        public Optional<StoredCapture> capture(String camera, String file) {
            if (file.contains("/") || file.contains("..")) {
                throw CameraException.invalid("file", "bad file " + file);
            }
            String path = "captures/" + camera + "/" + file;
            Path p = resolve(path);
            if (!Files.isRegularFile(p)) {
                return Optional.empty();
            }
            return Optional.of(new StoredCapture(camera, file, path, "/api/v1/captures/" + camera + "/" + file,
                    path.replace(".jpg", ".json"), 0, Instant.now()));
        }

        @Override
        public boolean deleteCapture(String camera, String file) {
            throw new AssertionError("not used");
        }
    }

    /** Frame conversions through ImageIO, enough to check sizes and formats. */
    static final class Images implements FrameImages {
        @Override
        public String jpegCodec() {
            return "java-imageio";
        }

        @Override
        public boolean jpegFallback() {
            return true;
        }

        @Override
        public ByteBuffer jpeg(Frame frame, int width, int height, int quality) {
            if (width < 1 || width > frame.width()) {
                throw CameraException.invalid("width", "width out of range");
            }
            if (height < 1 || height > frame.height()) {
                throw CameraException.invalid("height", "height out of range");
            }
            BufferedImage scaled = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = scaled.createGraphics();
            g.drawImage(decode(frame.toByteArray()), 0, 0, width, height, null);
            g.dispose();
            return ByteBuffer.wrap(encode(scaled, "jpg"));
        }

        @Override
        public ByteBuffer png(Frame frame) {
            return ByteBuffer.wrap(encode(decode(frame.toByteArray()), "png")).asReadOnlyBuffer();
        }

        @Override
        public ByteBuffer bgr(Frame frame) {
            BufferedImage image = decode(frame.toByteArray());
            byte[] out = new byte[image.getWidth() * image.getHeight() * 3];
            int i = 0;
            for (int y = 0; y < image.getHeight(); y++) {
                for (int x = 0; x < image.getWidth(); x++) {
                    int rgb = image.getRGB(x, y);
                    out[i++] = (byte) rgb;
                    out[i++] = (byte) (rgb >> 8);
                    out[i++] = (byte) (rgb >> 16);
                }
            }
            return ByteBuffer.wrap(out).asReadOnlyBuffer();
        }

        private static byte[] encode(BufferedImage image, String format) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                ImageIO.write(image, format, out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toByteArray();
        }
    }

    /** A driver whose validate() refuses sizes wider than 1920 and remembers what it was asked. */
    static final class Driver implements CameraDriver {
        final String id;
        final String pid;
        final List<Map<String, Object>> validated = new CopyOnWriteArrayList<>();

        Driver(String id, String pid) {
            this.id = id;
            this.pid = pid;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String displayName() {
            return id;
        }

        @Override
        public String factoryPid() {
            return pid;
        }

        @Override
        public List<DeviceInfo> discover() {
            return List.of();
        }

        @Override
        public void validate(Map<String, Object> configuration) {
            validated.add(configuration);
            Object w = configuration.get("width");
            if (w instanceof Integer width && width > 1920) {
                throw CameraException.invalid("width", "width " + width + " is not offered: at most 1920");
            }
        }
    }

    /** ConfigAdmin holding factory configurations in memory; only what the routes use is implemented. */
    static final class Configurations {
        final Map<String, Hashtable<String, Object>> byPid = new ConcurrentHashMap<>();
        final Map<String, String> factoryOf = new ConcurrentHashMap<>();
        final AtomicInteger updates = new AtomicInteger();
        /** Told of every update, as the driver that reopens the camera would be. */
        volatile java.util.function.Consumer<Map<String, Object>> onUpdate = properties -> { };

        void add(String factoryPid, String name, Map<String, Object> properties) {
            String pid = factoryPid + "~" + name;
            Hashtable<String, Object> p = new Hashtable<>(properties);
            p.put("name", name);
            p.put("service.pid", pid);
            p.put("service.factoryPid", factoryPid);
            byPid.put(pid, p);
            factoryOf.put(pid, factoryPid);
        }

        ConfigurationAdmin admin() {
            return (ConfigurationAdmin) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {ConfigurationAdmin.class}, (proxy, method, args) -> {
                        if (!method.getName().equals("listConfigurations")) {
                            throw new UnsupportedOperationException(method.getName());
                        }
                        Filter filter = FrameworkUtil.createFilter((String) args[0]);
                        List<Configuration> found = new ArrayList<>();
                        for (String pid : byPid.keySet()) {
                            if (filter.match(byPid.get(pid))) {
                                found.add(configuration(pid));
                            }
                        }
                        return found.isEmpty() ? null : found.toArray(Configuration[]::new);
                    });
        }

        private Configuration configuration(String pid) {
            return (Configuration) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {Configuration.class}, (proxy, method, args) -> {
                        switch (method.getName()) {
                            case "getPid":
                                return pid;
                            case "getFactoryPid":
                                return factoryOf.get(pid);
                            case "getProperties":
                                return new Hashtable<>(byPid.get(pid));
                            case "update":
                                if (args == null || args.length != 1) {
                                    throw new UnsupportedOperationException("update()");
                                }
                                @SuppressWarnings("unchecked")
                                Dictionary<String, Object> d = (Dictionary<String, Object>) args[0];
                                Hashtable<String, Object> stored = new Hashtable<>();
                                for (String k : Collections.list(d.keys())) {
                                    stored.put(k, d.get(k));
                                }
                                stored.put("service.pid", pid);
                                stored.put("service.factoryPid", factoryOf.get(pid));
                                byPid.put(pid, stored);
                                updates.incrementAndGet();
                                onUpdate.accept(Map.copyOf(stored));
                                return null;
                            case "hashCode":
                                return pid.hashCode();
                            case "equals":
                                return proxy == args[0];
                            case "toString":
                                return "Configuration[" + pid + "]";
                            default:
                                throw new UnsupportedOperationException(method.getName());
                        }
                    });
        }
    }

    /**
     * Access control over plain values: user admin with {@link #PASSWORD} (Basic), the tokens in {@link #tokens}
     * (Bearer or {@code ?token=}); viewing and capture as set.
     */
    static final class Auth implements AccessControl {
        static final String PASSWORD = "open-sesame";
        static final String BASIC = "Basic " + java.util.Base64.getEncoder()
                .encodeToString(("admin:" + PASSWORD).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        final java.util.Set<String> tokens = java.util.concurrent.ConcurrentHashMap.newKeySet();
        volatile boolean viewingOpen = true;
        volatile boolean captureNeedsAdmin;

        @Override
        public Caller check(String authorization, String token, String remote) {
            if (authorization != null) {
                return BASIC.equals(authorization) || authorization.startsWith("Bearer ")
                        && tokens.contains(authorization.substring(7)) ? Caller.ADMINISTRATOR
                        : new Caller(null, "wrong user name or password");
            }
            if (token != null) {
                return tokens.contains(token) ? Caller.ADMINISTRATOR : new Caller(null, "token unknown or expired");
            }
            return Caller.ANONYMOUS;
        }

        @Override
        public java.util.Optional<Token> issue(String authorization, String remote) {
            return java.util.Optional.empty();
        }

        @Override
        public boolean viewingOpen() {
            return viewingOpen;
        }

        @Override
        public boolean captureNeedsAdmin() {
            return captureNeedsAdmin;
        }

        @Override
        public java.util.List<String> corsOrigins() {
            return java.util.List.of();
        }
    }
}
