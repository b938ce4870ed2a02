package org.obscura.rest.internal;

import static org.obscura.rest.internal.RouteDoc.arrayOf;
import static org.obscura.rest.internal.RouteDoc.object;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraRegistry;
import org.obscura.camera.api.DriverInfo;

/**
 * {@code /v1/drivers}: the installed camera drivers, each driver's configuration form (from metatype), and
 * the devices it can see now.
 */
final class DriverResource {

    private static final Map<String, Object> DRIVER = object("id", "string", "name", "string",
            "factoryPid", "string", "available", "boolean", "status", "string", "bundle", "string",
            "version", "string", "form", "object");

    private final CameraRegistry registry;
    private final FormSource forms;

    DriverResource(CameraRegistry registry, FormSource forms) {
        this.registry = registry;
        this.forms = forms;
    }

    void addRoutes(Router router) {
        router.add("GET", "/v1/drivers", this::list, RouteDoc.of("drivers", "Camera drivers")
                        .answers(200, "the drivers", arrayOf(DRIVER)))
                .add("GET", "/v1/drivers/{driver}", this::get, RouteDoc.of("drivers", "One driver and its configuration form")
                        .description("form: the driver's metatype (pid, name, description, attributes with id, "
                                + "name, type, cardinality, default, options, required).")
                        .answers(200, "the driver with its form", DRIVER).errors(400, 404))
                .add("GET", "/v1/drivers/{driver}/devices", this::devices,
                        RouteDoc.of("drivers", "Devices the driver sees now, with formats, sizes and rates")
                                .answers(200, "the devices", arrayOf("object")).errors(400, 404, 503));
    }

    Reply list(Call call) {
        List<Views.DriverView> out = new ArrayList<>();
        for (DriverInfo d : registry.drivers()) {
            out.add(view(d, false));
        }
        return Reply.ok(out);
    }

    Reply get(Call call) {
        return Reply.ok(view(driver(call.param("driver")), true));
    }

    /** May take a moment: the driver probes its devices. */
    Reply devices(Call call) {
        String id = driver(call.param("driver")).id();
        return Reply.ok(registry.discover(id));
    }

    private DriverInfo driver(String id) {
        return registry.driver(id).orElseThrow(() -> CameraException.notFound("no driver '" + id + "'"));
    }

    private Views.DriverView view(DriverInfo d, boolean withForm) {
        return new Views.DriverView(d.id(), d.name(), d.factoryPid(), d.available(), d.status(), d.bundle(),
                d.version(), withForm
                        ? new ConfigurationForm(d.id(), d.factoryPid(), forms.definition(d.id(), d.factoryPid()).orElse(null))
                                .describe()
                        : null);
    }
}
