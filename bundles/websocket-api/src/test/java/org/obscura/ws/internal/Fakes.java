package org.obscura.ws.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

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
import org.obscura.camera.api.LiveFrame;
import org.obscura.camera.api.Mode;
import org.obscura.camera.api.Page;
import org.obscura.camera.api.PixelFormat;
import org.obscura.camera.api.SequenceProgress;
import org.obscura.camera.api.SequenceRequest;
import org.obscura.camera.api.SequenceResult;
import org.obscura.camera.api.SequenceService;
import org.obscura.camera.api.Setting;
import org.obscura.camera.api.SettingType;
import org.obscura.camera.api.StoredCapture;

/** In-memory stand-ins for the camera services, with the behaviour the protocol relies on. */
final class Fakes {

    private Fakes() {
    }

    static CameraStatus camera(String name, String driver, String device, Map<String, Object> properties,
            CameraState state, Capability... caps) {
        CameraDescriptor d = new CameraDescriptor(name, null, driver, device, new Mode(PixelFormat.JPEG, 640, 480, 30),
                Set.of(caps), false, 0, null, properties);
        return new CameraStatus(name, d, state, 0, 0, 0, null, null);
    }

    /** Cameras: "bench" (testpattern, streams) and "dslr" (gphoto2, Canon at usb:001,006, preview). */
    static final class Registry implements CameraRegistry {
        final List<CameraStatus> cameras = new CopyOnWriteArrayList<>(List.of(
                Fakes.camera("bench", "testpattern", "", Map.of(), CameraState.ONLINE, Capability.STREAM, Capability.STILL),
                Fakes.camera("dslr", "gphoto2", "usb:001,006", Map.of("model", "Canon EOS Rebel T6", "port", "usb:001,006"),
                        CameraState.ONLINE, Capability.STILL, Capability.PREVIEW, Capability.SETTINGS)));
        final Map<String, List<Setting>> settings = new LinkedHashMap<>();
        final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();

        Registry() {
            settings.put("dslr", new ArrayList<>(List.of(
                    new Setting("iso", "ISO Speed", SettingType.MENU, "100", List.of("100", "200", "400"), null, null,
                            null, false, "imgsettings"),
                    new Setting("shutterspeed", "Shutter Speed", SettingType.MENU, "1/125", List.of("1/60", "1/125"),
                            null, null, null, false, "capturesettings"))));
        }

        @Override
        public List<CameraStatus> cameras() {
            return List.copyOf(cameras);
        }

        @Override
        public Optional<CameraStatus> camera(String name) {
            return cameras.stream().filter(c -> c.name().equals(name)).findFirst();
        }

        @Override
        public List<DriverInfo> drivers() {
            return List.of();
        }

        @Override
        public Optional<DriverInfo> driver(String id) {
            return Optional.empty();
        }

        @Override
        public List<DeviceInfo> discover(String driverId) {
            return List.of();
        }

        @Override
        public FrameSubscription subscribe(String camera, FrameListener listener) {
            if (camera(camera).isEmpty()) {
                throw CameraException.notFound("no camera '" + camera + "'");
            }
            Subscription s = new Subscription(camera, listener);
            subscriptions.add(s);
            return s;
        }

        @Override
        public List<Setting> settings(String camera) {
            if (camera(camera).isEmpty()) {
                throw CameraException.notFound("no camera '" + camera + "'");
            }
            List<Setting> list = settings.get(camera);
            if (list == null) {
                throw new CameraException(CameraException.Kind.UNSUPPORTED, "camera '" + camera + "' has no settings");
            }
            return List.copyOf(list);
        }

        @Override
        public synchronized Setting setSetting(String camera, String setting, Object value) {
            List<Setting> list = settings.get(camera);
            for (int i = 0; list != null && i < list.size(); i++) {
                Setting s = list.get(i);
                if (s.name().equals(setting)) {
                    if (!s.options().contains(String.valueOf(value))) {
                        throw CameraException.invalid(setting, "Value '" + value + "' not in options.");
                    }
                    Setting updated = s.withValue(String.valueOf(value));
                    list.set(i, updated);
                    return updated;
                }
            }
            throw CameraException.notFound("camera '" + camera + "' has no setting '" + setting + "'");
        }
    }

