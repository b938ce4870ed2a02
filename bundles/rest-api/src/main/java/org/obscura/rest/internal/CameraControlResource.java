package org.obscura.rest.internal;

import static org.obscura.rest.internal.RouteDoc.arrayOf;
import static org.obscura.rest.internal.RouteDoc.object;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraRegistry;
import org.obscura.camera.api.CameraStatus;
import org.obscura.camera.api.CaptureService;
import org.obscura.camera.api.Setting;

/**
 * A camera's settings and controls (V4L2 controls, gphoto2 configuration) in the generic {@link Setting}
 * model, and its device actions: reset, and capture onto the device's own card.
 *
 * <p>Writes go straight to {@link CameraRegistry#setSetting}, which checks the value against the device. Only
 * when it refuses one are the camera's settings read (a second device round trip) to tell the client the
 * settings there are, or the values the setting allows; a successful write costs one round trip. Every call
 * blocks for as long as the device takes.
 */
final class CameraControlResource {

    private static final Map<String, Object> SETTING = object(
            "name", "string", "label", "string",
            "type", Map.of("type", "string", "enum", List.of("TEXT", "INTEGER", "RANGE", "BOOLEAN", "MENU", "BUTTON")),
            "value", RouteDoc.scalar(), "options", "string[]", "min", "number", "max", "number", "step", "number",
            "readOnly", "boolean", "group", "string");

    private final CameraRegistry registry;
    private final CaptureService capture;

    CameraControlResource(CameraRegistry registry, CaptureService capture) {
        this.registry = registry;
        this.capture = capture;
    }

    void addRoutes(Router router) {
        router.add("GET", "/v1/cameras/{camera}/settings", this::list, RouteDoc.of("cameras", "A camera's settings and controls")
                        .description("Read from the device: name, label, type, current value, allowed options or "
                                + "min/max/step, whether read-only, group.")
                        .answers(200, "the settings", arrayOf(SETTING)).errors(400, 404, 501, 502, 503, 504))
                .add("GET", "/v1/cameras/{camera}/settings/{setting}", this::get,
                        RouteDoc.of("cameras", "One setting of a camera")
                                .answers(200, "the setting", SETTING).errors(400, 404, 501, 502, 503, 504))
                .add("PUT", "/v1/cameras/{camera}/settings/{setting}", this::set,
                        RouteDoc.of("cameras", "Write one setting")
                                .description("Body {\"value\": ...}: a string (parsed for every type), number or "
                                        + "boolean; any value triggers a BUTTON. Answers the setting as read back.")
                                .body(true, object(List.of("value"), "value", RouteDoc.scalar()))
                                .answers(200, "the setting as read back from the device", SETTING)
                                .error(400, "value not allowed (the problem lists the allowed values) or read-only")
                                .errors(404, 413, 501, 502, 503, 504))
                .add("POST", "/v1/cameras/{camera}/reset", this::reset,
                        RouteDoc.of("cameras", "Reset a camera's device connection")
                                .description("Closes the device and opens it again; viewers stay connected.")
                                .answers(200, "the camera after the reset", object("camera", "string", "state", "string"))
                                .errors(400, 404, 501, 502, 503, 504))
                .add("POST", "/v1/cameras/{camera}/capture-on-device", this::captureOnDevice,
                        RouteDoc.of("captures", "Take a still and leave it on the device's card")
                                .answers(200, "where the picture is on the device", object("camera", "string", "path", "string"))
                                .errors(400, 404, 501, 502, 503, 504));
    }

    Reply list(Call call) {
        return Reply.ok(registry.settings(call.param("camera")));
    }

    Reply get(Call call) {
        String camera = call.param("camera");
        String name = call.param("setting");
        List<Setting> all = registry.settings(camera);
        return Reply.ok(find(all, name).orElseThrow(() -> noSuchSetting(camera, name, all)));
    }

