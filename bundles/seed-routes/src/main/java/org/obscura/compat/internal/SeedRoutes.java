package org.obscura.compat.internal;

import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import jakarta.servlet.Servlet;

import org.obscura.camera.api.AccessControl;
import org.obscura.camera.api.CameraRegistry;
import org.obscura.camera.api.CaptureService;
import org.obscura.camera.api.FrameImages;
import org.obscura.camera.api.ImageStore;
import org.obscura.camera.spi.CameraDriver;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants;
import org.osgi.service.servlet.whiteboard.annotations.RequireHttpWhiteboard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the routes of the camera servers Obscura replaces, so that their clients keep working: campi,
 * Camera Server for FourCutTogether, CamServe and the Snapshot Server (see the bundle's README for every route).
 * It registers one {@link SeedServlet} on the Servlet Whiteboard with one precise pattern per route under the
 * configured prefix; a configuration change re-creates the component and so the registration.
 *
 * <p>{@code ConfigurationAdmin} is optional ({@code /configure} answers 503 without it); driver services are
 * tracked dynamically for {@link CameraDriver#validate}.
 */
@Component(configurationPid = SeedRoutes.PID, service = {}, immediate = true)
@Designate(ocd = SeedRoutes.Config.class)
@RequireHttpWhiteboard
public class SeedRoutes {

    /** Configuration PID. */
    static final String PID = "org.obscura.compat";
    /** Servlet name on the whiteboard. */
    static final String SERVLET_NAME = "org.obscura.compat.seeds";

    private static final Logger LOG = LoggerFactory.getLogger(SeedRoutes.class);
    private static final Pattern PREFIX = Pattern.compile("(/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*");

    @ObjectClassDefinition(id = PID, name = "Obscura seed-compatible routes",
            description = "The routes of campi, Camera Server for FourCutTogether, CamServe and the Snapshot Server.")
    @interface Config {
        @AttributeDefinition(name = "Camera", description = "The camera the single-camera routes serve; empty for "
                + "the first camera by name.", required = false)
        String camera() default "";

        @AttributeDefinition(name = "Path prefix", description = "Path the routes are under, e.g. /compat; empty "
                + "for the root, where the seeds' clients expect them.", required = false)
        String prefix() default "";

        @AttributeDefinition(name = "campi routes", description = "/video_feed, /lossless_frame, /raw_frame, "
                + "/current_config, /configure, /devices, /info.")
        boolean campi_enabled() default true;

        @AttributeDefinition(name = "FourCutTogether routes", description = "/preview, /capture, /reset, /cmd.")
        boolean fourcut_enabled() default true;

        @AttributeDefinition(name = "CamServe routes", description = "/stream, /api/status, /api/frame, /api/smframe.")
        boolean camserve_enabled() default true;

        @AttributeDefinition(name = "Snapshot Server routes", description = "/api/cameras, /api/snapshot/<camera>, "
                + "/api/snapshot_all, /api/snapshot_stereo, /snapshots/<camera>/<file>.")
        boolean snapshot_enabled() default true;

        @AttributeDefinition(name = "Enable /cmd", description = "Answer FourCutTogether's /cmd for a fixed list of "
                + "read-only gphoto2 arguments (nothing is ever run). Off unless set.")
        boolean cmd_enabled() default false;

        @AttributeDefinition(name = "Frame timeout (s)", description = "How long single-frame routes wait for a "
                + "picture (1 to 60 seconds).", min = "1", max = "60")
        int frame_timeout_seconds() default 5;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ConfigurationAdmin configurationAdmin;

    private final Map<ServiceReference<CameraDriver>, CameraDriver> drivers = new ConcurrentHashMap<>();
    private final MjpegStreams streams;
    private final ServiceRegistration<Servlet> registration;

    @Activate
    public SeedRoutes(@Reference CameraRegistry registry, @Reference CaptureService capture,
            @Reference ImageStore store, @Reference FrameImages images, @Reference AccessControl access,
            BundleContext context, Config config) {
        this.streams = new MjpegStreams(registry);
        SeedAccess seedAccess = new SeedAccess(access);
        String prefix = config.prefix() == null ? "" : config.prefix().trim();
        if (prefix.endsWith("/")) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        if (!PREFIX.matcher(prefix).matches()) {
            LOG.error("Seed routes not served: prefix '{}' in configuration {} must be empty or like /compat "
                    + "(segments of letters, digits, '.', '_', '~', '-')", config.prefix(), PID);
            this.registration = null;
            return;
        }
        int timeout = Math.max(1, Math.min(60, config.frame_timeout_seconds()));
        RouteTable table = routes(registry, capture, store, images, config, Duration.ofSeconds(timeout),
                seedAccess.adminCheck());
        List<String> patterns = table.patterns(prefix);
        if (patterns.isEmpty()) {
            LOG.info("Seed routes: every seed is disabled in configuration {}", PID);
            this.registration = null;
            return;
        }
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_NAME, SERVLET_NAME);
        properties.put(HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_PATTERN, patterns.toArray(String[]::new));
        this.registration = context.registerService(Servlet.class, new SeedServlet(table, prefix, streams, seedAccess),
                properties);
        LOG.info("Seed routes served at {}{}", prefix.isEmpty() ? "the root" : prefix,
                config.cmd_enabled() ? " (/cmd enabled)" : "");
    }

    /** The routes of the enabled seeds. */
    RouteTable routes(CameraRegistry registry, CaptureService capture, ImageStore store, FrameImages images,
            Config config, Duration frameTimeout, AdminCheck admin) {
        ServedCamera camera = new ServedCamera(registry, config.camera(), frameTimeout);
        RouteTable table = new RouteTable();
        if (config.campi_enabled()) {
            new CampiRoutes(camera, images, streams,
                    new CameraReconfiguration(registry, () -> configurationAdmin, this::driver)).addTo(table);
        }
        if (config.fourcut_enabled()) {
            new FourCutRoutes(camera, capture, streams, config.cmd_enabled(), admin).addTo(table);
        }
        if (config.camserve_enabled()) {
            new CamServeRoutes(camera, images, streams).addTo(table);
        }
        if (config.snapshot_enabled()) {
            new SnapshotRoutes(registry, capture, store).addTo(table);
        }
        return table;
    }

    @Reference(name = "driver", service = CameraDriver.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindDriver")
    void bindDriver(CameraDriver driver, ServiceReference<CameraDriver> reference) {
        drivers.put(reference, driver);
    }

    void unbindDriver(ServiceReference<CameraDriver> reference) {
        drivers.remove(reference);
    }

    /** The preferred driver service for an id, as the framework would rank them. */
    private Optional<CameraDriver> driver(String id) {
        return drivers.entrySet().stream()
                .filter(e -> id.equals(idOf(e.getKey(), e.getValue())))
                .max((a, b) -> a.getKey().compareTo(b.getKey()))
                .map(Map.Entry::getValue);
    }

    private static String idOf(ServiceReference<CameraDriver> reference, CameraDriver driver) {
        Object id = reference.getProperty(CameraDriver.DRIVER_ID);
        return id instanceof String s ? s : driver.id();
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException e) {
                // Already gone with the bundle.
            }
        }
        streams.close();
    }
}