    /** A subscription whose frames the test pushes with {@link #push}. */
    static final class Subscription implements FrameSubscription {
        final String camera;
        final FrameListener listener;
        volatile byte[] latest;
        volatile long index;
        volatile boolean closed;
        volatile int taken;

        Subscription(String camera, FrameListener listener) {
            this.camera = camera;
            this.listener = listener;
        }

        /** A new frame arrives at the hub. */
        void push(byte[] jpeg) {
            latest = jpeg;
            index++;
            if (listener != null && !closed) {
                listener.frameAvailable(this);
            }
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
            byte[] data = latest;
            if (data == null) {
                return null;
            }
            taken++;
            long i = index;
            return new LiveFrame() {
                @Override
                public Frame frame() {
                    throw new UnsupportedOperationException();
                }

                @Override
                public long index() {
                    return i;
                }

                @Override
                public boolean placeholder() {
                    return false;
                }

                @Override
                public ByteBuffer jpeg() {
                    return ByteBuffer.wrap(data).asReadOnlyBuffer();
                }

                @Override
                public ByteBuffer jpeg(int quality) {
                    return jpeg();
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public LiveFrame next(long timeout, TimeUnit unit) {
            return latest();
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    static final class Capture implements CaptureService {
        final List<String> taken = new CopyOnWriteArrayList<>();

        @Override
        public CapturedImage take(String camera, Map<String, Object> metadata) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CaptureResult capture(String camera, Map<String, Object> metadata) {
            taken.add(camera);
            String file = camera + "_20261120-101530-123.jpg";
            StoredCapture s = new StoredCapture(camera, file, "captures/" + camera + "/" + file,
                    "/api/v1/captures/" + camera + "/" + file, null, 3, Instant.parse("2026-11-20T10:15:30Z"));
            return new CaptureResult(s, 640, 480, s.timestamp(), 0);
        }

        @Override
        public String captureOnDevice(String camera) {
            taken.add(camera + "@device");
            return "/store_00010001/DCIM/100CANON/IMG_0001.JPG";
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

    /** An image store over a temporary data dir; captures are the files under captures/. */
    static final class Store implements ImageStore {
        final Path root;

        Store(Path root) {
            this.root = root.toAbsolutePath().normalize();
        }

        void put(String relative, byte[] content) throws Exception {
            Path p = resolve(relative);
            Files.createDirectories(p.getParent());
            Files.write(p, content);
        }

        @Override
        public Path root() {
            return root;
        }

        @Override
        public Path resolve(String relative) {
            if (relative.startsWith("/") || relative.contains("..") || relative.indexOf('\0') >= 0
                    || relative.contains("\\")) {
                throw CameraException.invalid("path", "bad path '" + relative + "'");
            }
            Path p = root.resolve(relative).normalize();
            if (!p.startsWith(root)) {
                throw CameraException.invalid("path", "bad path '" + relative + "'");
            }
            return p;
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
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<StoredCapture> capture(String camera, String file) {
            if (!camera.matches("[a-z0-9][a-z0-9_-]*") || !file.matches("[A-Za-z0-9][A-Za-z0-9._-]*")
                    || file.contains("..")) {
                throw CameraException.invalid("file", "bad capture name");
            }
            Path p = root.resolve("captures").resolve(camera).resolve(file);
            if (!Files.isRegularFile(p)) {
                return Optional.empty();
            }
            String rel = "captures/" + camera + "/" + file;
            return Optional.of(new StoredCapture(camera, file, rel, "/api/v1/" + rel, null, 0, Instant.EPOCH));
        }

        @Override
        public boolean deleteCapture(String camera, String file) {
            throw new UnsupportedOperationException();
        }
    }

    static final class Lights implements LightController {
        final Map<String, Boolean> states = new LinkedHashMap<>(Map.of("front", false));

        Lights() {
            states.put("top", false);
        }

        @Override
        public synchronized Map<String, Boolean> states() {
            return new LinkedHashMap<>(states);
        }

        @Override
        public boolean hardwareAvailable() {
            return false;
        }

        @Override
        public synchronized void set(String light, boolean on) {
            if (!states.containsKey(light)) {
                throw CameraException.notFound("no light '" + light + "'");
            }
            states.put(light, on);
        }

        @Override
        public synchronized void allOff() {
            states.replaceAll((k, v) -> false);
        }
    }

    /** Runs a sequence synchronously: progress for each light, then the result (failing at light "broken"). */
    static final class Sequences implements SequenceService {
        volatile SequenceRequest last;

        @Override
        public CompletionStage<SequenceResult> start(SequenceRequest request, Consumer<SequenceProgress> progress) {
            last = request;
            String folder = "sets/" + (request.prefix() == null ? "set" : request.prefix()) + "_20261120-101530";
            int total = request.lights().size();
            progress.accept(new SequenceProgress("started", 0, total, null, folder, null));
            List<String> images = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                String light = request.lights().get(i);
                progress.accept(new SequenceProgress("capturing", i + 1, total, light, folder, null));
                if (light.equals("broken")) {
                    String error = "Failed to capture image for light: broken";
                    progress.accept(new SequenceProgress("failed", i + 1, total, light, folder, error));
                    return CompletableFuture.completedFuture(
                            new SequenceResult(false, "Photometric sequence failed.", folder, images, error));
                }
                images.add(folder + "/image_%02d_%s.jpg".formatted(i + 1, light));
                progress.accept(new SequenceProgress("captured", i + 1, total, light, folder, null));
            }
            progress.accept(new SequenceProgress("completed", total, total, null, folder, null));
            return CompletableFuture.completedFuture(
                    new SequenceResult(true, "Photometric sequence completed successfully.", folder, images, null));
        }
    }

    static final class Sets implements ImageSets {
        final Map<String, List<String>> sets = new LinkedHashMap<>();

        Sets() {
            sets.put("scan_20261120-101530", new ArrayList<>(List.of("image_01_front.jpg", "manifest.json")));
        }

        private static void check(String name) {
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9_-]*")) {
                throw CameraException.invalid("set", "malformed set name '" + name + "'");
            }
        }

        @Override
        public synchronized List<ImageSet> sets() {
            List<ImageSet> out = new ArrayList<>();
            sets.forEach((k, v) -> out.add(new ImageSet(k, "sets/" + k, Instant.parse("2026-11-20T10:15:30Z"),
                    (int) v.stream().filter(f -> f.endsWith(".jpg")).count(), "complete")));
            return out;
        }

        @Override
        public synchronized List<ImageSetFile> contents(String set) {
            check(set);
            List<String> files = sets.get(set);
            if (files == null) {
                throw CameraException.notFound("no set '" + set + "'");
            }
            return files.stream().map(f -> new ImageSetFile(f, "sets/" + set + "/" + f, 4,
                    f.endsWith(".jpg") ? "image/jpeg" : "application/json")).toList();
        }

        @Override
        public synchronized boolean delete(String set) {
            check(set);
            return sets.remove(set) != null;
        }

        @Override
        public synchronized ImageData image(String path) {
            String[] parts = path.split("/");
            if (parts.length != 3 || !parts[0].equals("sets")) {
                throw CameraException.invalid("path", "not a set file: '" + path + "'");
            }
            check(parts[1]);
            List<String> files = sets.get(parts[1]);
            if (files == null || !files.contains(parts[2])) {
                throw CameraException.notFound("no file '" + path + "'");
            }
            return new ImageData(parts[2], path, "image/jpeg", "JPEG".getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** A transport that records messages and completes each send at once (or, when held, on {@link #release}). */
    static final class Transport implements Outbox.Transport {
        final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
        final List<Runnable> held = new CopyOnWriteArrayList<>();
        volatile boolean hold;
        volatile String closedWith;

        @Override
        public void send(String text, Runnable sent, Consumer<Throwable> failed) {
            messages.add(text);
            if (hold) {
                held.add(sent);
            } else {
                sent.run();
            }
        }

        /** Completes the held sends. */
        void release() {
            hold = false;
            List<Runnable> done = List.copyOf(held);
            held.clear();
            done.forEach(Runnable::run);
        }

        @Override
        public void close(int code, String reason) {
            closedWith = code + " " + reason;
        }
    }
}
