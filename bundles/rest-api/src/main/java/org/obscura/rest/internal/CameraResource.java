package org.obscura.rest.internal;

import static org.obscura.rest.internal.RouteDoc.arrayOf;
import static org.obscura.rest.internal.RouteDoc.object;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

import org.obscura.camera.api.CameraConfig;
import org.obscura.camera.api.CameraDescriptor;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraRegistry;
import org.obscura.camera.api.CameraStatus;
import org.obscura.camera.api.Capability;
import org.obscura.camera.api.DriverInfo;
import org.obscura.camera.spi.CameraDriver;
import org.osgi.service.cm.Configuration;

/**
 * {@code /v1/cameras}: the cameras as the registry sees them, merged with their configurations, and the
 * creation, update and removal of camera configurations.
 *
 * <p>A configuration is written only after everything about it was checked: the driver, the name, every
 * property against the driver's metatype form, and then the driver's own {@link CameraDriver#validate}. Writes
 * are serialised so that two requests cannot both claim one name. The camera itself appears once its driver
 * has picked the configuration up (asynchronously).
 */
final class CameraResource {

    /** The properties {@code PUT /mode} changes. */
    static final List<String> MODE_KEYS = List.of("format", "width", "height", "fps");

    private static final Map<String, Object> PROPERTIES = Map.of("type", "object",
            "required", List.of("driver", "name"), "additionalProperties", true,
            "properties", Map.of("driver", Map.of("type", "string"), "name", Map.of("type", "string")));
    private static final Map<String, Object> CONFIG = object("pid", "string", "factoryPid", "string",
            "driver", "string", "properties", "object");
    private static final Map<String, Object> CAMERA = object("name", "string", "label", "string", "driver", "string",
            "device", "string", "state", Map.of("type", "string", "enum", List.of("online", "streaming", "offline")),
            "enabled", "boolean", "configurable", "boolean",
            "mode", object("format", "string", "width", "integer", "height", "integer", "fps", "number"),
            "capabilities", "string[]", "stereo", "boolean", "stereoOrder", "integer", "interruptService", "string",
            "viewers", "integer", "fps", "number", "frames", "integer", "lastFrame", "string", "lastError", "string",
            "urls", object("stream", "string", "frame", "string", "snapshot", "string"),
            "properties", "object", "configuration", CONFIG);

    private final CameraRegistry registry;
    private final CameraConfigurations configurations;
    private final FormSource forms;
    private final DriverDirectory drivers;
    private final Object writes = new Object();

    CameraResource(CameraRegistry registry, CameraConfigurations configurations, FormSource forms,
            DriverDirectory drivers) {
        this.registry = registry;
        this.configurations = configurations;
        this.forms = forms;
        this.drivers = drivers;
    }

    void addRoutes(Router router) {
        router.add("GET", "/v1/cameras", this::list, RouteDoc.of("cameras", "Cameras, running and configured")
                        .answers(200, "the cameras", arrayOf(CAMERA)))
                .add("POST", "/v1/cameras", this::create, RouteDoc.of("cameras", "Create a camera configuration")
                        .description("Body: driver, name and the driver's properties (see GET /v1/drivers/{driver}); "
                                + "checked against the driver's form and its validate().")
                        .body(true, PROPERTIES)
                        .answers(201, "the configuration written; Location is the camera", CONFIG)
                        .errors(400).error(409, "the name or its file is taken").errors(413, 502)
                        .error(503, "the driver is not running"))
                .add("GET", "/v1/cameras/{camera}", this::get, RouteDoc.of("cameras", "One camera, with driver facts and its configuration")
                        .answers(200, "the camera", CAMERA).errors(400, 404))
                .add("PUT", "/v1/cameras/{camera}", this::update, RouteDoc.of("cameras", "Replace a camera's configuration")
                        .body(true, PROPERTIES)
                        .answers(200, "the configuration written", CONFIG)
                        .errors(400, 404).error(409, "not configurable (built into its driver)").errors(413, 502, 503))
                .add("PUT", "/v1/cameras/{camera}/mode", this::mode, RouteDoc.of("cameras", "Change a running camera's capture mode")
                        .description("Updates only format, width, height and fps of its configuration (at least one), "
                                + "checked like PUT /v1/cameras/{camera}; the driver then restarts the camera in the new mode.")
                        .body(true, object("format", "string", "width", "integer", "height", "integer", "fps", "number"))
                        .answers(200, "the configuration written", CONFIG)
                        .errors(400, 404).error(409, "not configurable (built into its driver)").errors(413, 502, 503))
                .add("DELETE", "/v1/cameras/{camera}", this::delete, RouteDoc.of("cameras", "Delete a camera's configuration")
                        .answers(204, "application/json", "deleted", null)
                        .errors(404).error(409, "built-in camera without configuration").errors(502));
    }

