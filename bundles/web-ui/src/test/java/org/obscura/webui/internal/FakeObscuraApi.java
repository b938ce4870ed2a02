package org.obscura.webui.internal;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.openqa.selenium.json.Json;

/**
 * A small stand-in for the Obscura REST API (/api/v1) with the answers, problems and events the real one
 * gives (shapes from rest-api's README), kept in memory, so the browser tests need no running server.
 * It checks what the real one checks where the UI's behaviour depends on it: the administrator token on
 * every change (401 problem with a Bearer challenge), the camera name and width of a new camera and a
 * setting's range (400 problem naming the field). Streams are real MJPEG of generated JPEGs; events are
 * real Server-Sent Events. Thread-safe: each request runs on its own Jetty thread; state is guarded by this.
 */
final class FakeObscuraApi extends HttpServlet {
    private static final long serialVersionUID = 1L;
    static final String PASSWORD = "secret";
    private static final String TOKEN = "fake-token-1";
    private static final Json JSON = new Json();

    private final Map<String, Map<String, Object>> cameras = new LinkedHashMap<>();
    private final Map<String, Object> settings = new LinkedHashMap<>();
    private final List<Map<String, Object>> captures = new ArrayList<>();
    private final Map<String, Boolean> lights = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> sequences = new LinkedHashMap<>();
    private final Map<String, List<String>> sets = new LinkedHashMap<>();
    private final List<Map<String, Object>> bundles = new ArrayList<>(List.of(
            Map.of("id", 0, "symbolicName", "org.apache.felix.framework", "version", "7.0.5", "name", "System Bundle",
                    "state", "active", "location", "System Bundle", "fragment", false),
            Map.of("id", 7, "symbolicName", "org.obscura.webui", "version", "0.1.0.SNAPSHOT", "name", "Obscura web UI",
                    "state", "active", "location", "reference:file:web-ui.jar", "fragment", false)));
    private final List<BlockingQueue<String>> clients = new CopyOnWriteArrayList<>();
    private final AtomicInteger counter = new AtomicInteger();
    private final AtomicInteger eventId = new AtomicInteger();
    final AtomicInteger cameraPosts = new AtomicInteger();
    private volatile boolean stopped;
    /**
     * What {@code GET /auth} says as {@code viewing_open}; while false, set archives (like the real API's pictures)
     * need the administrator token, as {@code Authorization: Bearer} or {@code ?token=}.
     */
    volatile boolean viewingOpen = true;

    FakeObscuraApi() {
        addCamera("bench", "Bench", "pattern");
        settings.put("brightness", 50);
        settings.put("pattern", "bars");
        settings.put("hflip", false);
        for (String l : List.of("left", "right", "top")) {
            lights.put(l, false);
        }
    }

    void stop() {
        stopped = true;
        clients.forEach(q -> q.offer(""));
    }

    /** Sends an event to every connected event stream, as the server relays Event Admin events. */
    void emit(String name, Map<String, Object> data) {
        String text = "id: " + eventId.incrementAndGet() + "\nevent: " + name + "\ndata: " + JSON.toJson(data)
                .replace("\n", "") + "\n\n";
        clients.forEach(q -> q.offer(text));
    }

    synchronized void setState(String camera, String state) {
        cameras.get(camera).put("state", state);
    }

    synchronized Map<String, Object> storeCapture(String camera) {
        String file = camera + "_" + String.format("%04d", counter.incrementAndGet()) + ".jpg";
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("camera", camera);
        c.put("file", file);
        c.put("path", "captures/" + camera + "/" + file);
        c.put("url", "/api/v1/captures/" + camera + "/" + file);
        c.put("sidecar", "captures/" + camera + "/" + file + ".json");
        c.put("size", 12345);
        c.put("timestamp", Instant.now().toString());
        captures.add(0, c);
        return c;
    }

