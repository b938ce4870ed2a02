package org.obscura.rest.internal;

import static org.obscura.rest.internal.RouteDoc.object;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.LightController;

/**
 * {@code /v1/lights}: the named lights of the lights bundle, read and switched. The controller is optional and
 * dynamic: without it both routes answer 503, and they work as soon as it appears.
 */
final class LightResource {

    static final String UNAVAILABLE = "lights are not available (no lights bundle running)";

    private static final Map<String, Object> STATE_MAP =
            Map.of("type", "object", "additionalProperties", Map.of("type", "boolean"));
    private static final Map<String, Object> STATES = object("states", STATE_MAP, "gpio_available", "boolean");

    private final ServiceSlot<LightController> lights;

    LightResource(ServiceSlot<LightController> lights) {
        this.lights = lights;
    }

    void addRoutes(Router router) {
        router.add("GET", "/v1/lights", this::list, RouteDoc.of("lights", "Every light and whether it is on")
                        .description("gpio_available is false when the lights are only kept as virtual states.")
                        .answers(200, "the lights", STATES).error(503, UNAVAILABLE))
                .add("PUT", "/v1/lights/{light}", this::set, RouteDoc.of("lights", "Switch one light")
                        .body(true, object(List.of("on"), "on", "boolean"))
                        .answers(200, "the light and every light's state", object(
                                "light", "string", "on", "boolean", "states", STATE_MAP, "gpio_available", "boolean"))
                        .errors(400, 404, 413, 502).error(503, UNAVAILABLE));
    }

    Reply list(Call call) {
        LightController c = lights.require();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("states", c.states());
        out.put("gpio_available", c.hardwareAvailable());
        return Reply.ok(out);
    }

    /** PUT {"on": true|false}. */
    Reply set(Call call) {
        String light = call.param("light");
        Map<String, Object> body = call.jsonObject();
        for (String key : body.keySet()) {
            if (!key.equals("on")) {
                throw ApiException.invalid(key, "unknown member '" + Router.printable(key)
                        + "' in the light request; only 'on' is allowed");
            }
        }
        Object on = body.get("on");
        if (!(on instanceof Boolean b)) {
            throw ApiException.invalid("on", on == null ? "on is required: true or false"
                    : "on must be true or false, not " + JsonCodec.describe(on));
        }
        LightController c = lights.require();
        Map<String, Boolean> before = c.states();
        if (!before.containsKey(light)) {
            throw new CameraException(CameraException.Kind.NOT_FOUND, "no light '" + light + "'; lights: "
                    + (before.isEmpty() ? "(none configured)" : String.join(", ", before.keySet())), "light", null);
        }
        c.set(light, b);
        Map<String, Boolean> states = c.states();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("light", light);
        out.put("on", states.getOrDefault(light, b));
        out.put("states", states);
        out.put("gpio_available", c.hardwareAvailable());
        return Reply.ok(out);
    }
}
