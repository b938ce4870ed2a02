package org.obscura.shell.internal;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;

import org.obscura.camera.api.BatchResult;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraRegistry;
import org.obscura.camera.api.CameraStatus;
import org.obscura.camera.api.CaptureResult;
import org.obscura.camera.api.CaptureService;
import org.obscura.camera.api.CapturedImage;
import org.obscura.camera.api.DeviceInfo;
import org.obscura.camera.api.DriverInfo;
import org.obscura.camera.api.FrameListener;
import org.obscura.camera.api.FrameSubscription;
import org.obscura.camera.api.ImageData;
import org.obscura.camera.api.ImageSet;
import org.obscura.camera.api.ImageSetFile;
import org.obscura.camera.api.ImageSets;
import org.obscura.camera.api.ImageStore;
import org.obscura.camera.api.LightController;
import org.obscura.camera.api.Page;
import org.obscura.camera.api.SequenceProgress;
import org.obscura.camera.api.SequenceRequest;
import org.obscura.camera.api.SequenceResult;
import org.obscura.camera.api.SequenceService;
import org.obscura.camera.api.Setting;
import org.obscura.camera.api.StoredCapture;

/** In-memory stand-ins for the camera-api services the commands use; each records what it was asked. */
final class Fakes {
    private Fakes() {
    }

    static final class Registry implements CameraRegistry {
        final List<CameraStatus> cameras = new ArrayList<>();
        final List<DriverInfo> drivers = new ArrayList<>();
        final Map<String, Function<String, List<DeviceInfo>>> discovery = new LinkedHashMap<>();
        final Map<String, List<Setting>> settings = new LinkedHashMap<>();
        final List<String> writes = new ArrayList<>();

        @Override
        public List<CameraStatus> cameras() {
            return cameras;
        }

        @Override
        public Optional<CameraStatus> camera(String name) {
            return cameras.stream().filter(c -> c.name().equals(name)).findFirst();
        }

        @Override
        public List<DriverInfo> drivers() {
            return drivers;
        }

        @Override
        public Optional<DriverInfo> driver(String id) {
            return drivers.stream().filter(d -> d.id().equals(id)).findFirst();
        }

        @Override
        public List<DeviceInfo> discover(String driverId) {
            Function<String, List<DeviceInfo>> d = discovery.get(driverId);
            if (d == null) {
                throw CameraException.notFound("no driver '" + driverId + "'");
            }
            return d.apply(driverId);
        }

        @Override
        public FrameSubscription subscribe(String camera, FrameListener listener) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<Setting> settings(String camera) {
            List<Setting> s = settings.get(camera);
            if (s == null) {
                throw CameraException.notFound("no camera named '" + camera + "'");
            }
            return s;
        }

        @Override
        public Setting setSetting(String camera, String setting, Object value) {
            Setting s = settings(camera).stream().filter(x -> x.name().equals(setting)).findFirst()
                    .orElseThrow(() -> CameraException.notFound("camera '" + camera + "' has no setting '" + setting
                            + "'"));
            if (s.readOnly()) {
                throw CameraException.invalid(setting, "setting '" + setting + "' is read-only");
            }
            writes.add(camera + "/" + setting + "=" + value);
            return s.withValue(Long.parseLong(value.toString()));
        }
    }

    static final class Capture implements CaptureService {
        final Map<String, CaptureResult> results = new LinkedHashMap<>();
        BatchResult all;
        BatchResult stereo;

        @Override
        public CapturedImage take(String camera, Map<String, Object> metadata) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CaptureResult capture(String camera, Map<String, Object> metadata) {
            CaptureResult r = results.get(camera);
            if (r == null) {
                throw new CameraException(CameraException.Kind.UNAVAILABLE, "camera '" + camera + "' is offline");
            }
            return r;
        }

        @Override
        public BatchResult captureAll(Map<String, Object> metadata) {
            return all;
        }

        @Override
        public BatchResult captureStereo(Map<String, Object> metadata) {
            if (stereo == null) {
                throw new CameraException(CameraException.Kind.UNAVAILABLE, "fewer than two stereo cameras are online");
            }
            return stereo;
        }
    }

    static CaptureResult result(String camera, String file, long size, int width, int height, long nanos) {
        Instant t = Instant.parse("2026-11-20T10:15:30Z");
        return new CaptureResult(new StoredCapture(camera, file, "captures/" + camera + "/" + file,
                "/api/v1/captures/" + camera + "/" + file, null, size, t), width, height, t, nanos);
    }

    static final class Store implements ImageStore {
        final List<StoredCapture> captures = new ArrayList<>();
        final List<String> queries = new ArrayList<>();

        @Override
        public Page<StoredCapture> captures(String camera, int offset, int limit) {
            queries.add(camera + "/" + offset + "/" + limit);
            List<StoredCapture> matching = captures.stream().filter(c -> camera == null || c.camera().equals(camera))
                    .toList();
            return new Page<>(matching.subList(0, Math.min(limit, matching.size())), offset, limit, matching.size());
        }

        @Override
        public Path root() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Path resolve(String relative) {
            throw new UnsupportedOperationException();
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
        public Optional<StoredCapture> capture(String camera, String file) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean deleteCapture(String camera, String file) {
            throw new UnsupportedOperationException();
        }
    }

    static final class Lights implements LightController {
        final Map<String, Boolean> states = new LinkedHashMap<>();
        boolean hardware;

        @Override
        public Map<String, Boolean> states() {
            return new LinkedHashMap<>(states);
        }

        @Override
        public boolean hardwareAvailable() {
            return hardware;
        }

        @Override
        public void set(String light, boolean on) {
            if (!states.containsKey(light)) {
                throw CameraException.notFound("no light named '" + light + "'");
            }
            states.put(light, on);
        }

        @Override
        public void allOff() {
            states.replaceAll((k, v) -> false);
        }
    }

    /**
     * Runs the scripted progress on its own thread, as the real sequencer does, then completes with the
     * scripted result.
     */
    static final class Sequencer implements SequenceService {
        final List<SequenceProgress> script = new ArrayList<>();
        SequenceResult result;
        SequenceRequest request;
        volatile Thread thread;

        @Override
        public CompletionStage<SequenceResult> start(SequenceRequest request, Consumer<SequenceProgress> progress) {
            for (String light : request.lights()) {
                if (!light.matches("[a-z]+")) {
                    throw CameraException.invalid("lights", "unknown light '" + light + "'");
                }
            }
            this.request = request;
            CompletableFuture<SequenceResult> done = new CompletableFuture<>();
            thread = new Thread(() -> {
                script.forEach(progress);
                done.complete(result);
            }, "fake-sequence");
            thread.start();
            return done;
        }
    }

    static final class Sets implements ImageSets {
        final List<ImageSet> sets = new ArrayList<>();

        @Override
        public List<ImageSet> sets() {
            return sets;
        }

        @Override
        public List<ImageSetFile> contents(String set) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean delete(String set) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ImageData image(String path) {
            throw new UnsupportedOperationException();
        }
    }
}