    /** Every camera: registered ones and configured ones that are not running (disabled, driver missing). */
    Reply list(Call call) {
        Map<String, String> driverByPid = driverByFactoryPid();
        Map<String, Configuration> configured = new LinkedHashMap<>();
        for (Configuration c : configurations.all(driverByPid.keySet())) {
            Map<String, Object> p = CameraConfigurations.properties(c);
            if (p != null && p.get(CameraConfig.NAME) instanceof String name) {
                configured.putIfAbsent(name, c);
            }
        }
        Map<String, CameraStatus> running = new LinkedHashMap<>();
        for (CameraStatus s : registry.cameras()) {
            running.put(s.name(), s);
        }
        TreeSet<String> names = new TreeSet<>(running.keySet());
        names.addAll(configured.keySet());
        List<Views.CameraView> out = new ArrayList<>();
        for (String name : names) {
            out.add(view(name, running.get(name), configured.get(name), driverByPid, call.base(), false));
        }
        return Reply.ok(out);
    }

    Reply get(Call call) {
        String name = call.param("camera");
        Map<String, String> driverByPid = driverByFactoryPid();
        Optional<CameraStatus> status = registry.camera(name);
        List<Configuration> found = configurations.named(name, driverByPid.keySet());
        if (status.isEmpty() && found.isEmpty()) {
            throw CameraException.notFound("no camera '" + name + "'");
        }
        Configuration c = found.isEmpty() ? null : found.get(0);
        return Reply.ok(view(name, status.orElse(null), c, driverByPid, call.base(), true));
    }

    /** POST: creates a camera configuration; 201 with its Location and the configuration written. */
    Reply create(Call call) {
        Map<String, Object> body = call.jsonObject();
        DriverInfo driver = driverNamedIn(body);
        Object n = body.get(CameraConfig.NAME);
        if (!(n instanceof String name)) {
            throw CameraException.invalid(CameraConfig.NAME, n == null
                    ? "name is required: the new camera's name"
                    : "name must be a string, not " + JsonCodec.describe(n));
        }
        if (!CameraConfig.isValidName(name)) {
            throw CameraException.invalid(CameraConfig.NAME, "invalid camera name '" + Router.printable(name)
                    + "': use 1 to 63 lower case letters, digits, '_' or '-', starting with a letter or digit");
        }
        ensureNameFree(name);
        ConfigurationForm form = form(driver);
        Map<String, Object> input = new LinkedHashMap<>(body);
        input.remove("driver");
        Map<String, Object> properties = convert(form, driver, input, Map.of());
        validateWithDriver(driver, properties);
        Configuration written;
        synchronized (writes) {
            ensureNameFree(name);
            written = configurations.create(driver.factoryPid(), name, properties);
        }
        return Reply.created(configView(written, driver.id(), form), call.base() + "/v1/cameras/" + name);
    }

    /** PUT: replaces a camera's configuration (password properties left out keep their value). */
    Reply update(Call call) {
        return replace(call.param("camera"), call.jsonObject());
    }

