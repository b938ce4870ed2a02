package org.obscura.rest.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.obscura.camera.api.AccessControl;
import org.obscura.camera.api.ApiDescription;
import org.obscura.camera.api.CameraRegistry;
import org.obscura.camera.api.CaptureService;
import org.obscura.camera.api.FrameImages;
import org.obscura.camera.api.ImageSets;
import org.obscura.camera.api.ImageStore;
import org.obscura.camera.api.LightController;
import org.obscura.camera.api.ObscuraEvents;
import org.obscura.camera.api.SequenceService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST v1 API as a route table: every resource wired to the services it uses. Independent of the servlet
 * container, so that it can be built from fakes in tests. {@code GET /v1} lists the routes and
 * {@code GET /v1/openapi.json} describes them, generated from the same table, together with the routes other
 * bundles serve under {@code /api/v1} as their {@link ApiDescription}s say.
 *
 * <p>Lights, the sequencer and image sets are optional services held in {@link ServiceSlot}s that the
 * component binds and unbinds while the API runs; Event Admin events reach {@link #publishEvent}.
 */
final class RestApi implements AutoCloseable {

    /**
     * Tunables.
     *
     * @param frameTimeout how long {@code /frame} waits for a picture
     * @param version      version reported by health and the index
     * @param started      when the server started
     * @param heartbeat    how often an idle event stream gets a comment line
     */
    record Settings(Duration frameTimeout, String version, Instant started, Duration heartbeat) {
        Settings(Duration frameTimeout, String version, Instant started) {
            this(frameTimeout, version, started, EventRelay.HEARTBEAT);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(RestApi.class);

    private final Router router = new Router();
    private final AccessControl access;
    private final LiveResource live;
    private final String version;
    private final ServiceSlot<LightController> lights = new ServiceSlot<>(LightResource.UNAVAILABLE);
    private final ServiceSlot<SequenceService> sequencer = new ServiceSlot<>(SequenceResource.UNAVAILABLE);
    private final ServiceSlot<ImageSets> imageSets = new ServiceSlot<>(ImageSetResource.UNAVAILABLE);
    private final SequenceResource sequences;
    private final EventRelay events;
    /** Routes served by other bundles, in the order they came (earlier ones win conflicts). */
    private final List<ApiDescription> descriptions = new CopyOnWriteArrayList<>();
    /**
     * The OpenAPI document per servlet base path; built on first request (the route table is final by then),
     * dropped whenever a description comes or goes.
     */
    private final Map<String, ObjectNode> openApi = new ConcurrentHashMap<>();

    RestApi(CameraRegistry registry, CaptureService capture, ImageStore store, CameraConfigurations configurations,
            FormSource forms, DriverDirectory drivers, AccessControl access, Settings settings, Clock clock) {
        this(registry, capture, store, null, configurations, forms, drivers, access, settings, clock);
    }

    /** @param images frame conversions (small JPEG, PNG, raw) and the codec name; {@code null}: those answer 503 */
    RestApi(CameraRegistry registry, CaptureService capture, ImageStore store, FrameImages images,
            CameraConfigurations configurations, FormSource forms, DriverDirectory drivers, AccessControl access,
            Settings settings, Clock clock) {
        this.version = settings.version();
        this.access = access;
        this.live = new LiveResource(registry, settings.frameTimeout(), images);
        this.sequences = new SequenceResource(sequencer, clock);
        this.events = new EventRelay(new JsonCodec(), settings.heartbeat(), EventRelay.QUEUE_CAPACITY,
                EventRelay.MAX_CLIENTS);
        router.add("GET", "/v1", this::index, RouteDoc.of("server", "Route list")
                        .answers(200, "the routes", RouteDoc.object("name", "string", "version", "string",
                                "routes", RouteDoc.arrayOf(RouteDoc.object("method", "string", "path", "string")))))
                .add("GET", "/v1/openapi.json", this::openApi, RouteDoc.of("server", "This OpenAPI 3 document")
                        .answers(200, "the document", RouteDoc.object("openapi", "string", "info", "object",
                                "paths", "object", "components", "object")));
        new HealthResource(registry, store, settings.version(), settings.started(), clock, images).addRoutes(router);
        new DriverResource(registry, forms).addRoutes(router);
        new CameraResource(registry, configurations, forms, drivers).addRoutes(router);
        live.addRoutes(router);
        new SnapshotResource(capture).addRoutes(router);
        new CaptureResource(store).addRoutes(router);
        new CameraControlResource(registry, capture).addRoutes(router);
        new LightResource(lights).addRoutes(router);
        sequences.addRoutes(router);
        new ImageSetResource(imageSets).addRoutes(router);
        events.addRoutes(router);
        new AuthResource(access).addRoutes(router);
    }

    /** Who may do what: consulted by the servlet for every route, and by {@code /v1/auth}. */
    AccessControl access() {
        return access;
    }

    Router router() {
        return router;
    }

    LiveResource live() {
        return live;
    }

    ServiceSlot<LightController> lights() {
        return lights;
    }

    ServiceSlot<SequenceService> sequencer() {
        return sequencer;
    }

    ServiceSlot<ImageSets> imageSets() {
        return imageSets;
    }

    EventRelay events() {
        return events;
    }

    /**
     * Relays an Event Admin event to the event stream clients. Sequence progress of a sequence started here
     * gets its id as {@code sequence}. Never blocks.
     */
    void publishEvent(String topic, Map<String, ?> properties) {
        if (ObscuraEvents.SEQUENCE_PROGRESS.equals(topic) && properties != null
                && properties.get("setFolder") instanceof String folder) {
            Optional<String> id = sequences.idOf(folder);
            if (id.isPresent()) {
                Map<String, Object> more = new LinkedHashMap<>(properties);
                more.put("sequence", id.get());
                events.publish(topic, more);
                return;
            }
        }
        events.publish(topic, properties);
    }

    /** Adds the routes another bundle serves to the OpenAPI document. Thread-safe. */
    void describe(ApiDescription description) {
        descriptions.add(description);
        openApi.clear();
    }

    /** Removes them again (the bundle's service went away). Thread-safe. */
    void forget(ApiDescription description) {
        descriptions.remove(description);
        openApi.clear();
    }

    /**
     * The OpenAPI document of this API and of the described routes as served under {@code base}. A document
     * built while a description came or went may be cached once more; the next change drops it again.
     */
    ObjectNode openApiDocument(String base) {
        return openApi.computeIfAbsent(base, b -> OpenApiDocument.of(router, b, version, List.copyOf(descriptions),
                conflict -> LOG.warn("OpenAPI document: {}", conflict)));
    }

    private Reply openApi(Call call) {
        return Reply.ok(openApiDocument(call.base()));
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
        events.close();
        live.close();
    }
}
