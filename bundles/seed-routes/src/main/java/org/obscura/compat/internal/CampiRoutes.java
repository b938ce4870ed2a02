package org.obscura.compat.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;

import org.obscura.camera.api.CameraDescriptor;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraStatus;
import org.obscura.camera.api.DeviceInfo;
import org.obscura.camera.api.DriverInfo;
import org.obscura.camera.api.FrameImages;
import org.obscura.camera.api.FrameSubscription;

/**
 * campi's routes: {@code /video_feed} (MJPEG), {@code /lossless_frame} (PNG), {@code /raw_frame} (BGR bytes with
 * {@code X-Height}, {@code X-Width}, {@code X-Channels}, {@code X-Dtype}), {@code /current_config},
 * {@code /configure} (POST), {@code /devices} and {@code /info}, for the served camera.
 */
final class CampiRoutes {

    static final int MAX_BODY = 64 * 1024;

    private static final Pattern RESOLUTION = Pattern.compile("(\\d{1,5})[xX](\\d{1,5})");
    private static final Pattern CODEC = Pattern.compile("[A-Za-z0-9_ ]{1,8}");

    private final ServedCamera camera;
    private final FrameImages images;
    private final MjpegStreams streams;
    private final CameraReconfiguration reconfiguration;

    CampiRoutes(ServedCamera camera, FrameImages images, MjpegStreams streams, CameraReconfiguration reconfiguration) {
        this.camera = camera;
        this.images = images;
        this.streams = streams;
        this.reconfiguration = reconfiguration;
    }

    void addTo(RouteTable table) {
        table.add("/video_feed", ErrorStyle.CAMPI, this::videoFeed, "GET")
                .add("/lossless_frame", ErrorStyle.CAMPI, this::losslessFrame, "GET")
                .add("/raw_frame", ErrorStyle.CAMPI, this::rawFrame, "GET")
                .add("/current_config", ErrorStyle.CAMPI, this::currentConfig, "GET")
                .add("/configure", ErrorStyle.CAMPI, this::configure, "POST")
                .add("/devices", ErrorStyle.CAMPI, this::devices, "GET")
                .add("/info", ErrorStyle.CAMPI, this::info, "GET");
    }

    /** MJPEG of the served camera until the client leaves; "no signal" placeholders while it is offline. */
    static void stream(ServedCamera camera, MjpegStreams streams, Exchange x) {
        FrameSubscription subscription = streams.subscribe(camera.status().name());
        streams.stream(x.response(), subscription, null, 0);
    }

    private void videoFeed(Exchange x) {
        stream(camera, streams, x);
    }

    private void losslessFrame(Exchange x) throws IOException {
        ByteBuffer png = camera.withFrame(f -> images.png(f.frame()));
        x.bytes(200, "image/png", png);
    }

    private record Raw(ByteBuffer bgr, int width, int height) {
    }

    private void rawFrame(Exchange x) throws IOException {
        Raw raw = camera.withFrame(f -> new Raw(images.bgr(f.frame()), f.frame().width(), f.frame().height()));
        x.response().setHeader("X-Height", Integer.toString(raw.height()));
        x.response().setHeader("X-Width", Integer.toString(raw.width()));
        x.response().setHeader("X-Channels", "3");
        x.response().setHeader("X-Dtype", "uint8");
        x.bytes(200, "application/octet-stream", raw.bgr());
    }

    private void currentConfig(Exchange x) throws IOException {
        CameraDescriptor d = described(camera.status());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("device", d.device());
        body.put("codec", d.mode().format().fourcc());
        body.put("width", d.mode().width());
        body.put("height", d.mode().height());
        body.put("fps", number(d.mode().fps()));
        x.json(200, body);
    }

    /** As campi's: every value a number as OpenCV reports it (floats), keys in alphabetical order. */
    private void info(Exchange x) throws IOException {
        CameraStatus s = camera.status();
        CameraDescriptor d = described(s);
        Map<String, Object> body = new TreeMap<>();
        body.put("camera", s.name());
        body.put("codec", d.mode().format().fourcc());
        body.put("device", d.device());
        body.put("device_name", deviceName(d));
        body.put("fps", d.mode().fps());
        body.put("height", (double) d.mode().height());
        body.put("width", (double) d.mode().width());
        x.json(200, body);
    }

