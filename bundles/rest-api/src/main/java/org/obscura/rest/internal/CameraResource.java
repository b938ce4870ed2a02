package org.obscura.rest.internal;

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
        router.add("GET", "/v1/cameras", this::list)
                .add("POST", "/v1/cameras", this::create)
                .add("GET", "/v1/cameras/{camera}", this::get)
                .add("PUT", "/v1/cameras/{camera}", this::update)
                .add("DELETE", "/v1/cameras/{camera}", this::delete);
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
        Map<String, Object> properties = form.convert(input, Map.of());
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
        String name = call.param("camera");
        Map<String, Object> body = call.jsonObject();
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
        Map<String, Object> properties = form.convert(input, existing == null ? Map.of() : existing);
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