    /**
     * PUT /mode {format?, width?, height?, fps?}: the camera's configuration with only these changed, through
     * the same checks as a full update. The driver picks the change up and restarts the camera in the new mode.
     */
    Reply mode(Call call) {
        String name = call.param("camera");
        Map<String, Object> body = call.jsonObject();
        if (body.isEmpty()) {
            throw ApiException.invalid(null, "the mode request needs at least one of " + String.join(", ", MODE_KEYS));
        }
        for (String key : body.keySet()) {
            if (!MODE_KEYS.contains(key)) {
                throw ApiException.invalid(key, "unknown member '" + Router.printable(key)
                        + "' in the mode request; allowed: " + String.join(", ", MODE_KEYS));
            }
            if (body.get(key) == null) {
                throw ApiException.invalid(key, key + " must not be null; leave it out to keep the current value");
            }
        }
        Map<String, Object> existing = CameraConfigurations.properties(theConfiguration(name));
        Map<String, Object> input = new LinkedHashMap<>();
        if (existing != null) {
            existing.forEach((k, v) -> input.put(k, jsonValue(v)));
        }
        input.putAll(body);
        return replace(name, input);
    }

    /** A stored property value as the JSON value it was made from: arrays and collections become lists. */
    static Object jsonValue(Object v) {
        if (v != null && v.getClass().isArray()) {
            List<Object> list = new ArrayList<>();
            for (int i = 0; i < java.lang.reflect.Array.getLength(v); i++) {
                list.add(java.lang.reflect.Array.get(v, i));
            }
            return list;
        }
        if (v instanceof java.util.Collection<?> c) {
            return new ArrayList<>(c);
        }
        return v;
    }

    /** Replaces a camera's configuration with {@code body}, after every check. */
    private Reply replace(String name, Map<String, Object> body) {
        Object n = body.get(CameraConfig.NAME);
        if (n != null && !name.equals(n)) {
            throw CameraException.invalid(CameraConfig.NAME, "the name in the body ('" + Router.printable(String.valueOf(n))
                    + "') differs from the camera's ('" + name + "'); a camera cannot be renamed, create a new one instead");
        }
        Configuration c = theConfiguration(name);
        String driverId = driverByFactoryPid().get(c.getFactoryPid());
        DriverInfo driver = driverId == null ? null : registry.driver(driverId).orElse(null);
        if (driver == null) {
            throw new CameraException(CameraException.Kind.UNAVAILABLE,
                    "the driver of camera '" + name + "' is not installed; its configuration cannot be checked now");
        }
        Object d = body.get("driver");
        if (d != null && !driver.id().equals(d)) {
            throw CameraException.invalid("driver", "camera '" + name + "' belongs to driver '" + driver.id()
                    + "' and cannot change driver; delete it and create it again with the other driver");
        }
        ConfigurationForm form = form(driver);
        Map<String, Object> input = new LinkedHashMap<>(body);
        input.remove("driver");
        input.put(CameraConfig.NAME, name);
        Map<String, Object> existing = CameraConfigurations.properties(c);
        Map<String, Object> properties = convert(form, driver, input, existing == null ? Map.of() : existing);
        validateWithDriver(driver, properties);
        synchronized (writes) {
            configurations.update(c, properties);
        }
        return Reply.ok(configView(c, driver.id(), form));
    }

    /** DELETE: removes the camera's configuration; the driver then withdraws the camera. */
    Reply delete(Call call) {
        String name = call.param("camera");
        synchronized (writes) {
            List<Configuration> found = configurationsOf(name);
            for (Configuration c : found) {
                configurations.delete(c);
            }
        }
        return Reply.noContent();
    }

    // ---- checks ----