    /**
     * Every device of every available driver, keyed by its name with spaces turned into '_' as campi keys
     * its V4L2 card names ({@code C922_Pro_Stream_Webcam}); a second device of the same name gets {@code _2}.
     * Drivers that fail to discover are left out.
     */
    private void devices(Exchange x) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        for (DriverInfo driver : camera.registry().drivers()) {
            if (!driver.available()) {
                continue;
            }
            List<DeviceInfo> found;
            try {
                found = camera.registry().discover(driver.id());
            } catch (CameraException e) {
                continue;
            }
            for (DeviceInfo device : found) {
                String key = device.name().trim().replace(' ', '_');
                if (key.isEmpty()) {
                    key = device.device();
                }
                String unique = key;
                for (int n = 2; body.containsKey(unique); n++) {
                    unique = key + "_" + n;
                }
                body.put(unique, device(device));
            }
        }
        x.json(200, body);
    }

    private static Map<String, Object> device(DeviceInfo device) {
        List<Object> formats = new ArrayList<>();
        for (DeviceInfo.Format f : device.formats()) {
            List<Object> resolutions = new ArrayList<>();
            for (DeviceInfo.Size size : f.sizes()) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("resolution", size.width() + "x" + size.height());
                r.put("fps", size.fps());
                resolutions.add(r);
            }
            Map<String, Object> format = new LinkedHashMap<>();
            format.put("codec", f.fourcc());
            format.put("desc", f.description() == null ? f.fourcc() : f.description());
            format.put("resolutions", resolutions);
            formats.add(format);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device", device.device());
        m.put("driver", device.driver());
        m.put("formats", formats);
        return m;
    }

    /**
     * {@code {device, codec, resolution: "WxH", fps}}, each optional but at least one: written into the served
     * camera's configuration ({@code device}, {@code format}, {@code width}, {@code height}, {@code fps}) after
     * the driver checked them. Other members are ignored, as campi ignores them.
     */
    private void configure(Exchange x) throws IOException {
        JsonNode body;
        try {
            body = Exchange.JSON.readTree(x.body(MAX_BODY));
        } catch (JacksonException e) {
            throw SeedException.badRequest("the body is not valid JSON: " + e.getOriginalMessage());
        }
        if (body == null || !body.isObject()) {
            throw SeedException.badRequest("the body must be a JSON object: {\"device\", \"codec\", \"resolution\", \"fps\"}");
        }
        CameraStatus status = camera.status();
        Map<String, Object> changes = new HashMap<>();
        String device = text(body, "device", 4096);
        if (device != null) {
            // A camera whose configuration leaves the device to its driver's default keeps it that way when the
            // client only repeats what /current_config said.
            Dictionary<String, Object> stored = reconfiguration.stored(status).orElse(null);
            boolean named = stored != null && stored.get("device") != null;
            if (named || status.descriptor() == null || !device.equals(status.descriptor().device())) {
                changes.put("device", device);
            }
        }
        String codec = text(body, "codec", 8);
        if (codec != null) {
            if (!CODEC.matcher(codec).matches()) {
                throw SeedException.badRequest("codec must be a fourcc such as MJPG or YUYV, not '"
                        + GphotoCommands.printable(codec) + "'");
            }
            changes.put("format", codec.trim().toUpperCase(Locale.ROOT));
        }
        String resolution = text(body, "resolution", 16);
        if (resolution != null) {
            Matcher m = RESOLUTION.matcher(resolution.trim());
            if (!m.matches() || Integer.parseInt(m.group(1)) == 0 || Integer.parseInt(m.group(2)) == 0) {
                throw SeedException.badRequest("resolution must be WIDTHxHEIGHT with positive numbers, e.g. 1280x720, not '"
                        + GphotoCommands.printable(resolution) + "'");
            }
            changes.put("width", Integer.parseInt(m.group(1)));
            changes.put("height", Integer.parseInt(m.group(2)));
        }
        JsonNode fps = body.get("fps");
        if (fps != null && !fps.isNull()) {
            double value;
            if (fps.isNumber()) {
                value = fps.asDouble();
            } else if (fps.isTextual()) {
                try {
                    value = Double.parseDouble(fps.asText().trim());
                } catch (NumberFormatException e) {
                    throw SeedException.badRequest("fps must be a number, not '" + GphotoCommands.printable(fps.asText()) + "'");
                }
            } else {
                throw SeedException.badRequest("fps must be a number");
            }
            if (!(value > 0 && value <= 1000)) {
                throw SeedException.badRequest("fps must be more than 0 and at most 1000");
            }
            changes.put("fps", value);
        }
        if (changes.isEmpty() && device == null) {
            throw SeedException.badRequest("nothing to configure: send device, codec, resolution and/or fps");
        }
        if (!changes.isEmpty()) {
            reconfiguration.apply(status, changes);
            awaitSize(status.name(), changes);
        }
        x.json(200, Map.of("status", "ok"));
    }

    /**
     * campi answered once the camera was open again in the new mode, and its clients read /current_config right
     * after. ConfigAdmin delivers the change asynchronously, so this waits (at most the frame timeout) until the
     * camera reports the size asked for; a driver that picks a nearby size, or a slow device, only costs the wait:
     * the configuration is written either way.
     */
    private void awaitSize(String name, Map<String, Object> changes) {
        if (!changes.containsKey("width")) {
            return;
        }
        long deadline = System.nanoTime() + camera.frameTimeout().toNanos();
        while (System.nanoTime() - deadline < 0) {
            CameraStatus now = camera.registry().camera(name).orElse(null);
            if (now != null && now.descriptor() != null && now.online()
                    && changes.get("width").equals(now.descriptor().mode().width())
                    && changes.get("height").equals(now.descriptor().mode().height())) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** A string member, {@code null} when absent; 400 when it is not a string, blank, too long or has controls. */
    private static String text(JsonNode body, String field, int maxLength) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw SeedException.badRequest(field + " must be a string");
        }
        String s = v.asText();
        if (s.isBlank() || s.length() > maxLength) {
            throw SeedException.badRequest(field + " must be 1 to " + maxLength + " characters");
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                throw SeedException.badRequest(field + " must not contain control characters");
            }
        }
        return s.trim();
    }

    static CameraDescriptor described(CameraStatus s) {
        if (s.descriptor() == null) {
            throw new CameraException(CameraException.Kind.UNAVAILABLE, "camera '" + s.name() + "' is not described yet");
        }
        return s.descriptor();
    }

    static String deviceName(CameraDescriptor d) {
        for (String key : List.of("card", "model")) {
            Object v = d.properties().get(key);
            if (v != null && !v.toString().isBlank()) {
                return v.toString();
            }
        }
        return d.label();
    }

    /** A whole number as an integer (campi prints {@code "fps": 30}), else the decimal. */
    static Number number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? (Number) (long) v : (Number) v;
    }
}