    private void addCamera(String name, String label, String device) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", name);
        c.put("label", label);
        c.put("driver", "testpattern");
        c.put("device", device);
        c.put("state", "streaming");
        c.put("enabled", true);
        c.put("configurable", true);
        c.put("mode", Map.of("format", "YUYV", "width", 640, "height", 480, "fps", 15.0));
        c.put("capabilities", List.of("STREAM", "SNAPSHOT", "SETTINGS"));
        c.put("stereo", false);
        c.put("viewers", 1);
        c.put("fps", 14.9);
        c.put("frames", 1234);
        c.put("urls", Map.of("stream", "/api/v1/cameras/" + name + "/stream", "frame",
                "/api/v1/cameras/" + name + "/frame", "snapshot", "/api/v1/cameras/" + name + "/snapshot"));
        c.put("configuration", Map.of("pid", "org.obscura.driver.testpattern~" + name, "factoryPid",
                "org.obscura.driver.testpattern", "driver", "testpattern", "properties",
                Map.of("name", name, "label", label, "device", device, "width", 640, "height", 480, "fps", 15.0)));
        cameras.put(name, c);
    }

    // ------------------------------------------------------------------------------------------ dispatch

    private record Route(String method, Pattern path) {
    }

    private static Pattern p(String regex) {
        return Pattern.compile("/v1" + regex);
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo() == null ? "" : req.getPathInfo();
        String method = req.getMethod();
        try {
            boolean change = !method.equals("GET") && !method.equals("HEAD") && !path.equals("/v1/auth/token")
                    || path.startsWith("/v1/bundles") || path.startsWith("/v1/features");
            if (change && !(("Bearer " + TOKEN).equals(req.getHeader("Authorization")))) {
                resp.setHeader("WWW-Authenticate", "Bearer realm=\"obscura\"");
                problem(resp, 401, "unauthorized", "administrator login needed for " + method + " " + path, null);
                return;
            }
            Matcher m;
            if (path.equals("/v1/auth") && method.equals("GET")) {
                boolean ok = ("Bearer " + TOKEN).equals(req.getHeader("Authorization"));
                Map<String, Object> a = new LinkedHashMap<>();
                a.put("authenticated", ok);
                a.put("user", ok ? "admin" : null);
                a.put("viewing_open", viewingOpen);
                json(resp, 200, a);
            } else if (path.equals("/v1/auth/token") && method.equals("POST")) {
                String expected = "Basic " + Base64.getEncoder().encodeToString(("admin:" + PASSWORD)
                        .getBytes(StandardCharsets.UTF_8));
                if (!expected.equals(req.getHeader("Authorization"))) {
                    resp.setHeader("WWW-Authenticate", "Bearer realm=\"obscura\"");
                    problem(resp, 401, "unauthorized", "wrong user or password", null);
                } else {
                    json(resp, 200, Map.of("token", TOKEN, "expires", Instant.now().plusSeconds(3600).toString()));
                }
            } else if (path.equals("/v1/events")) {
                events(resp);
            } else if (path.equals("/v1/bundles") && method.equals("POST")) {
                byte[] jar = req.getInputStream().readAllBytes();
                if (jar.length < 4 || jar[0] != 'P' || jar[1] != 'K') {
                    problem(resp, 400, "invalid-argument", "the body is not a jar", "bundle");
                    return;
                }
                synchronized (this) {
                    bundles.add(Map.of("id", 100 + bundles.size(), "symbolicName", "org.acme.plugin", "version", "1.0.0",
                            "name", "Acme plugin", "state", "active", "location", "upload", "fragment", false));
                }
                json(resp, 201, bundles.get(bundles.size() - 1));
            } else if (path.equals("/v1/bundles")) {
                synchronized (this) {
                    json(resp, 200, Map.of("bundles", new ArrayList<>(bundles)));
                }
            } else if (path.equals("/v1/features")) {
                json(resp, 200, Map.of("features", List.of(Map.of("name", "lab", "description", "Lights and sequences",
                        "installed", true, "requires", List.of(), "bundles", List.of(Map.of("symbolicName",
                                "org.obscura.sequencer", "state", "active", "id", 12, "version", "0.1.0")),
                        "configurations", List.of()))));
            } else if (path.equals("/v1/health")) {
                json(resp, 200, Map.of("status", "ok", "problems", List.of(), "version", "0.1.0", "started",
                        Instant.now().minusSeconds(3700).toString(), "uptimeSeconds", 3700, "drivers", Map.of("total", 1, "available", 1),
                        "cameras", Map.of("total", 1, "online", 1, "streaming", 1, "offline", 0),
                        "dataDir", Map.of("freeBytes", 20_000_000_000L, "totalBytes", 32_000_000_000L), "encoder", Map.of("name", "libjpeg-turbo 2.1", "fallback", false)));
            } else if (path.equals("/v1/drivers")) {
                json(resp, 200, List.of(driver(false)));
            } else if (path.equals("/v1/drivers/testpattern")) {
                json(resp, 200, driver(true));
            } else if (path.equals("/v1/drivers/testpattern/devices")) {
                json(resp, 200, List.of(Map.of("driver", "testpattern", "device", "pattern", "name", "Test pattern",
                        "properties", Map.of(), "formats", List.of(Map.of("fourcc", "YUYV", "description", "YUYV 4:2:2",
                                "sizes", List.of(Map.of("width", 640, "height", 480, "fps", List.of(15.0, 30.0)),
                                        Map.of("width", 320, "height", 240, "fps", List.of(30.0))))))));
            } else if (path.equals("/v1/cameras") && method.equals("GET")) {
                synchronized (this) {
                    json(resp, 200, new ArrayList<>(cameras.values()));
                }
            } else if (path.equals("/v1/cameras") && method.equals("POST")) {
                createCamera(req, resp);
            } else if ((m = p("/cameras/([a-z0-9_-]+)").matcher(path)).matches()) {
                camera(method, m.group(1), resp);
            } else if ((m = p("/cameras/([a-z0-9_-]+)/stream").matcher(path)).matches()) {
                stream(m.group(1), resp);
            } else if ((m = p("/cameras/([a-z0-9_-]+)/frame").matcher(path)).matches()) {
                byte[] jpeg = jpeg(m.group(1), 0);
                resp.setContentType("image/jpeg");
                resp.getOutputStream().write(jpeg);
            } else if ((m = p("/cameras/([a-z0-9_-]+)/snapshot").matcher(path)).matches()) {
                Map<String, Object> c = storeCapture(m.group(1));
                Map<String, Object> r = new LinkedHashMap<>(c);
                r.put("width", 640);
                r.put("height", 480);
                r.put("success", true);
                json(resp, 200, r);
                emit("capture/done", Map.of("camera", m.group(1), "path", c.get("path"), "url", c.get("url")));
            } else if ((path.equals("/v1/snapshot") || path.equals("/v1/snapshot/stereo")) && method.equals("POST")) {
                List<Object> results = new ArrayList<>();
                synchronized (this) {
                    for (String cam : cameras.keySet()) {
                        results.add(storeCapture(cam));
                    }
                }
                json(resp, 200, Map.of("mode", path.endsWith("stereo") ? "stereo" : "all", "success", true, "results",
                        results, "errors", Map.of(), "skew_ms", 1.5));
            } else if (p("/cameras/([a-z0-9_-]+)/settings").matcher(path).matches()) {
                json(resp, 200, settingsList());
            } else if ((m = p("/cameras/([a-z0-9_-]+)/settings/([a-z]+)").matcher(path)).matches()) {
                writeSetting(m.group(2), req, resp);
            } else if ((m = p("/cameras/([a-z0-9_-]+)/mode").matcher(path)).matches()) {
                json(resp, 200, Map.of());
            } else if (path.equals("/v1/captures")) {
                listCaptures(req, resp);
            } else if ((m = p("/captures/([a-z0-9_-]+)/([a-z0-9_.-]+)").matcher(path)).matches()) {
                capture(method, m.group(1), m.group(2), req, resp);
            } else if (path.equals("/v1/lights")) {
                synchronized (this) {
                    json(resp, 200, Map.of("states", new LinkedHashMap<>(lights), "gpio_available", false));
                }
            } else if ((m = p("/lights/([a-z0-9_-]+)").matcher(path)).matches() && method.equals("PUT")) {
                Map<String, Object> body = body(req);
                synchronized (this) {
                    if (!lights.containsKey(m.group(1))) {
                        problem(resp, 404, "not-found", "no light '" + m.group(1) + "'; lights: " + lights.keySet(), null);
                        return;
                    }
                    lights.put(m.group(1), Boolean.TRUE.equals(body.get("on")));
                    json(resp, 200, Map.of("light", m.group(1), "on", lights.get(m.group(1)), "states",
                            new LinkedHashMap<>(lights), "gpio_available", false));
                }
            } else if (path.equals("/v1/sequences/photometric") && method.equals("POST")) {
                startSequence(req, resp);
            } else if (path.equals("/v1/sequences")) {
                synchronized (this) {
                    List<Object> all = new ArrayList<>(sequences.values());
                    java.util.Collections.reverse(all);
                    json(resp, 200, all);
                }
            } else if ((m = p("/sequences/([a-z0-9_-]+)").matcher(path)).matches()) {
                synchronized (this) {
                    Map<String, Object> s = sequences.get(m.group(1));
                    if (s == null) {
                        problem(resp, 404, "not-found", "no sequence " + m.group(1), null);
                    } else {
                        json(resp, 200, s);
                    }
                }
            } else if (path.equals("/v1/sets")) {
                synchronized (this) {
                    List<Object> out = new ArrayList<>();
                    sets.forEach((name, files) -> out.add(0, Map.of("name", name, "path", "sets/" + name, "created",
                            Instant.now().toString(), "imageCount", files.size(), "status", "complete", "url",
                            "/api/v1/sets/" + name)));
                    json(resp, 200, out);
                }
            } else if ((m = p("/sets/([A-Za-z0-9_-]+)").matcher(path)).matches()) {
                set(method, m.group(1), resp);
            } else if ((m = p("/sets/([A-Za-z0-9_-]+)/archive").matcher(path)).matches() && method.equals("GET")) {
                archive(m.group(1), req, resp);
            } else if ((m = p("/sets/([A-Za-z0-9_-]+)/([A-Za-z0-9_.-]+)").matcher(path)).matches()) {
                resp.setContentType("image/jpeg");
                resp.getOutputStream().write(jpeg(m.group(2), 1));
            } else {
                problem(resp, 404, "not-found", "no route " + method + " " + path, null);
            }
        } catch (IllegalArgumentException e) {
            problem(resp, 400, "invalid-argument", "malformed JSON body: " + e.getMessage(), null);
        }
    }

    private Map<String, Object> driver(boolean withForm) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("id", "testpattern");
        d.put("name", "Test pattern");
        d.put("factoryPid", "org.obscura.driver.testpattern");
        d.put("available", true);
        d.put("status", "running");
        d.put("bundle", "org.obscura.driver.testpattern");
        d.put("version", "0.1.0");
        if (withForm) {
            List<Object> attributes = List.of(
                    attr("name", "Name", "string", null, true, null),
                    attr("label", "Label", "string", null, false, null),
                    attr("device", "Device", "string", "pattern", false, null),
                    attr("width", "Width", "integer", 640, false, null),
                    attr("height", "Height", "integer", 480, false, null),
                    attr("fps", "Frame rate", "double", 15.0, false, null),
                    attr("format", "Pixel format", "string", "YUYV", false, List.of(
                            Map.of("value", "YUYV", "label", "YUYV 4:2:2"), Map.of("value", "JPEG", "label", "JPEG"))),
                    attr("stereo", "Stereo", "boolean", false, false, null));
            d.put("form", Map.of("pid", "org.obscura.driver.testpattern", "name", "Test pattern camera",
                    "description", "A camera drawing a test pattern", "described", true, "attributes", attributes));
        }
        return d;
    }

    private static Map<String, Object> attr(String id, String name, String type, Object def, boolean required,
            List<Object> options) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("id", id);
        a.put("name", name);
        a.put("description", name + " of the camera");
        a.put("type", type);
        a.put("cardinality", 0);
        a.put("default", def);
        a.put("options", options);
        a.put("required", required);
        return a;
    }

    private void createCamera(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        cameraPosts.incrementAndGet();
        Map<String, Object> body = body(req);
        Object name = body.get("name");
        if (!(name instanceof String n) || !n.matches("[a-z0-9][a-z0-9_-]{0,62}")) {
            problem(resp, 400, "invalid-argument", "name must be lower case letters, digits, '_' and '-'", "name");
            return;
        }
        Object width = body.get("width");
        if (width instanceof Number w && (w.intValue() < 16 || w.intValue() > 3840)) {
            problem(resp, 400, "invalid-argument", "width " + w + " is out of range: 16 to 3840", "width");
            return;
        }
        synchronized (this) {
            if (cameras.containsKey(n)) {
                problem(resp, 409, "conflict", "a camera named '" + n + "' exists", "name");
                return;
            }
            addCamera(n, body.get("label") instanceof String l && !l.isBlank() ? l : n,
                    String.valueOf(body.getOrDefault("device", "pattern")));
        }
        resp.setHeader("Location", "/api/v1/cameras/" + n);
        json(resp, 201, Map.of("pid", "org.obscura.driver.testpattern~" + n, "factoryPid",
                "org.obscura.driver.testpattern", "driver", "testpattern", "properties", body));
        emit("camera/added", Map.of("camera", n, "driver", "testpattern"));
        emit("camera/online", Map.of("camera", n, "driver", "testpattern"));
    }

    private void camera(String method, String name, HttpServletResponse resp) throws IOException {
        synchronized (this) {
            Map<String, Object> c = cameras.get(name);
            if (c == null) {
                problem(resp, 404, "not-found", "no camera '" + name + "'", null);
            } else if (method.equals("DELETE")) {
                cameras.remove(name);
                resp.setStatus(204);
                emit("camera/removed", Map.of("camera", name));
            } else {
                json(resp, 200, c);
            }
        }
    }

    private synchronized List<Object> settingsList() {
        List<Object> out = new ArrayList<>();
        Map<String, Object> b = new LinkedHashMap<>(Map.of("name", "brightness", "label", "Brightness", "type", "RANGE",
                "value", settings.get("brightness"), "min", 0, "max", 100, "step", 1, "readOnly", false));
        b.put("group", "Image");
        out.add(b);
        out.add(Map.of("name", "pattern", "label", "Pattern", "type", "MENU", "value", settings.get("pattern"),
                "options", List.of("bars", "gradient", "checkers"), "readOnly", false, "group", "Image"));
        out.add(Map.of("name", "hflip", "label", "Mirror", "type", "BOOLEAN", "value", settings.get("hflip"),
                "readOnly", false, "group", "Image"));
        return out;
    }

    synchronized Object setting(String name) {
        return settings.get(name);
    }

    synchronized boolean light(String name) {
        return lights.get(name);
    }

    private void writeSetting(String name, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Object value = body(req).get("value");
        synchronized (this) {
            if (!settings.containsKey(name)) {
                problem(resp, 404, "not-found", "no setting '" + name + "'; settings: " + settings.keySet(), null);
                return;
            }
            if (name.equals("brightness") && (!(value instanceof Number n) || n.intValue() < 0 || n.intValue() > 100)) {
                problem(resp, 400, "invalid-argument", "brightness: " + value + " is out of range 0 to 100 (step 1)",
                        "value");
                return;
            }
            settings.put(name, value instanceof Number n ? (Object) n.intValue() : value);
        }
        settingsList().stream().map(o -> (Map<?, ?>) o).filter(s -> name.equals(s.get("name"))).findFirst()
                .ifPresent(s -> json(resp, 200, s));
    }

    private void listCaptures(HttpServletRequest req, HttpServletResponse resp) {
        String camera = req.getParameter("camera");
        int offset = req.getParameter("offset") == null ? 0 : Integer.parseInt(req.getParameter("offset"));
        int limit = req.getParameter("limit") == null ? 50 : Integer.parseInt(req.getParameter("limit"));
        synchronized (this) {
            List<Map<String, Object>> all = captures.stream()
                    .filter(c -> camera == null || camera.isEmpty() || camera.equals(c.get("camera"))).toList();
            json(resp, 200, Map.of("items", all.subList(Math.min(offset, all.size()), Math.min(offset + limit, all.size())),
                    "offset", offset, "limit", limit, "total", all.size()));
        }
    }

    private void capture(String method, String camera, String file, HttpServletRequest req, HttpServletResponse resp)
            throws IOException {
        Map<String, Object> found;
        synchronized (this) {
            found = captures.stream().filter(c -> camera.equals(c.get("camera")) && file.equals(c.get("file")))
                    .findFirst().orElse(null);
            if (found != null && method.equals("DELETE")) {
                captures.remove(found);
                resp.setStatus(204);
                return;
            }
        }
        if (found == null) {
            problem(resp, 404, "not-found", "no capture " + camera + "/" + file, null);
        } else if ("true".equals(req.getParameter("sidecar"))) {
            json(resp, 200, Map.of("camera", camera, "file", file, "timestamp", found.get("timestamp"), "width", 640,
                    "height", 480));
        } else {
            resp.setContentType("image/jpeg");
            resp.getOutputStream().write(jpeg(file, 2));
        }
    }

    private void startSequence(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Map<String, Object> body = body(req);
        Object lightList = body.get("lights");
        if (!(lightList instanceof List<?> ls) || ls.isEmpty()) {
            problem(resp, 400, "invalid-argument", "lights must name at least one light", "lights");
            return;
        }
        String id = "seq-" + counter.incrementAndGet();
        String folder = "sets/" + body.getOrDefault("prefix", "set") + "_" + counter.get();
        Map<String, Object> seq = new LinkedHashMap<>();
        synchronized (this) {
            seq.put("id", id);
            seq.put("kind", "photometric");
            seq.put("state", "running");
            seq.put("started", Instant.now().toString());
            seq.put("url", "/api/v1/sequences/" + id);
            seq.put("request", body);
            seq.put("progress", progress("started", 0, ls.size(), null, folder));
            sequences.put(id, seq);
            resp.setHeader("Location", "/api/v1/sequences/" + id);
            json(resp, 202, seq);
        }
        Thread run = new Thread(() -> {
            try {
                List<String> files = new ArrayList<>();
                for (int i = 0; i < ls.size() && !stopped; i++) {
                    Thread.sleep(400);
                    step(id, progress("capturing", i + 1, ls.size(), String.valueOf(ls.get(i)), folder));
                    Thread.sleep(400);
                    files.add(String.format("%02d_%s.jpg", i + 1, ls.get(i)));
                    step(id, progress("captured", i + 1, ls.size(), String.valueOf(ls.get(i)), folder));
                }
                synchronized (this) {
                    sets.put(folder.substring(5), files);
                    seq.put("state", "completed");
                    seq.put("finished", Instant.now().toString());
                    seq.put("result", Map.of("success", true, "message", "done", "setFolder", folder, "images", files));
                }
                step(id, progress("completed", ls.size(), ls.size(), null, folder));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "fake-sequence");
        run.setDaemon(true);
        run.start();
    }

    private void step(String id, Map<String, Object> progress) {
        synchronized (this) {
            sequences.get(id).put("progress", progress);
        }
        Map<String, Object> event = new LinkedHashMap<>(progress);
        event.put("sequence", id);
        emit("sequence/progress", event);
    }

    private static Map<String, Object> progress(String status, int step, int total, String light, String folder) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("status", status);
        p.put("step", step);
        p.put("total", total);
        p.put("currentLight", light);
        p.put("setFolder", folder);
        return p;
    }

    private void set(String method, String name, HttpServletResponse resp) throws IOException {
        synchronized (this) {
            List<String> files = sets.get(name);
            if (files == null) {
                problem(resp, 404, "not-found", "no image set '" + name + "'", null);
            } else if (method.equals("DELETE")) {
                sets.remove(name);
                resp.setStatus(204);
            } else {
                List<Object> out = new ArrayList<>();
                for (String f : files) {
                    out.add(Map.of("file", f, "path", "sets/" + name + "/" + f, "size", 1000, "mimeType", "image/jpeg",
                            "url", "/api/v1/sets/" + name + "/" + f));
                }
                out.add(Map.of("file", "manifest.json", "path", "sets/" + name + "/manifest.json", "size", 200,
                        "mimeType", "application/json", "url", "/api/v1/sets/" + name + "/manifest.json"));
                json(resp, 200, Map.of("name", name, "path", "sets/" + name, "files", out));
            }
        }
    }

    /** The set as a ZIP, as the real API streams it: {@code <set>/<file>} entries, then manifest.json. */
    private void archive(String name, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String bearer = req.getHeader("Authorization");
        String query = req.getQueryString() == null ? "" : req.getQueryString();
        if (!viewingOpen && !("Bearer " + TOKEN).equals(bearer) && !("&" + query + "&").contains("&token=" + TOKEN + "&")) {
            resp.setHeader("WWW-Authenticate", "Bearer realm=\"obscura\"");
            problem(resp, 401, "unauthorized", "viewing is closed: send the token", null);
            return;
        }
        List<String> files;
        synchronized (this) {
            files = sets.get(name) == null ? null : List.copyOf(sets.get(name));
        }
        if (files == null) {
            problem(resp, 404, "not-found", "no image set '" + name + "'", null);
            return;
        }
        resp.setContentType("application/zip");
        resp.setHeader("Content-Disposition", "attachment; filename=\"" + name + ".zip\"");
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(resp.getOutputStream())) {
            for (String f : files) {
                zip.putNextEntry(new java.util.zip.ZipEntry(name + "/" + f));
                zip.write(jpeg(f, 1));
                zip.closeEntry();
            }
            zip.putNextEntry(new java.util.zip.ZipEntry(name + "/manifest.json"));
            zip.write(("{\"set\":\"" + name + "\"}").getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
    }

    // ------------------------------------------------------------------------------------------ streams

    /** MJPEG as the server sends it: one part per frame, until the client goes away or the fake stops. */
    private void stream(String camera, HttpServletResponse resp) throws IOException {
        resp.setContentType("multipart/x-mixed-replace; boundary=frame");
        resp.setHeader("Cache-Control", "no-store");
        OutputStream out = resp.getOutputStream();
        try {
            for (int i = 0; !stopped && i < 600; i++) {
                byte[] jpeg = jpeg(camera, i);
                out.write(("--frame\r\nContent-Type: image/jpeg\r\nContent-Length: " + jpeg.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(jpeg);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Thread.sleep(200);
            }
        } catch (IOException e) {
            // the viewer left
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void events(HttpServletResponse resp) throws IOException {
        resp.setContentType("text/event-stream");
        resp.setCharacterEncoding("UTF-8");
        resp.setHeader("Cache-Control", "no-store");
        BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        clients.add(queue);
        OutputStream out = resp.getOutputStream();
        try {
            out.write("retry: 3000\n: connected\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            while (!stopped) {
                String next = queue.poll(1, TimeUnit.SECONDS);
                out.write((next == null ? ": heartbeat\n\n" : next).getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            // the client left
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            clients.remove(queue);
        }
    }

    /** A 640x480 JPEG of colour bars with the name and a moving marker: clearly not blank. */
    static byte[] jpeg(String label, int frame) {
        BufferedImage img = new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        Color[] bars = {Color.WHITE, Color.YELLOW, Color.CYAN, Color.GREEN, Color.MAGENTA, Color.RED, Color.BLUE};
        for (int i = 0; i < bars.length; i++) {
            g.setColor(bars[i]);
            g.fillRect(i * 640 / bars.length, 0, 640 / bars.length + 1, 360);
        }
        g.setColor(Color.DARK_GRAY);
        g.fillRect(0, 360, 640, 120);
        g.setColor(Color.WHITE);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 36));
        g.drawString(label + " #" + frame, 20, 430);
        g.fillOval((frame * 20) % 600, 370, 30, 30);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "jpg", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    // ------------------------------------------------------------------------------------------ JSON

    private static Map<String, Object> body(HttpServletRequest req) {
        try {
            String text = new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (text.isBlank()) {
                return Map.of();
            }
            Map<String, Object> map = JSON.toType(text, Json.MAP_TYPE);
            return map == null ? Map.of() : map;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static void json(HttpServletResponse resp, int status, Object body) {
        try {
            resp.setStatus(status);
            resp.setContentType("application/json");
            resp.setCharacterEncoding("UTF-8");
            resp.getOutputStream().write(JSON.toJson(body).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void problem(HttpServletResponse resp, int status, String kind, String detail, String field)
            throws IOException {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", "urn:obscura:problem:" + kind);
        p.put("title", kind);
        p.put("status", status);
        p.put("detail", detail);
        if (field != null) {
            p.put("field", field);
        }
        resp.setStatus(status);
        resp.setContentType("application/problem+json");
        resp.getOutputStream().write(JSON.toJson(p).getBytes(StandardCharsets.UTF_8));
    }
}