    private DriverInfo driverNamedIn(Map<String, Object> body) {
        Object d = body.get("driver");
        if (!(d instanceof String id) || id.isBlank()) {
            throw CameraException.invalid("driver", (d == null ? "driver is required" : "driver must be a string")
                    + ": the id of one of the drivers " + driverIds());
        }
        return registry.driver(id).orElseThrow(() -> CameraException.invalid("driver",
                "unknown driver '" + Router.printable(id) + "'; known drivers: " + driverIds()));
    }

    private String driverIds() {
        List<String> ids = new ArrayList<>();
        for (DriverInfo d : registry.drivers()) {
            ids.add(d.id());
        }
        return ids.isEmpty() ? "(none installed)" : String.join(", ", ids);
    }

    private void ensureNameFree(String name) {
        Optional<CameraStatus> running = registry.camera(name);
        if (running.isPresent()) {
            String driver = running.get().descriptor() == null ? "" : " of driver '" + running.get().descriptor().driver() + "'";
            throw new CameraException(CameraException.Kind.CONFLICT,
                    "the name '" + name + "' is taken by a camera" + driver, CameraConfig.NAME, null);
        }
        List<Configuration> found = configurations.named(name, driverByFactoryPid().keySet());
        if (!found.isEmpty()) {
            throw new CameraException(CameraException.Kind.CONFLICT, "the name '" + name
                    + "' is taken by the configuration " + found.get(0).getPid(), CameraConfig.NAME, null);
        }
    }

    /**
     * The one configuration of a camera, for an update.
     *
     * @throws CameraException NOT_FOUND (no such camera), CONFLICT (a camera without configuration, or
     *                         several configurations claiming the name)
     */
    private Configuration theConfiguration(String name) {
        List<Configuration> found = configurationsOf(name);
        if (found.size() > 1) {
            List<String> pids = new ArrayList<>();
            found.forEach(c -> pids.add(c.getPid()));
            throw new CameraException(CameraException.Kind.CONFLICT, "camera '" + name + "' has " + found.size()
                    + " configurations (" + String.join(", ", pids) + "); remove all but one first");
        }
        return found.get(0);
    }

    /** The configurations of a camera; never empty. */
    private List<Configuration> configurationsOf(String name) {
        List<Configuration> found = configurations.named(name, driverByFactoryPid().keySet());
        if (found.isEmpty()) {
            if (registry.camera(name).isPresent()) {
                throw new CameraException(CameraException.Kind.CONFLICT, "camera '" + name
                        + "' is not configurable: it has no configuration (it is built into its driver)");
            }
            throw CameraException.notFound("no camera configuration '" + name + "'");
        }
        return found;
    }

    private ConfigurationForm form(DriverInfo driver) {
        return new ConfigurationForm(driver.id(), driver.factoryPid(),
                forms.definition(driver.id(), driver.factoryPid()).orElse(null));
    }

    /**
     * Converts and checks the input against the driver's form. Metatype only says that a value is out of
     * bounds ("greater than maximum"); when it refuses a value, the driver's own check is asked about the same
     * input, since it can say what is allowed ("width 99999 is out of range: 16 to 3840").
     */
    private Map<String, Object> convert(ConfigurationForm form, DriverInfo driver, Map<String, Object> input,
            Map<String, Object> existing) {
        try {
            return form.convert(input, existing);
        } catch (ConfigurationForm.DefinitionVerdict refused) {
            Map<String, Object> probe = new LinkedHashMap<>(existing);
            probe.putAll(input);
            try {
                validateWithDriver(driver, probe);
            } catch (CameraException explained) {
                if (explained.kind() == CameraException.Kind.INVALID_ARGUMENT
                        && refused.field().equals(explained.field())) {
                    throw explained;
                }
            } catch (RuntimeException driverCannotJudgeRawInput) {
                // The driver expects converted values; the form's own verdict stands.
            }
            throw refused;
        }
    }

