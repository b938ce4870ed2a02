package org.obscura.compat.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import org.obscura.camera.api.BatchResult;
import org.obscura.camera.api.CameraConfig;
import org.obscura.camera.api.CameraDescriptor;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraRegistry;
import org.obscura.camera.api.CameraStatus;
import org.obscura.camera.api.CaptureResult;
import org.obscura.camera.api.CaptureService;
import org.obscura.camera.api.ImageStore;
import org.obscura.camera.api.StoredCapture;

/**
 * The Snapshot Server's API as its Python client uses it: the camera list and the three snapshot modes (one
 * camera, all cameras, the stereo cameras), each answering {@code success}, {@code filename} and
 * {@code image_url_path}, and the images at those URL paths. The seed's API tutorial is not available, so the
 * paths are Obscura's choice, kept clear of its own routes: {@code /api/cameras}, {@code /api/snapshot/<camera>},
 * {@code /api/snapshot_all}, {@code /api/snapshot_stereo}, {@code /snapshots/<camera>/<file>}.
 */
final class SnapshotRoutes {

    private static final Pattern FILE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");

    private final CameraRegistry registry;
    private final CaptureService capture;
    private final ImageStore store;

    SnapshotRoutes(CameraRegistry registry, CaptureService capture, ImageStore store) {
        this.registry = registry;
        this.capture = capture;
        this.store = store;
    }

    void addTo(RouteTable table) {
        table.add("/api/cameras", ErrorStyle.SNAPSHOT, this::cameras, "GET")
                .add("/api/snapshot/*", ErrorStyle.SNAPSHOT, this::one, "POST", "GET")
                .add("/api/snapshot_all", ErrorStyle.SNAPSHOT, this::all, "POST", "GET")
                .add("/api/snapshot_stereo", ErrorStyle.SNAPSHOT, this::stereo, "POST", "GET")
                .add("/snapshots/*", ErrorStyle.SNAPSHOT, this::image, "GET");
    }

    /** The cameras in the Snapshot Server's terms (name, device, type, width, height, pixel_format, stereo). */
    private void cameras(Exchange x) throws IOException {
        List<Object> out = new ArrayList<>();
        for (CameraStatus s : registry.cameras()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", s.name());
            CameraDescriptor d = s.descriptor();
            if (d != null) {
                m.put("label", d.label());
                m.put("device", d.device());
                m.put("type", d.interruptService() != null ? "stream_interrupt" : d.driver());
                m.put("driver", d.driver());
                m.put("width", d.mode().width());
                m.put("height", d.mode().height());
                m.put("pixel_format", d.mode().format().fourcc());
                m.put("stereo", d.stereo());
                m.put("service_name", d.interruptService() == null ? "" : d.interruptService());
            }
            m.put("online", s.online());
            out.add(m);
        }
        x.json(200, out);
    }

    private void one(Exchange x) throws IOException {
        String name = x.path().substring("/api/snapshot/".length());
        if (!CameraConfig.isValidName(name)) {
            throw SeedException.badRequest("camera name '" + GphotoCommands.printable(name) + "' is not valid: lower case "
                    + "letters, digits, '_' and '-'");
        }
        CaptureResult r = capture.capture(name, Map.of());
        Map<String, Object> body = view(x, r);
        x.json(200, body);
    }

    private void all(Exchange x) throws IOException {
        batch(x, capture.captureAll(Map.of()));
    }

    private void stereo(Exchange x) throws IOException {
        batch(x, capture.captureStereo(Map.of()));
    }

    /**
     * A batch: {@code success} (every camera succeeded), {@code mode}, {@code results} (one snapshot view each),
     * {@code errors} (camera to message) and, for stereo, {@code skew_ms}. 503 when no camera took a picture.
     */
    private void batch(Exchange x, BatchResult b) throws IOException {
        if (b.results().isEmpty()) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("success", false);
            body.put("mode", b.mode());
            body.put("error", b.errors().isEmpty() ? "no camera took part in the " + b.mode() + " snapshot: none is online"
                    : "every camera failed in the " + b.mode() + " snapshot");
            body.put("errors", b.errors());
            x.json(503, body);
            return;
        }
        List<Object> results = new ArrayList<>();
        for (CaptureResult r : b.results()) {
            results.add(view(x, r));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", b.success());
        body.put("mode", b.mode());
        body.put("results", results);
        body.put("errors", b.errors());
        if (b.skewNanos() != null) {
            body.put("skew_ms", Math.round(b.skewNanos() / 1_000.0) / 1_000.0);
        }
        body.put("started", b.started().toString());
        body.put("finished", b.finished().toString());
        x.json(200, body);
    }

    private static Map<String, Object> view(Exchange x, CaptureResult r) {
        StoredCapture s = r.stored();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("success", true);
        m.put("camera", r.camera());
        m.put("filename", s.file());
        m.put("image_url_path", x.url("/snapshots/" + s.camera() + "/" + s.file()));
        m.put("path", s.path());
        m.put("size", s.size());
        m.put("width", r.width());
        m.put("height", r.height());
        m.put("timestamp", r.timestamp().toString());
        return m;
    }

    /** {@code /snapshots/<camera>/<file>}: a stored still (or its {@code .json} sidecar) from the image store. */
    private void image(Exchange x) throws IOException {
        String rest = x.path().substring("/snapshots/".length());
        int slash = rest.indexOf('/');
        if (slash < 0 || rest.indexOf('/', slash + 1) >= 0) {
            throw new SeedException(404, "no such image: use /snapshots/<camera>/<file>");
        }
        String camera = rest.substring(0, slash);
        String file = rest.substring(slash + 1);
        if (!CameraConfig.isValidName(camera) || !FILE.matcher(file).matches() || file.contains("..")) {
            throw SeedException.badRequest("not a snapshot path: /snapshots/<camera>/<file>");
        }
        boolean sidecar = file.endsWith(".json");
        String image = sidecar ? file.substring(0, file.length() - ".json".length()) : file;
        StoredCapture stored = store.capture(camera, image)
                .orElseThrow(() -> new SeedException(404, "no snapshot '" + file + "' of camera '" + camera + "'"));
        String relative = sidecar ? stored.sidecar() : stored.path();
        if (relative == null) {
            throw new SeedException(404, "snapshot '" + image + "' of camera '" + camera + "' has no sidecar");
        }
        byte[] data;
        try {
            data = Files.readAllBytes(store.resolve(relative));
        } catch (NoSuchFileException e) {
            throw new SeedException(404, "no snapshot '" + file + "' of camera '" + camera + "'");
        } catch (IOException e) {
            throw new CameraException(CameraException.Kind.IO, "snapshot '" + file + "' could not be read");
        }
        String type = sidecar ? "application/json"
                : image.toLowerCase(Locale.ROOT).matches(".*\\.jpe?g") ? "image/jpeg" : "application/octet-stream";
        x.bytes(200, type, data);
    }
}
