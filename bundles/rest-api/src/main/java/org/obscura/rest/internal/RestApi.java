package org.obscura.rest.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.obscura.camera.api.CameraRegistry;
import org.obscura.camera.api.CaptureService;
import org.obscura.camera.api.FrameImages;
import org.obscura.camera.api.ImageStore;

/**
 * The REST v1 API as a route table: every resource wired to the services it uses. Independent of the servlet
 * container, so that it can be built from fakes in tests. {@code GET /v1} lists the routes.
 */
final class RestApi implements AutoCloseable {

    /**
     * Tunables.
     *
     * @param frameTimeout how long {@code /frame} waits for a picture
     * @param version      version reported by health and the index
     * @param started      when the server started
     */
    record Settings(Duration frameTimeout, String version, Instant started) {
    }

    private final Router router = new Router();
    private final LiveResource live;
    private final String version;

    RestApi(CameraRegistry registry, CaptureService capture, ImageStore store, CameraConfigurations configurations,
            FormSource forms, DriverDirectory drivers, Settings settings, Clock clock) {
        this(registry, capture, store, null, configurations, forms, drivers, settings, clock);
    }

    /** @param images frame conversions (small JPEG, PNG, raw) and the codec name; {@code null}: those answer 503 */
    RestApi(CameraRegistry registry, CaptureService capture, ImageStore store, FrameImages images,
            CameraConfigurations configurations, FormSource forms, DriverDirectory drivers, Settings settings,
            Clock clock) {
        this.version = settings.version();
        this.live = new LiveResource(registry, settings.frameTimeout(), images);
        router.add("GET", "/v1", this::index);
        new HealthResource(registry, store, settings.version(), settings.started(), clock, images).addRoutes(router);
        new DriverResource(registry, forms).addRoutes(router);
        new CameraResource(registry, configurations, forms, drivers).addRoutes(router);
        live.addRoutes(router);
        new SnapshotResource(capture).addRoutes(router);
        new CaptureResource(store).addRoutes(router);
    }

    Router router() {
        return router;
    }

    LiveResource live() {
        return live;
    }

    private Reply index(Call call) {
        List<Map<String, String>> routes = new ArrayList<>();
        for (Router.Route r : router.routes()) {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("method", r.method());
            m.put("path", call.base() + r.template());
            routes.add(m);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", "Obscura REST API");
        body.put("version", version);
        body.put("routes", routes);
        return Reply.ok(body);
    }

    /** Ends open streams. */
    @Override
    public void close() {
        live.close();
    }
}
