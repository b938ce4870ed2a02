package org.obscura.rest.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

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
import org.obscura.camera.api.FrameListener;
import org.obscura.camera.api.FrameSubscription;
import org.obscura.camera.api.ImageData;
import org.obscura.camera.api.ImageSet;
import org.obscura.camera.api.ImageSetFile;
import org.obscura.camera.api.ImageSets;
import org.obscura.camera.api.ImageStore;
import org.obscura.camera.api.LightController;
import org.obscura.camera.api.SequenceProgress;
import org.obscura.camera.api.SequenceRequest;
import org.obscura.camera.api.SequenceResult;
import org.obscura.camera.api.SequenceService;
import org.obscura.camera.api.LiveFrame;
import org.obscura.camera.api.Mode;
import org.obscura.camera.api.Page;
import org.obscura.camera.api.PixelFormat;
import org.obscura.camera.api.Setting;
import org.obscura.camera.api.StoredCapture;
import org.obscura.camera.spi.CameraDriver;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.ObjectClassDefinition;

/** Small hand-written stand-ins for the services the REST API uses. */
final class Fakes {
    private Fakes() {
    }

    static final String PID = "org.obscura.driver.testpattern.camera";

    static DriverInfo testpatternInfo() {
        return new DriverInfo("testpattern", "Test pattern", PID, true, "ready", "org.obscura.driver.testpattern", "0.1.0");
    }

    static CameraStatus status(String name, String driver, CameraState state) {
        CameraDescriptor d = new CameraDescriptor(name, name.toUpperCase(), driver, "pattern:bars",
                new Mode(PixelFormat.JPEG, 640, 480, 30), Set.of(Capability.STREAM, Capability.STILL), false, 0, null,
                Map.of("model", "synthetic"));
        return new CameraStatus(name, d, state, 0, 29.97, 120, Instant.parse("2025-01-02T03:04:05Z"), null);
    }

    // ---- registry, frames ----

    static final class Registry implements CameraRegistry {
        final Map<String, DriverInfo> drivers = new TreeMap<>();
        final Map<String, CameraStatus> cameras = new TreeMap<>();
        final Map<String, List<DeviceInfo>> devices = new HashMap<>();
        final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
        /** Called for every camera()/cameras() call; lets a test make the registry fail. */
        RuntimeException failure;

        Registry driver(DriverInfo info) {
            drivers.put(info.id(), info);
            return this;
        }

        Registry camera(CameraStatus status) {
            cameras.put(status.name(), status);
            return this;
        }

        @Override
        public List<CameraStatus> cameras() {
            if (failure != null) {
                throw failure;
            }
            return new ArrayList<>(cameras.values());
        }

        @Override
        public Optional<CameraStatus> camera(String name) {
            if (failure != null) {
                throw failure;
            }
            return Optional.ofNullable(cameras.get(name));
        }

        @Override
        public List<DriverInfo> drivers() {
            return new ArrayList<>(drivers.values());
        }

        @Override
        public Optional<DriverInfo> driver(String id) {
            return Optional.ofNullable(drivers.get(id));
        }

        @Override
        public List<DeviceInfo> discover(String driverId) {
            if (!drivers.containsKey(driverId)) {
                throw CameraException.notFound("no driver " + driverId);
            }
            return devices.getOrDefault(driverId, List.of());
        }

        @Override
        public FrameSubscription subscribe(String camera, FrameListener listener) {
            Subscription s = subscriptions.get(camera);
            if (s == null || !cameras.containsKey(camera)) {
                throw CameraException.notFound("no camera '" + camera + "'");
            }
            s.opened.incrementAndGet();
            return s;
        }

        /** Settings per camera, as a device would keep them. */
        final Map<String, Map<String, Setting>> settings = new ConcurrentHashMap<>();
        final List<String> resets = new CopyOnWriteArrayList<>();
        /** Thrown by reset() when set. */
        volatile RuntimeException resetFailure;