    /** PUT {"value": ...}: writes, answers the value read back. */
    Reply set(Call call) {
        String camera = call.param("camera");
        String name = call.param("setting");
        Map<String, Object> body = call.jsonObject();
        for (String key : body.keySet()) {
            if (!key.equals("value")) {
                throw ApiException.invalid(key, "unknown member '" + Router.printable(key)
                        + "' in the setting request; only 'value' is allowed");
            }
        }
        if (!body.containsKey("value")) {
            throw ApiException.invalid("value", "value is required: the new value of setting '" + name + "'");
        }
        Object value = body.get("value");
        if (value == null || value instanceof List || value instanceof Map) {
            throw ApiException.invalid("value", "value of setting '" + name
                    + "' must be a string, number or boolean, not " + JsonCodec.describe(value));
        }
        if (registry.camera(camera).isEmpty()) {
            throw CameraException.notFound("no camera '" + camera + "'");
        }
        try {
            return Reply.ok(registry.setSetting(camera, name, value));
        } catch (CameraException e) {
            throw explained(e, camera, name, value);
        }
    }

    Reply reset(Call call) {
        String camera = call.param("camera");
        registry.reset(camera);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("camera", camera);
        out.put("state", registry.camera(camera).map(CameraStatus::state)
                .map(s -> s.name().toLowerCase(Locale.ROOT)).orElse("offline"));
        return Reply.ok(out);
    }

    Reply captureOnDevice(Call call) {
        String camera = call.param("camera");
        String path = capture.captureOnDevice(camera);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("camera", camera);
        out.put("path", path);
        return Reply.ok(out);
    }

    /**
     * A refused write with what the client needs to fix it: the settings the camera has, or the values the
     * setting allows. Reading them is best effort; if that fails too the device's own refusal is answered.
     */
    private CameraException explained(CameraException e, String camera, String name, Object value) {
        if (e.kind() != CameraException.Kind.NOT_FOUND && e.kind() != CameraException.Kind.INVALID_ARGUMENT) {
            return e;
        }
        List<Setting> all;
        try {
            all = registry.settings(camera);
        } catch (RuntimeException again) {
            return e;
        }
        Optional<Setting> setting = find(all, name);
        if (setting.isEmpty()) {
            return noSuchSetting(camera, name, all);
        }
        Setting s = setting.get();
        String why = e.getMessage() == null || e.getMessage().isBlank() ? "refused" : e.getMessage();
        String message;
        if (s.readOnly()) {
            message = "setting '" + name + "' of camera '" + camera + "' is read-only";
        } else {
            message = "value '" + Router.printable(String.valueOf(value)) + "' is not allowed for setting '" + name
                    + "' of camera '" + camera + "' (" + why + "); allowed: " + allowed(s);
        }
        return new CameraException(CameraException.Kind.INVALID_ARGUMENT, message, "value", e);
    }

    /** The values a setting takes, in words. */
    static String allowed(Setting s) {
        return switch (s.type()) {
            case MENU -> s.options().isEmpty() ? "(no options)" : String.join(", ", s.options());
            case BOOLEAN -> "true, false";
            case INTEGER -> "integers from " + s.min() + " to " + s.max() + (s.step() == null ? "" : " in steps of " + s.step());
            case RANGE -> "numbers from " + s.min() + " to " + s.max() + (s.step() == null ? "" : " in steps of " + s.step());
            case TEXT -> "any text";
            case BUTTON -> "any value (it triggers the action)";
        };
    }

    private static Optional<Setting> find(List<Setting> all, String name) {
        for (Setting s : all) {
            if (s.name().equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    private static CameraException noSuchSetting(String camera, String name, List<Setting> all) {
        List<String> names = new ArrayList<>();
        all.forEach(s -> names.add(s.name()));
        return new CameraException(CameraException.Kind.NOT_FOUND, "camera '" + camera + "' has no setting '" + name
                + "'; its settings: " + (names.isEmpty() ? "(none)" : String.join(", ", names)), "setting", null);
    }
}
