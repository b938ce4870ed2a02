package org.obscura.ws.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.obscura.camera.api.CameraDescriptor;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraStatus;
import org.obscura.camera.api.Capability;
import org.obscura.camera.api.CaptureResult;
import org.obscura.camera.api.ImageData;
import org.obscura.camera.api.ImageSet;
import org.obscura.camera.api.ImageSetFile;
import org.obscura.camera.api.LightController;
import org.obscura.camera.api.SequenceProgress;
import org.obscura.camera.api.SequenceRequest;
import org.obscura.camera.api.SequenceResult;
import org.obscura.camera.api.SequenceService;
import org.obscura.camera.api.Setting;
import org.obscura.camera.api.SettingType;
import org.obscura.camera.api.StoredCapture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket protocol: parses a client's message ({@code {"action", "payload", "request_id"}}), runs the
 * action against the camera services and answers {@code {"action", "success", "data", "error", "request_id"}}
 * through the socket's {@link Outbox}. Every request gets exactly one response (CAPTURE_PHOTOMETRIC_SET's comes
 * when the sequence ends, after its {@code photometric_progress} messages); a bad message gets
 * {@code success: false} with an error naming the field, and never closes the socket.
 *
 * <p>{@link #handle} runs on the session's request thread and may block for as long as a device takes (a DSLR
 * capture: seconds). Thread-safe: it keeps no state of its own besides its collaborators.
 */