    /**
     * The driver's own check, on the driver service (the registry does not expose it). INVALID_ARGUMENT from
     * it answers 400 with its field, other kinds their usual status.
     */
    private void validateWithDriver(DriverInfo info, Map<String, Object> properties) {
        CameraDriver driver = drivers.find(info.id()).map(DriverDirectory.Entry::driver)
                .orElseThrow(() -> new CameraException(CameraException.Kind.UNAVAILABLE,
                        "driver '" + info.id() + "' is not running right now; try again in a moment"));
        driver.validate(Collections.unmodifiableMap(properties));
    }

    private Map<String, String> driverByFactoryPid() {
        Map<String, String> out = new LinkedHashMap<>();
        for (DriverInfo d : registry.drivers()) {
            out.putIfAbsent(d.factoryPid(), d.id());
        }
        return out;
    }

    // ---- views ----

    private Views.ConfigView configView(Configuration c, String driverId, ConfigurationForm form) {
        Map<String, Object> p = CameraConfigurations.properties(c);
        Map<String, Object> shown = p == null ? Map.of() : form == null ? p : form.mask(p);
        return new Views.ConfigView(c.getPid(), c.getFactoryPid(), driverId, shown);
    }

    private Views.CameraView view(String name, CameraStatus status, Configuration c, Map<String, String> driverByPid,
            String base, boolean detail) {
        Map<String, Object> config = c == null ? null : CameraConfigurations.properties(c);
        String configDriver = c == null ? null : driverByPid.get(c.getFactoryPid());
        boolean enabled = config == null || !"false".equalsIgnoreCase(String.valueOf(config.get(CameraConfig.ENABLED)));
        Views.ConfigView configuration = null;
        if (detail && c != null) {
            DriverInfo info = configDriver == null ? null : registry.driver(configDriver).orElse(null);
            configuration = configView(c, configDriver, info == null ? null : form(info));
        }
        if (status != null) {
            CameraDescriptor d = status.descriptor();
            List<String> capabilities = new ArrayList<>();
            if (d != null) {
                for (Capability cap : Capability.values()) {
                    if (d.can(cap)) {
                        capabilities.add(cap.name().toLowerCase(Locale.ROOT));
                    }
                }
            }
            return new Views.CameraView(name, d == null ? name : d.label(), d == null ? configDriver : d.driver(),
                    d == null ? "" : d.device(), status.state().name().toLowerCase(Locale.ROOT), enabled, c != null,
                    d == null ? null : Views.ModeView.of(d.mode()), capabilities, d != null && d.stereo(),
                    d == null ? 0 : d.stereoOrder(), d == null ? null : d.interruptService(), status.viewers(),
                    Math.round(status.fps() * 10) / 10.0, status.frames(), status.lastFrame(), status.lastError(),
                    Views.Urls.of(base, name), detail ? (d == null ? Map.of() : d.properties()) : null, configuration);
        }
        // Configured but not running: show what the configuration says.
        Object label = config == null ? null : config.get(CameraConfig.LABEL);
        Object device = config == null ? null : config.get("device");
        boolean stereo = config != null && "true".equalsIgnoreCase(String.valueOf(config.get(CameraConfig.STEREO)));
        int order = config != null && config.get(CameraConfig.STEREO_ORDER) instanceof Number o ? o.intValue() : 0;
        Object interrupt = config == null ? null : config.get(CameraConfig.INTERRUPT_SERVICE);
        String why = !enabled ? "disabled in its configuration"
                : configDriver == null ? "its driver is not installed"
                : "configured, but driver '" + configDriver + "' has not started it";
        return new Views.CameraView(name, label instanceof String l && !l.isBlank() ? l : name, configDriver,
                device instanceof String s ? s : "", "offline", enabled, true, null, List.of(), stereo, order,
                interrupt instanceof String i && !i.isBlank() ? i : null, 0, 0, 0, null, why,
                Views.Urls.of(base, name), detail ? Map.of() : null, configuration);
    }
}