        @Override
        public List<Setting> settings(String camera) {
            if (!cameras.containsKey(camera)) {
                throw CameraException.notFound("no camera '" + camera + "'");
            }
            Map<String, Setting> s = settings.get(camera);
            if (s == null) {
                throw new CameraException(CameraException.Kind.UNSUPPORTED, "camera '" + camera + "' has no settings");
            }
            return new ArrayList<>(s.values());
        }

        /** Checks like a device: unknown setting, read-only, menu options, integer range; terse messages. */
        @Override
        public Setting setSetting(String camera, String setting, Object value) {
            Map<String, Setting> all = settings.get(camera);
            Setting s = all == null ? null : all.get(setting);
            if (s == null) {
                throw CameraException.notFound("no setting " + setting);
            }
            if (s.readOnly()) {
                throw CameraException.invalid("value", "read-only");
            }
            Object v = switch (s.type()) {
                case MENU -> {
                    if (!s.options().contains(String.valueOf(value))) {
                        throw CameraException.invalid("value", "not an option");
                    }
                    yield String.valueOf(value);
                }
                case INTEGER -> {
                    long n;
                    try {
                        n = value instanceof Number num ? num.longValue() : Long.parseLong(String.valueOf(value));
                    } catch (NumberFormatException e) {
                        throw CameraException.invalid("value", "not an integer");
                    }
                    if (n < s.min().longValue() || n > s.max().longValue()) {
                        throw CameraException.invalid("value", "out of range");
                    }
                    yield n;
                }
                case BOOLEAN -> Boolean.valueOf(String.valueOf(value));
                default -> value;
            };
            Setting written = s.withValue(v);
            all.put(setting, written);
            return written;
        }

        @Override
        public void reset(String camera) {
            if (!cameras.containsKey(camera)) {
                throw CameraException.notFound("no camera '" + camera + "'");
            }
            if (resetFailure != null) {
                throw resetFailure;
            }
            resets.add(camera);
        }
    }

    /** A subscription fed by the test through {@link #frames}; reusable after close for simplicity. */
    static final class Subscription implements FrameSubscription {
        final String camera;
        final BlockingQueue<LiveFrame> frames = new LinkedBlockingQueue<>();
        final AtomicInteger opened = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();
        volatile CameraState state = CameraState.STREAMING;
        volatile boolean closed;

        Subscription(String camera) {
            this.camera = camera;
        }

        @Override
        public String camera() {
            return camera;
        }

        @Override
        public CameraState state() {
            return state;
        }

        @Override
        public LiveFrame latest() {
            return frames.peek();
        }

        @Override
        public LiveFrame next(long timeout, TimeUnit unit) throws InterruptedException {
            if (closed) {
                return null;
            }
            return frames.poll(timeout, unit);
        }

        @Override
        public void close() {
            closed = true;
            closes.incrementAndGet();
        }
    }

    static final class Live implements LiveFrame {
        final byte[] jpeg;
        final long index;
        final boolean placeholder;
        final Frame frame;
        volatile Integer askedQuality;
        volatile boolean closed;

        Live(long index, boolean placeholder, String content) {
            this.jpeg = content.getBytes(StandardCharsets.US_ASCII);
            this.index = index;
            this.placeholder = placeholder;
            this.frame = Frame.of(PixelFormat.JPEG, 4, 3, 0, index, System.nanoTime(),
                    Instant.parse("2025-01-02T03:04:05.678Z"), ByteBuffer.wrap(jpeg));
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
            return ByteBuffer.wrap(jpeg).asReadOnlyBuffer();
        }