final class ActionDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(ActionDispatcher.class);

    /** Action of liveview frames (seed spelling). */
    static final String LIVEVIEW_FRAME = "liveview_frame";
    /** Action of a sequence's progress messages (seed spelling). */
    static final String PHOTOMETRIC_PROGRESS = "photometric_progress";
    /** Action of pushed Event Admin events. */
    static final String EVENT = "event";

    /** Longest image path accepted. */
    private static final int MAX_PATH = 1024;
    /** Largest file GET_IMAGE_DATA sends (base64 makes it a third larger on the wire). */
    static final long MAX_IMAGE_BYTES = 64L << 20;

    private final Services services;
    private final AccessPolicy policy;
    private final int maxMessageChars;
    private final ObjectMapper json;

    /** Marks an action whose response is sent later (when a sequence ends). */
    private static final Object LATER = new Object();

    ActionDispatcher(Services services, AccessPolicy policy, int maxMessageChars) {
        this.services = services;
        this.policy = policy;
        this.maxMessageChars = maxMessageChars;
        // Nesting and number limits well inside what a 64 KiB message could abuse.
        this.json = JsonMapper.builder(JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(64).maxNumberLength(100).build()).build()).build();
    }

    ObjectMapper json() {
        return json;
    }

    /** One parsed request. */
    private record Request(Action action, String actionName, ObjectNode payload, JsonNode requestId) {
    }

    /** Handles one text message from the client; the response goes to the session's outbox. */
    void handle(ClientSession session, String text) {
        Request request;
        try {
            request = parse(text);
        } catch (Refused r) {
            session.outbox().send(response(r.actionName, false, null, r.getMessage(), r.requestId));
            return;
        }
        String refusal = policy.refusal(request.action, session);
        if (refusal != null) {
            reply(session, request, false, null, refusal);
            return;
        }
        try {
            Object data = run(session, request);
            if (data != LATER) {
                reply(session, request, true, data, null);
            }
        } catch (CameraException e) {
            reply(session, request, false, null, e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("WebSocket action {} failed unexpectedly", request.actionName, e);
            reply(session, request, false, null,
                    "Internal error while running " + request.actionName + "; the server log has the details.");
        }
    }

    /** Answers a message that could not be queued because the client has too many requests waiting. */
    void refuseBusy(ClientSession session, String text) {
        String actionName = null;
        JsonNode requestId = null;
        try {
            Request r = parse(text);
            actionName = r.actionName;
            requestId = r.requestId;
        } catch (Refused r) {
            actionName = r.actionName;
            requestId = r.requestId;
        }
        session.outbox().send(response(actionName, false, null,
                "Too many requests waiting on this connection; wait for responses before sending more.", requestId));
    }

    /** A message that is not a valid request; carries what could be read of it for the error response. */
    private static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final transient JsonNode requestId;
        final String actionName;

        Refused(String message, String actionName, JsonNode requestId) {
            super(message, null, false, false);
            this.actionName = actionName;
            this.requestId = requestId;
        }
    }

    private Request parse(String text) throws Refused {
        if (text.length() > maxMessageChars) {
            throw new Refused("Message too large: " + text.length() + " characters, at most " + maxMessageChars
                    + " are accepted.", null, null);
        }
        JsonNode root;
        try {
            root = json.readTree(text);
        } catch (JacksonException e) {
            throw new Refused("Invalid JSON: " + e.getOriginalMessage(), null, null);
        }
        if (root == null || !root.isObject()) {
            throw new Refused("Message must be a JSON object with 'action', 'payload' and 'request_id'.", null,
                    null);
        }
        JsonNode requestId = root.get("request_id");
        if (requestId != null && !requestId.isNull() && !requestId.isTextual() && !requestId.isNumber()) {
            throw new Refused("Field 'request_id' must be a string.", textOrNull(root.get("action")), null);
        }
        requestId = requestId == null || requestId.isNull() ? null : requestId;
        JsonNode actionNode = root.get("action");
        if (actionNode == null || actionNode.isNull()) {
            throw new Refused("Field 'action' is required.", null, requestId);
        }
        if (!actionNode.isTextual()) {
            throw new Refused("Field 'action' must be a string.", null, requestId);
        }
        String actionName = actionNode.textValue();
        Action action = Action.named(actionName);
        if (action == null) {
            throw new Refused("Unknown action '" + clip(actionName) + "'. Known actions: " + Action.NAMES + ".",
                    clip(actionName), requestId);
        }
        JsonNode payload = root.get("payload");
        if (payload == null || payload.isNull()) {
            payload = json.createObjectNode();
        } else if (!payload.isObject()) {
            throw new Refused("Field 'payload' must be a JSON object.", actionName, requestId);
        }
        return new Request(action, actionName, (ObjectNode) payload, requestId);
    }

    private Object run(ClientSession session, Request r) {
        ObjectNode p = r.payload;
        return switch (r.action) {
        case AUTH -> authenticate(session, p);
        case GET_CAMERAS -> getCameras();
        case SELECT_CAMERA -> selectCamera(session, p);
        case DESELECT_CAMERA -> deselectCamera(session);
        case GET_CONFIG -> getConfig(session, p);
        case SET_CONFIG -> setConfig(session, p);
        case CAPTURE_IMAGE -> captureImage(session, p);
        case START_LIVEVIEW -> startLiveview(session);
        case STOP_LIVEVIEW -> Map.of("message",
                session.stopLiveview() ? "Liveview stream stopped." : "Liveview was not active.");
        case GET_LIGHT_STATES -> lightStates();
        case SET_LIGHT_STATE -> setLight(p);
        case CAPTURE_PHOTOMETRIC_SET -> photometricSet(session, r);
        case LIST_IMAGE_SETS -> listImageSets();
        case GET_IMAGE_SET_CONTENTS -> imageSetContents(p);
        case DELETE_IMAGE_SET -> deleteImageSet(p);
        case GET_IMAGE_DATA -> imageData(p);
        case SUBSCRIBE_EVENTS -> {
            session.subscribeEvents(true);
            yield Map.of("message", "Subscribed to events.", "topics", List.of("org/obscura/*"));
        }
        case UNSUBSCRIBE_EVENTS -> {
            session.subscribeEvents(false);
            yield Map.of("message", "Unsubscribed from events.");
        }
        };
    }

    // ---- cameras

    private List<Map<String, Object>> getCameras() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (CameraStatus s : services.registry.cameras()) {
            out.add(cameraEntry(s));
        }
        return out;
    }

    /**
     * A camera as GET_CAMERAS and SELECT_CAMERA describe it: the seed's {@code model} and {@code port} (for
     * gphoto2 cameras the camera model and libgphoto2 port; for others the model the driver reports, else the
     * label, and the device) plus Obscura's name, driver and state.
     */
    static Map<String, Object> cameraEntry(CameraStatus s) {
        CameraDescriptor d = s.descriptor();
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("name", s.name());
        e.put("model", model(s));
        e.put("port", port(s));
        e.put("label", d == null ? s.name() : d.label());
        e.put("driver", d == null ? null : d.driver());
        e.put("state", s.state().name().toLowerCase(Locale.ROOT));
        e.put("online", s.online());
        List<String> caps = new ArrayList<>();
        if (d != null) {
            for (Capability c : Capability.values()) {
                if (d.can(c)) {
                    caps.add(c.name().toLowerCase(Locale.ROOT));
                }
            }
        }
        e.put("capabilities", caps);
        return e;
    }

    private static String model(CameraStatus s) {
        CameraDescriptor d = s.descriptor();
        if (d == null) {
            return s.name();
        }
        Object model = d.properties().get("model");
        return model instanceof String m && !m.isBlank() ? m : d.label();
    }

    private static String port(CameraStatus s) {
        CameraDescriptor d = s.descriptor();
        if (d == null) {
            return "";
        }
        Object port = d.properties().get("port");
        if ("gphoto2".equals(d.driver()) && port instanceof String p && !p.isBlank()) {
            return p;
        }
        return d.device();
    }

    private Map<String, Object> selectCamera(ClientSession session, ObjectNode p) {
        String name = optionalString(p, "name");
        String model = optionalString(p, "model");
        String port = optionalString(p, "port");
        List<CameraStatus> cameras = services.registry.cameras();
        CameraStatus chosen = null;
        if (name == null && model == null && port == null) {
            chosen = cameras.stream().filter(CameraStatus::online).findFirst()
                    .orElse(cameras.isEmpty() ? null : cameras.get(0));
            if (chosen == null) {
                throw new CameraException(CameraException.Kind.UNAVAILABLE, "No camera available to select.");
            }
        } else {
            for (CameraStatus s : cameras) {
                if ((name == null || name.equals(s.name())) && (model == null || model.equals(model(s)))
                        && (port == null || port.equals(port(s)))) {
                    chosen = s;
                    break;
                }
            }
            if (chosen == null) {
                List<String> asked = new ArrayList<>();
                if (name != null) {
                    asked.add("name '" + clip(name) + "'");
                }
                if (model != null) {
                    asked.add("model '" + clip(model) + "'");
                }
                if (port != null) {
                    asked.add("port '" + clip(port) + "'");
                }
                throw CameraException.notFound("No camera found with " + String.join(" and ", asked) + ".");
            }
        }
        session.select(chosen.name());
        Map<String, Object> data = cameraEntry(chosen);
        data.put("message", "Camera '" + chosen.name() + "' selected.");
        return data;
    }

    private Map<String, Object> deselectCamera(ClientSession session) {
        String was = session.selected();
        session.select(null);
        return Map.of("message", was == null ? "No camera was selected." : "Camera deselected successfully.");
    }

    /** The selected camera's name; refuses when there is none. */
    private static String selected(ClientSession session) {
        String camera = session.selected();
        if (camera == null) {
            throw new CameraException(CameraException.Kind.CONFLICT,
                    "No camera selected. Send SELECT_CAMERA first.");
        }
        return camera;
    }

    // ---- settings

    private Object getConfig(ClientSession session, ObjectNode p) {
        String name = optionalString(p, "config_name");
        String camera = selected(session);
        List<Setting> settings = services.registry.settings(camera);
        if (name == null) {
            List<Map<String, Object>> out = new ArrayList<>();
            settings.forEach(s -> out.add(settingEntry(s)));
            return out;
        }
        return settings.stream().filter(s -> s.name().equals(name)).findFirst().map(ActionDispatcher::settingEntry)
                .orElseThrow(() -> CameraException.notFound("Config '" + clip(name) + "' not found."));
    }

    /** A setting in the seed's shape ({@code name, label, value, type, readonly, options}) plus range and group. */
    static Map<String, Object> settingEntry(Setting s) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("name", s.name());
        e.put("label", s.label());
        e.put("value", s.value());
        e.put("type", s.type().name().toLowerCase(Locale.ROOT));
        e.put("readonly", s.readOnly());
        e.put("options", s.options());
        if (s.min() != null) {
            e.put("min", s.min());
            e.put("max", s.max());
            e.put("step", s.step());
        }
        if (s.group() != null) {
            e.put("group", s.group());
        }
        return e;
    }

    private Map<String, Object> setConfig(ClientSession session, ObjectNode p) {
        String name = requiredString(p, "config_name");
        JsonNode v = p.get("value");
        Object value;
        if (v == null || v.isNull()) {
            throw CameraException.invalid("value", "Field 'value' is required.");
        } else if (v.isTextual()) {
            value = v.textValue();
        } else if (v.isBoolean()) {
            value = v.booleanValue();
        } else if (v.isIntegralNumber() && v.canConvertToLong()) {
            value = v.longValue();
        } else if (v.isNumber()) {
            value = v.doubleValue();
        } else {
            throw CameraException.invalid("value", "Field 'value' must be a string, number or boolean.");
        }
        String camera = selected(session);
        try {
            return settingEntry(services.registry.setSetting(camera, name, value));
        } catch (CameraException e) {
            if (e.kind() == CameraException.Kind.INVALID_ARGUMENT) {
                throw new CameraException(e.kind(), "Failed to set config '" + clip(name) + "'. " + e.getMessage()
                        + allowed(camera, name, e.getMessage()), "value", e);
            }
            if (e.kind() == CameraException.Kind.NOT_FOUND) {
                throw new CameraException(e.kind(), "Failed to set config '" + clip(name) + "'. " + e.getMessage(),
                        "config_name", e);
            }
            throw new CameraException(e.kind(), "Failed to set config '" + clip(name) + "'. " + e.getMessage(), e);
        }
    }

    /** The allowed values of a setting, for an error message that does not list them already. */
    private String allowed(String camera, String name, String message) {
        try {
            for (Setting s : services.registry.settings(camera)) {
                if (!s.name().equals(name)) {
                    continue;
                }
                if (s.readOnly()) {
                    return message.contains("read") ? "" : " It is read-only.";
                }
                if (s.type() == SettingType.MENU && !s.options().isEmpty()) {
                    String list = String.join(", ", s.options());
                    return message.contains(list) ? "" : " Allowed values: " + list + ".";
                }
                if (s.min() != null && s.max() != null) {
                    return " Allowed range: " + s.min() + " to " + s.max()
                            + (s.step() != null ? " in steps of " + s.step() : "") + ".";
                }
                if (s.type() == SettingType.BOOLEAN) {
                    return " Allowed values: true, false.";
                }
            }
        } catch (CameraException ignored) {
            // the settings cannot be read again: the first message stands alone
        }
        return "";
    }

    // ---- capture and liveview

    private Map<String, Object> captureImage(ClientSession session, ObjectNode p) {
        boolean download = optionalBoolean(p, "download", true);
        String camera = selected(session);
        Map<String, Object> data = new LinkedHashMap<>();
        if (download) {
            CaptureResult r = services.capture.capture(camera, Map.of());
            StoredCapture s = r.stored();
            data.put("message", "Image captured and downloaded.");
            data.put("file_path", s.path());
            data.put("url", s.url());
            data.put("camera", s.camera());
            data.put("width", r.width());
            data.put("height", r.height());
            data.put("timestamp", r.timestamp().toString());
        } else {
            String onDevice = services.capture.captureOnDevice(camera);
            data.put("message", "Image captured on the camera (not downloaded).");
            data.put("file_path", onDevice);
            data.put("camera", camera);
        }
        return data;
    }

    private Map<String, Object> startLiveview(ClientSession session) {
        String camera = selected(session);
        Optional<CameraStatus> status = services.registry.camera(camera);
        if (status.isEmpty()) {
            throw CameraException.notFound("Camera '" + camera + "' no longer exists; select another one.");
        }
        CameraDescriptor d = status.get().descriptor();
        if (d != null && !d.can(Capability.STREAM) && !d.can(Capability.PREVIEW)) {
            throw new CameraException(CameraException.Kind.UNSUPPORTED,
                    "Camera '" + camera + "' does not support preview.");
        }
        boolean started = session.startLiveview(camera, services.registry);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("message", started ? "Liveview stream initiated." : "Liveview stream already active.");
        data.put("camera", camera);
        return data;
    }

    // ---- lights

    private Map<String, Object> lightStates() {
        LightController lights = services.lights();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("states", new LinkedHashMap<>(lights.states()));
        data.put("gpio_available", lights.hardwareAvailable());
        return data;
    }

    private Map<String, Object> setLight(ObjectNode p) {
        String light = requiredString(p, "light_name");
        boolean on = requiredBoolean(p, "state");
        LightController lights = services.lights();
        try {
            lights.set(light, on);
        } catch (CameraException e) {
            if (e.kind() == CameraException.Kind.NOT_FOUND) {
                throw new CameraException(e.kind(), "Invalid light name: " + clip(light) + ". Known lights: "
                        + String.join(", ", lights.states().keySet()) + ".", "light_name", e);
            }
            throw e;
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("light_name", light);
        data.put("new_state", on);
        data.put("gpio_available", lights.hardwareAvailable());
        data.put("message", "Light '" + light + "' turned " + (on ? "ON" : "OFF") + ".");
        return data;
    }

    // ---- photometric sets

    private Object photometricSet(ClientSession session, Request r) {
        ObjectNode p = r.payload;
        List<String> lights = requiredStringList(p, "light_sequence");
        String prefix = optionalString(p, "set_name_prefix");
        List<String> cameras = optionalStringList(p, "cameras");
        Duration settle = null;
        JsonNode settleNode = p.get("settle_seconds");
        if (settleNode != null && !settleNode.isNull()) {
            if (!settleNode.isNumber() || settleNode.doubleValue() < 0 || settleNode.doubleValue() > 60) {
                throw CameraException.invalid("settle_seconds", "Field 'settle_seconds' must be a number from 0 to 60.");
            }
            settle = Duration.ofNanos(Math.round(settleNode.doubleValue() * 1e9));
        }
        if (cameras == null) {
            String selected = session.selected();
            cameras = selected == null ? List.of() : List.of(selected);
        }
        SequenceService sequences = services.sequences();
        SequenceRequest request = new SequenceRequest(lights, prefix, cameras, settle);
        CompletionStage<SequenceResult> done = sequences.start(request,
                progress -> session.outbox().send(progressMessage(progress, r.requestId)));
        done.whenComplete((result, failure) -> {
            if (failure != null) {
                Throwable cause = failure.getCause() != null && failure instanceof CompletionException
                        ? failure.getCause() : failure;
                LOG.warn("photometric sequence ended abnormally", cause);
                reply(session, r, false, null, "Photometric sequence failed: "
                        + (cause instanceof CameraException ? cause.getMessage() : cause.getClass().getSimpleName()));
                return;
            }
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("message", result.message());
            data.put("set_folder", result.setFolder());
            data.put("image_count", result.images().size());
            data.put("images_captured", result.images());
            if (result.success()) {
                reply(session, r, true, data, null);
            } else {
                reply(session, r, false, data, "Photometric sequence failed: "
                        + (result.error() != null ? result.error() : result.message()));
            }
        });
        return LATER;
    }

    /**
     * A progress message in the seed's shape: {@code status} like {@code processing_light_1_of_3} or
     * {@code error_processing_light_1}, {@code current_light}, {@code set_folder}, {@code error_detail}, plus the
     * sequencer's own {@code phase}, {@code step} and {@code total}.
     */
    String progressMessage(SequenceProgress p, JsonNode requestId) {
        boolean failed = "failed".equals(p.status());
        String status = switch (p.status() == null ? "" : p.status()) {
        case "capturing" -> "processing_light_" + p.step() + "_of_" + p.total();
        case "captured" -> "captured_light_" + p.step() + "_of_" + p.total();
        case "failed" -> p.step() > 0 ? "error_processing_light_" + p.step() : "failed";
        default -> p.status();
        };
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", status);
        data.put("current_light", p.currentLight());
        data.put("set_folder", p.setFolder());
        data.put("error_detail", p.errorDetail());
        data.put("phase", p.status());
        data.put("step", p.step());
        data.put("total", p.total());
        return response(PHOTOMETRIC_PROGRESS, !failed, data, failed ? p.errorDetail() : null, requestId);
    }

    // ---- image sets and images

    private List<Map<String, Object>> listImageSets() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ImageSet s : services.imageSets().sets()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", s.name());
            e.put("path", s.path());
            e.put("created", s.created() == null ? null : s.created().toString());
            e.put("image_count", s.imageCount());
            e.put("status", s.status());
            out.add(e);
        }
        return out;
    }

    private List<Map<String, Object>> imageSetContents(ObjectNode p) {
        String set = requiredString(p, "set_name");
        List<ImageSetFile> files;
        try {
            files = services.imageSets().contents(set);
        } catch (CameraException e) {
            throw rename(e, "set_name", e.kind() == CameraException.Kind.NOT_FOUND
                    ? "Set '" + clip(set) + "' not found or empty." : e.getMessage());
        }
        if (files.isEmpty()) {
            throw CameraException.notFound("Set '" + clip(set) + "' not found or empty.");
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (ImageSetFile f : files) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("filename", f.file());
            e.put("path", f.path());
            e.put("size", f.size());
            e.put("mimetype", f.mimeType());
            out.add(e);
        }
        return out;
    }

    private Map<String, Object> deleteImageSet(ObjectNode p) {
        String set = requiredString(p, "set_name");
        boolean existed;
        try {
            existed = services.imageSets().delete(set);
        } catch (CameraException e) {
            throw rename(e, "set_name", "Failed to delete set '" + clip(set) + "'. " + e.getMessage());
        }
        if (!existed) {
            throw new CameraException(CameraException.Kind.NOT_FOUND,
                    "Failed to delete set '" + clip(set) + "'. It does not exist.", "set_name", null);
        }
        return Map.of("message", "Set '" + set + "' deleted successfully.");
    }

    private Map<String, Object> imageData(ObjectNode p) {
        String path = requiredString(p, "image_path");
        if (path.length() > MAX_PATH || path.isEmpty() || path.indexOf('\0') >= 0 || path.indexOf('\\') >= 0
                || path.startsWith("/") || List.of(path.split("/", -1)).contains("..")) {
            throw CameraException.invalid("image_path", "Image not found or access denied: " + clip(path)
                    + " ('image_path' must be a path relative to the data dir, under 'captures/' or 'sets/').");
        }
        ImageData image;
        if (path.startsWith("sets/")) {
            try {
                image = services.imageSets().image(path);
            } catch (CameraException e) {
                throw rename(e, "image_path", "Image not found or access denied: " + clip(path) + ". "
                        + e.getMessage());
            }
        } else if (path.startsWith("captures/")) {
            image = capture(path);
        } else {
            throw CameraException.invalid("image_path", "Image not found or access denied: " + clip(path)
                    + " ('image_path' must start with 'captures/' or 'sets/').");
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("filename", image.file());
        data.put("image_b64", Base64.getEncoder().encodeToString(image.data()));
        data.put("mimetype", image.mimeType());
        data.put("path", image.path());
        data.put("size", image.data().length);
        return data;
    }

    /** A stored capture {@code captures/<camera>/<file>}: only images the image store lists as captures. */
    private ImageData capture(String path) {
        String[] parts = path.split("/", -1);
        String mime = parts.length == 3 ? imageMime(parts[2]) : null;
        if (mime == null) {
            throw CameraException.invalid("image_path", "Image not found or access denied: " + clip(path)
                    + " (captures are 'captures/<camera>/<file>.jpg').");
        }
        Optional<StoredCapture> stored;
        try {
            stored = services.store.capture(parts[1], parts[2]);
        } catch (CameraException e) {
            throw rename(e, "image_path", "Image not found or access denied: " + clip(path) + ". " + e.getMessage());
        }
        if (stored.isEmpty()) {
            throw new CameraException(CameraException.Kind.NOT_FOUND, "Image not found or access denied: "
                    + clip(path) + ".", "image_path", null);
        }
        Path file = services.store.resolve(stored.get().path());
        try {
            long size = Files.size(file);
            if (size > MAX_IMAGE_BYTES) {
                throw new CameraException(CameraException.Kind.INVALID_ARGUMENT, "Image " + clip(path) + " is "
                        + size + " bytes, more than the " + MAX_IMAGE_BYTES + " this API sends.", "image_path", null);
            }
            return new ImageData(parts[2], stored.get().path(), mime, Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new CameraException(CameraException.Kind.NOT_FOUND, "Image not found or access denied: "
                    + clip(path) + ".", "image_path", e);
        } catch (IOException e) {
            throw new CameraException(CameraException.Kind.IO, "Image " + clip(path) + " cannot be read.", e);
        }
    }

    private static String imageMime(String file) {
        String f = file.toLowerCase(Locale.ROOT);
        if (f.endsWith(".jpg") || f.endsWith(".jpeg")) {
            return "image/jpeg";
        }
        if (f.endsWith(".png")) {
            return "image/png";
        }
        return null;
    }

    // ---- events

    /**
     * The message pushed for an Event Admin event: {@code {"action": "event", "success": true, "data":
     * {"topic": ..., <properties>}}}. Properties that JSON cannot carry are sent as their string form.
     */
    String eventMessage(String topic, Map<String, Object> properties) {
        ObjectNode data = json.createObjectNode();
        data.put("topic", topic);
        properties.forEach((k, v) -> {
            if ("event.topics".equals(k) || "topic".equals(k)) {
                return;
            }
            try {
                data.set(k, v instanceof Instant i ? json.getNodeFactory().textNode(i.toString()) : json.valueToTree(v));
            } catch (IllegalArgumentException e) {
                data.put(k, String.valueOf(v));
            }
        });
        return response(EVENT, true, data, null, null);
    }

    // ---- responses

    private void reply(ClientSession session, Request r, boolean success, Object data, String error) {
        session.outbox().send(response(r.actionName, success, data, error, r.requestId));
    }

    /** A message in the protocol's envelope, always with all five keys. */
    String response(String action, boolean success, Object data, String error, JsonNode requestId) {
        ObjectNode n = json.createObjectNode();
        n.put("action", action);
        n.put("success", success);
        n.set("data", data == null ? NullNode.getInstance() : json.valueToTree(data));
        n.put("error", error);
        n.set("request_id", requestId == null ? NullNode.getInstance() : requestId);
        try {
            return json.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    // ---- payload fields

    private static String optionalString(ObjectNode p, String field) {
        JsonNode n = p.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw CameraException.invalid(field, "Field '" + field + "' must be a string.");
        }
        return n.textValue();
    }

    /** AUTH: a token from {@code POST /api/v1/auth/token}; every later action on this socket runs as its owner. */
    private Object authenticate(ClientSession session, ObjectNode p) {
        String token = requiredString(p, "token");
        String refusal = policy.authenticate(token, session);
        if (refusal != null) {
            throw CameraException.invalid("token", refusal);
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("authenticated", true);
        data.put("user", "admin");
        return data;
    }

    private static String requiredString(ObjectNode p, String field) {
        String s = optionalString(p, field);
        if (s == null || s.isEmpty()) {
            throw CameraException.invalid(field, "Field '" + field + "' is required.");
        }
        return s;
    }

    private static boolean optionalBoolean(ObjectNode p, String field, boolean otherwise) {
        JsonNode n = p.get(field);
        if (n == null || n.isNull()) {
            return otherwise;
        }
        if (!n.isBoolean()) {
            throw CameraException.invalid(field, "Field '" + field + "' must be true or false.");
        }
        return n.booleanValue();
    }

    private static boolean requiredBoolean(ObjectNode p, String field) {
        JsonNode n = p.get(field);
        if (n == null || n.isNull()) {
            throw CameraException.invalid(field, "Field '" + field + "' is required (true or false).");
        }
        return optionalBoolean(p, field, false);
    }

    private static List<String> optionalStringList(ObjectNode p, String field) {
        JsonNode n = p.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isArray()) {
            throw CameraException.invalid(field, "Field '" + field + "' must be a list of strings.");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : n) {
            if (!e.isTextual() || e.textValue().isEmpty()) {
                throw CameraException.invalid(field, "Field '" + field + "' must be a list of non-empty strings.");
            }
            out.add(e.textValue());
        }
        return out;
    }

    private static List<String> requiredStringList(ObjectNode p, String field) {
        List<String> list = optionalStringList(p, field);
        if (list == null || list.isEmpty()) {
            throw CameraException.invalid(field, "Field '" + field + "' is required: a non-empty list of light names.");
        }
        return list;
    }

    private static CameraException rename(CameraException e, String field, String message) {
        return new CameraException(e.kind(), message, e.field() != null ? e.field() : field, e);
    }

    private static String textOrNull(JsonNode n) {
        return n != null && n.isTextual() ? clip(n.textValue()) : null;
    }

    /** Client text quoted in messages, cut short so an error never echoes a whole large message. */
    static String clip(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "...";
    }
}