        @Override
        public ByteBuffer jpeg(int quality) {
            if (quality < 1 || quality > 100) {
                throw CameraException.invalid("quality", "quality out of range");
            }
            askedQuality = quality;
            return jpeg();
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    // ---- captures ----

    static CaptureResult result(String camera, String file, long monotonic) {
        StoredCapture s = new StoredCapture(camera, file, "captures/" + camera + "/" + file,
                "/api/v1/captures/" + camera + "/" + file, "captures/" + camera + "/" + file + ".json", 1234,
                Instant.parse("2025-01-02T03:04:05Z"));
        return new CaptureResult(s, 640, 480, Instant.parse("2025-01-02T03:04:05Z"), monotonic);
    }

    static final class Capture implements CaptureService {
        Function<String, CaptureResult> single = c -> result(c, c + "_20250102-030405-000.jpg", 0);
        Function<String, String> onDevice = c -> {
            throw new CameraException(CameraException.Kind.UNSUPPORTED, "camera '" + c + "' does not store pictures itself");
        };

        @Override
        public String captureOnDevice(String camera) {
            return onDevice.apply(camera);
        }
        BatchResult all;
        BatchResult stereo;
        final List<Map<String, Object>> metadata = new CopyOnWriteArrayList<>();

        @Override
        public CapturedImage take(String camera, Map<String, Object> metadata) {
            throw new CameraException(CameraException.Kind.UNSUPPORTED, "not in this fake");
        }

        @Override
        public CaptureResult capture(String camera, Map<String, Object> metadata) {
            this.metadata.add(metadata);
            return single.apply(camera);
        }

        @Override
        public BatchResult captureAll(Map<String, Object> metadata) {
            this.metadata.add(metadata);
            return all;
        }

        @Override
        public BatchResult captureStereo(Map<String, Object> metadata) {
            this.metadata.add(metadata);
            if (stereo == null) {
                throw new CameraException(CameraException.Kind.UNAVAILABLE, "fewer than two stereo cameras are online");
            }
            return stereo;
        }
    }

    /** An image store over a real folder: {@code captures/<camera>/<file>} with {@code <file>.json} sidecars. */
    static final class Store implements ImageStore {
        final Path root;

        Store(Path root) {
            this.root = root.toAbsolutePath().normalize();
        }

        void put(String camera, String file, String content, boolean sidecar) throws IOException {
            Path dir = Files.createDirectories(root.resolve("captures").resolve(camera));
            Files.writeString(dir.resolve(file), content);
            if (sidecar) {
                Files.writeString(dir.resolve(file + ".json"), "{\"camera\":\"" + camera + "\"}");
            }
        }

        @Override
        public Path root() {
            return root;
        }

        @Override
        public Path resolve(String relative) {
            if (relative.contains("..") || relative.startsWith("/") || relative.contains("\\")) {
                throw CameraException.invalid("path", "bad path " + relative);
            }
            return root.resolve(relative).normalize();
        }

        @Override
        public Path write(String relative, byte[] content) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CaptureResult store(CapturedImage image, Map<String, Object> extra) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Page<StoredCapture> captures(String camera, int offset, int limit) {
            List<StoredCapture> all = new ArrayList<>();
            try (var cams = Files.list(root.resolve("captures"))) {
                for (Path cam : cams.toList()) {
                    if (camera != null && !cam.getFileName().toString().equals(camera)) {
                        continue;
                    }
                    try (var files = Files.list(cam)) {
                        for (Path f : files.toList()) {
                            if (!f.toString().endsWith(".json")) {
                                capture(cam.getFileName().toString(), f.getFileName().toString()).ifPresent(all::add);
                            }
                        }
                    }
                }
            } catch (IOException e) {
                // no captures folder: empty
            }
            all.sort(Comparator.comparing(StoredCapture::file).reversed());
            int from = Math.min(offset, all.size());
            int to = Math.min(all.size(), from + limit);
            return new Page<>(all.subList(from, to), offset, limit, all.size());
        }

        @Override
        public Optional<StoredCapture> capture(String camera, String file) {
            Path f = root.resolve("captures").resolve(camera).resolve(file);
            if (!Files.isRegularFile(f)) {
                return Optional.empty();
            }
            boolean sidecar = Files.isRegularFile(f.resolveSibling(file + ".json"));
            try {
                return Optional.of(new StoredCapture(camera, file, "captures/" + camera + "/" + file,
                        "/api/v1/captures/" + camera + "/" + file,
                        sidecar ? "captures/" + camera + "/" + file + ".json" : null, Files.size(f),
                        Files.getLastModifiedTime(f).toInstant()));
            } catch (IOException e) {
                return Optional.empty();
            }
        }

        @Override
        public boolean deleteCapture(String camera, String file) {
            try {
                Path f = root.resolve("captures").resolve(camera).resolve(file);
                Files.deleteIfExists(f.resolveSibling(file + ".json"));
                return Files.deleteIfExists(f);
            } catch (IOException e) {
                throw new CameraException(CameraException.Kind.IO, e.getMessage(), e);
            }
        }
    }

    // ---- drivers ----

    static final class Driver implements CameraDriver {
        final String id;
        final String factoryPid;
        Consumer<Map<String, Object>> validator = m -> {
        };
        final List<Map<String, Object>> validated = new CopyOnWriteArrayList<>();

        Driver(String id, String factoryPid) {
            this.id = id;
            this.factoryPid = factoryPid;
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
            return factoryPid;
        }

        @Override
        public List<DeviceInfo> discover() {
            return List.of();
        }

        @Override
        public void validate(Map<String, Object> configuration) {
            validated.add(Map.copyOf(configuration));
            validator.accept(configuration);
        }
    }

    static DriverDirectory directory(Driver... drivers) {
        DriverDirectory d = new DriverDirectory();
        long id = 1;
        for (Driver driver : drivers) {
            d.add(new DriverDirectory.Entry(driver, driver.id(), 0, id++, driver, null));
        }
        return d;
    }

    // ---- metatype ----

    static final class Attribute implements AttributeDefinition {
        final String id;
        final int type;
        int cardinality;
        String[] defaults;
        String[] options;
        String[] labels;
        Function<String, String> validator = v -> null;

        Attribute(String id, int type) {
            this.id = id;
            this.type = type;
        }

        Attribute cardinality(int c) {
            cardinality = c;
            return this;
        }

        Attribute defaults(String... d) {
            defaults = d;
            return this;
        }

        Attribute options(String... o) {
            options = o;
            return this;
        }

        Attribute labels(String... l) {
            labels = l;
            return this;
        }

        Attribute validator(Function<String, String> v) {
            validator = v;
            return this;
        }

        @Override
        public String getName() {
            return id.substring(0, 1).toUpperCase() + id.substring(1);
        }

        @Override
        public String getID() {
            return id;
        }

        @Override
        public String getDescription() {
            return "the " + id;
        }

        @Override
        public int getCardinality() {
            return cardinality;
        }

        @Override
        public int getType() {
            return type;
        }

        @Override
        public String[] getOptionValues() {
            return options;
        }

        @Override
        public String[] getOptionLabels() {
            return labels;
        }

        @Override
        public String validate(String value) {
            return validator.apply(value);
        }

        @Override
        public String[] getDefaultValue() {
            return defaults;
        }
    }

    static final class Definition implements ObjectClassDefinition {
        final String id;
        final List<Attribute> required = new ArrayList<>();
        final List<Attribute> optional = new ArrayList<>();

        Definition(String id) {
            this.id = id;
        }

        Definition required(Attribute a) {
            required.add(a);
            return this;
        }

        Definition optional(Attribute a) {
            optional.add(a);
            return this;
        }

        @Override
        public String getName() {
            return "Test pattern camera";
        }

        @Override
        public String getID() {
            return id;
        }

        @Override
        public String getDescription() {
            return "A synthetic camera";
        }

        @Override
        public AttributeDefinition[] getAttributeDefinitions(int filter) {
            List<Attribute> out = new ArrayList<>();
            if (filter == REQUIRED || filter == ALL) {
                out.addAll(required);
            }
            if (filter == OPTIONAL || filter == ALL) {
                out.addAll(optional);
            }
            return out.isEmpty() ? null : out.toArray(new AttributeDefinition[0]);
        }

        @Override
        public java.io.InputStream getIcon(int size) {
            return null;
        }
    }

    /** The test-pattern driver's form as a typical DS-generated metatype would have it. */
    static Definition testpatternForm() {
        return new Definition(PID)
                .required(new Attribute("name", AttributeDefinition.STRING))
                .required(new Attribute("pattern", AttributeDefinition.STRING).defaults("bars")
                        .options("bars", "gradient", "noise").labels("Bars", "Gradient", "Noise"))
                .required(new Attribute("width", AttributeDefinition.INTEGER).defaults("640")
                        .validator(v -> Integer.parseInt(v) > 3840 ? "width " + v + " exceeds 3840" : ""))
                .required(new Attribute("height", AttributeDefinition.INTEGER).defaults("480"))
                .required(new Attribute("fps", AttributeDefinition.DOUBLE).defaults("30"))
                .optional(new Attribute("label", AttributeDefinition.STRING))
                .optional(new Attribute("enabled", AttributeDefinition.BOOLEAN).defaults("true"))
                .optional(new Attribute("secret", AttributeDefinition.PASSWORD))
                .optional(new Attribute("tags", AttributeDefinition.STRING).cardinality(5));
    }

    // ---- configuration admin ----

    static final class ConfigAdmin implements ConfigurationAdmin {
        final Map<String, Config> configurations = new LinkedHashMap<>();
        final AtomicInteger writes = new AtomicInteger();
        final List<String> locations = new CopyOnWriteArrayList<>();
        final List<String> filters = new CopyOnWriteArrayList<>();
        /** When set, every configuration update and delete fails with it (a broken configuration store). */
        volatile IOException failure;

        /** Adds a stored configuration as if it had been read from conf/. */
        Config stored(String factoryPid, String name, Map<String, Object> properties) {
            Config c = new Config(this, factoryPid + "~" + name, factoryPid);
            Hashtable<String, Object> d = new Hashtable<>(properties);
            c.properties = d;
            configurations.put(c.pid, c);
            return c;
        }

        @Override
        public Configuration createFactoryConfiguration(String factoryPid) {
            throw new UnsupportedOperationException("the API creates named factory configurations only");
        }

        @Override
        public Configuration createFactoryConfiguration(String factoryPid, String location) {
            throw new UnsupportedOperationException("the API creates named factory configurations only");
        }

        @Override
        public Configuration getConfiguration(String pid, String location) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Configuration getConfiguration(String pid) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Configuration getFactoryConfiguration(String factoryPid, String name, String location) {
            locations.add(location);
            String pid = factoryPid + "~" + name;
            return configurations.computeIfAbsent(pid, p -> new Config(this, p, factoryPid));
        }

        @Override
        public Configuration getFactoryConfiguration(String factoryPid, String name) {
            return getFactoryConfiguration(factoryPid, name, null);
        }

        @Override
        public Configuration[] listConfigurations(String filter) throws InvalidSyntaxException {
            filters.add(filter);
            Filter f = filter == null ? null : FrameworkUtil.createFilter(filter);
            List<Configuration> out = new ArrayList<>();
            for (Config c : configurations.values()) {
                if (c.properties != null && (f == null || f.match(c.matchable()))) {
                    out.add(c);
                }
            }
            return out.isEmpty() ? null : out.toArray(new Configuration[0]);
        }
    }

    static final class Config implements Configuration {
        final ConfigAdmin admin;
        final String pid;
        final String factoryPid;
        Hashtable<String, Object> properties;
        boolean deleted;

        Config(ConfigAdmin admin, String pid, String factoryPid) {
            this.admin = admin;
            this.pid = pid;
            this.factoryPid = factoryPid;
        }

        Dictionary<String, Object> matchable() {
            Hashtable<String, Object> d = new Hashtable<>(properties);
            d.put("service.pid", pid);
            d.put("service.factoryPid", factoryPid);
            return d;
        }

        @Override
        public String getPid() {
            return pid;
        }

        @Override
        public Dictionary<String, Object> getProperties() {
            if (deleted) {
                throw new IllegalStateException("deleted");
            }
            if (properties == null) {
                return null;
            }
            Hashtable<String, Object> d = new Hashtable<>(properties);
            d.put("service.pid", pid);
            d.put("service.factoryPid", factoryPid);
            return d;
        }

        @Override
        public Dictionary<String, Object> getProcessedProperties(org.osgi.framework.ServiceReference<?> reference) {
            return getProperties();
        }

        @Override
        public void update(Dictionary<String, ?> props) throws IOException {
            if (deleted) {
                throw new IllegalStateException("deleted");
            }
            if (admin.failure != null) {
                throw admin.failure;
            }
            admin.writes.incrementAndGet();
            Hashtable<String, Object> d = new Hashtable<>();
            for (Enumeration<String> e = props.keys(); e.hasMoreElements();) {
                String k = e.nextElement();
                d.put(k, props.get(k));
            }
            properties = d;
        }

        @Override
        public boolean updateIfDifferent(Dictionary<String, ?> props) throws IOException {
            update(props);
            return true;
        }

        @Override
        public void delete() throws IOException {
            if (deleted) {
                throw new IllegalStateException("deleted");
            }
            if (admin.failure != null) {
                throw admin.failure;
            }
            admin.writes.incrementAndGet();
            deleted = true;
            admin.configurations.remove(pid);
        }

        @Override
        public String getFactoryPid() {
            return factoryPid;
        }

        @Override
        public void update() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void setBundleLocation(String location) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String getBundleLocation() {
            return "?";
        }

        @Override
        public long getChangeCount() {
            return 0;
        }

        @Override
        public void addAttributes(ConfigurationAttribute... attrs) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Set<ConfigurationAttribute> getAttributes() {
            return Collections.emptySet();
        }

        @Override
        public void removeAttributes(ConfigurationAttribute... attrs) {
            throw new UnsupportedOperationException();
        }
    }

    // ---- lights, sequences, image sets ----

    /** Lights kept as states; {@code hardware} says what hardwareAvailable() answers. */
    static final class Lights implements LightController {
        final Map<String, Boolean> states = Collections.synchronizedMap(new LinkedHashMap<>());
        volatile boolean hardware;

        Lights(String... names) {
            for (String n : names) {
                states.put(n, false);
            }
        }

        @Override
        public Map<String, Boolean> states() {
            synchronized (states) {
                return new LinkedHashMap<>(states);
            }
        }

        @Override
        public boolean hardwareAvailable() {
            return hardware;
        }

        @Override
        public void set(String light, boolean on) {
            if (!states.containsKey(light)) {
                throw CameraException.notFound("no light " + light);
            }
            states.put(light, on);
        }

        @Override
        public void allOff() {
            states.replaceAll((k, v) -> false);
        }
    }

    /**
     * A sequencer the test drives: start() validates like the real one, keeps the request, progress callback
     * and result future, and the test reports progress and completes it.
     */
    static final class Sequencer implements SequenceService {
        final List<SequenceRequest> requests = new CopyOnWriteArrayList<>();
        volatile Consumer<SequenceProgress> progress;
        volatile CompletableFuture<SequenceResult> result;
        volatile Set<String> lights = Set.of("north", "south");
        volatile boolean running;

        @Override
        public CompletionStage<SequenceResult> start(SequenceRequest request, Consumer<SequenceProgress> progress) {
            for (String l : request.lights()) {
                if (!lights.contains(l)) {
                    throw CameraException.invalid("lights", "unknown light '" + l + "'");
                }
            }
            if (running) {
                throw new CameraException(CameraException.Kind.CONFLICT, "a sequence is already running");
            }
            running = true;
            requests.add(request);
            this.progress = progress;
            CompletableFuture<SequenceResult> f = new CompletableFuture<>();
            f.whenComplete((r, e) -> running = false);
            this.result = f;
            return f;
        }
    }

    /** Image sets in memory: set name -> file name -> bytes; names are checked like the real service. */
    static final class Sets implements ImageSets {
        final Map<String, Map<String, byte[]>> sets = new ConcurrentHashMap<>();
        final List<String> reads = new CopyOnWriteArrayList<>();

        @Override
        public List<ImageSet> sets() {
            List<ImageSet> out = new ArrayList<>();
            new TreeMap<>(sets).descendingMap().forEach((name, files) -> out.add(new ImageSet(name, "sets/" + name,
                    Instant.parse("2025-01-02T03:04:05Z"), (int) files.keySet().stream().filter(f -> f.endsWith(".jpg")).count(),
                    "complete")));
            return out;
        }

        @Override
        public List<ImageSetFile> contents(String set) {
            Map<String, byte[]> files = sets.get(set);
            if (files == null) {
                throw CameraException.notFound("no image set '" + set + "'");
            }
            List<ImageSetFile> out = new ArrayList<>();
            new TreeMap<>(files).forEach((f, b) -> out.add(new ImageSetFile(f, "sets/" + set + "/" + f, b.length,
                    f.endsWith(".json") ? "application/json" : "image/jpeg")));
            return out;
        }

        @Override
        public boolean delete(String set) {
            return sets.remove(set) != null;
        }

        @Override
        public ImageData image(String path) {
            reads.add(path);
            String[] parts = path.split("/");
            if (parts.length != 3 || !parts[0].equals("sets") || parts[2].contains("..")) {
                throw CameraException.invalid("path", "not an image set file: " + path);
            }
            Map<String, byte[]> files = sets.get(parts[1]);
            byte[] b = files == null ? null : files.get(parts[2]);
            if (b == null) {
                throw CameraException.notFound("no file " + path);
            }
            return new ImageData(parts[2], path, parts[2].endsWith(".json") ? "application/json" : "image/jpeg", b.clone());
        }
    }

    /**
     * Access control over plain values: by default it admits every caller as the administrator (tests that are
     * not about access); with {@code admitAll} off it knows user admin with {@link #PASSWORD} and the tokens it
     * issued.
     */
    static final class Auth implements AccessControl {
        static final String PASSWORD = "let-me-in";
        volatile boolean admitAll = true;
        volatile boolean viewingOpen = true;
        volatile boolean captureNeedsAdmin;
        volatile java.util.List<String> cors = java.util.List.of();
        final java.util.Set<String> tokens = java.util.concurrent.ConcurrentHashMap.newKeySet();
        final java.util.List<String> remotes = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public Caller check(String authorization, String token, String remote) {
            remotes.add(String.valueOf(remote));
            if (admitAll) {
                return Caller.ADMINISTRATOR;
            }
            if (authorization != null) {
                if (authorization.equals("Basic " + java.util.Base64.getEncoder().encodeToString(
                        ("admin:" + PASSWORD).getBytes(java.nio.charset.StandardCharsets.UTF_8)))) {
                    return Caller.ADMINISTRATOR;
                }
                if (authorization.startsWith("Bearer ") && tokens.contains(authorization.substring(7))) {
                    return Caller.ADMINISTRATOR;
                }
                return new Caller(null, "wrong user name or password");
            }
            if (token != null) {
                return tokens.contains(token) ? Caller.ADMINISTRATOR : new Caller(null, "token unknown or expired");
            }
            return Caller.ANONYMOUS;
        }

        @Override
        public java.util.Optional<Token> issue(String authorization, String remote) {
            if (authorization == null || !authorization.startsWith("Basic ") || !check(authorization, null, remote).admin()) {
                return java.util.Optional.empty();
            }
            String value = "tok-" + tokens.size();
            tokens.add(value);
            return java.util.Optional.of(new Token(value, java.time.Instant.parse("2030-01-01T00:00:00Z")));
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
            return cors;
        }
    }
}
