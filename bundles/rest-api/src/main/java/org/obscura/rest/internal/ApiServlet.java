package org.obscura.rest.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import com.fasterxml.jackson.core.JacksonException;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.obscura.camera.api.AccessControl;
import org.obscura.camera.api.ApiDescription;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraRegistry;
import org.obscura.camera.api.CaptureService;
import org.obscura.camera.api.FrameImages;
import org.obscura.camera.api.ImageSets;
import org.obscura.camera.api.ImageStore;
import org.obscura.camera.api.LightController;
import org.obscura.camera.api.ObscuraEvents;
import org.obscura.camera.api.SequenceService;
import org.obscura.camera.spi.CameraDriver;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventHandler;
import org.osgi.service.event.propertytypes.EventTopics;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.servlet.whiteboard.annotations.RequireHttpWhiteboard;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletAsyncSupported;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API servlet, registered on the Servlet Whiteboard at {@value #PATTERN} under the servlet name
 * {@value #NAME}. It turns each request into a {@link Call}, lets the {@link Router} pick the handler and
 * writes the {@link Reply}; the routes are listed in the bundle's README and at {@code GET /api/v1}.
 *
 * <p>Every failure is answered here as {@code application/problem+json}: CameraException by its kind,
 * ApiException as it says, and anything unexpected as a 500 carrying an error id that is logged with the
 * stack trace. No exception leaves {@link #service}, so the container never renders its own error page for
 * these paths.
 *
 * <p>The component is also the Event Admin handler for {@code org/obscura/*}: events go to the event stream
 * clients ({@code GET /api/v1/events}) through {@link EventRelay}, which never blocks Event Admin.
 *
 * <p>Access: every matched route's {@link Access.Level} is enforced here with the {@link AccessControl} service,
 * a mandatory reference, so the API never comes up without authentication: ADMIN routes need the
 * administrator, VIEW routes too while viewing is closed (a token may then come as {@code ?token=}), CAPTURE
 * routes when capture is configured to need it. Refusals are 401 problems with a Bearer challenge. CORS headers
 * are sent only for the origins the access control lists; none by default.
 *
 * <p>Threading: requests run concurrently on the container's threads; MJPEG streams are asynchronous and hold
 * none (the servlet is registered with async support); event streams hold theirs
 * for as long as the client watches. {@code CameraDriver} services come and go through a dynamic reference;
 * so do the optional lights, sequencer and image sets, whose routes answer 503 while they are missing.
 */
@Component(service = {Servlet.class, EventHandler.class}, configurationPid = ApiServlet.PID)
@Designate(ocd = ApiServlet.Config.class)
@EventTopics(ObscuraEvents.TOPIC_PREFIX + "*")
@HttpWhiteboardServletName(ApiServlet.NAME)
@HttpWhiteboardServletPattern(ApiServlet.PATTERN)
@HttpWhiteboardServletAsyncSupported
@RequireHttpWhiteboard
public class ApiServlet extends HttpServlet implements EventHandler {

    private static final long serialVersionUID = 1L;

    /** Configuration PID of this component. */
    static final String PID = "org.obscura.rest";
    /** Servlet name on the whiteboard ({@code osgi.http.whiteboard.servlet.name}). */
    static final String NAME = "org.obscura.rest.api";
    /** Servlet pattern on the whiteboard ({@code osgi.http.whiteboard.servlet.pattern}). */
    static final String PATTERN = "/api/*";

    private static final Logger LOG = LoggerFactory.getLogger(ApiServlet.class);
    private static final String JSON = "application/json";

    @ObjectClassDefinition(id = PID, name = "Obscura REST API", description = "The REST API under /api/v1.")
    @interface Config {
        @AttributeDefinition(name = "Frame timeout (s)",
                description = "How long GET /frame waits for a picture from the camera (1 to 60 seconds).",
                min = "1", max = "60")
        int frame_timeout_seconds() default 5;

        @AttributeDefinition(name = "Maximum request body (bytes)",
                description = "Larger request bodies are refused with 413 (1 KiB to 16 MiB).",
                min = "1024", max = "16777216")
        int max_body_bytes() default 64 * 1024;
    }

    private final transient DriverDirectory drivers;
    private final transient RestApi api;
    private final transient JsonCodec json = new JsonCodec();
    private final int maxBodyBytes;

    @Activate
    public ApiServlet(@Reference CameraRegistry registry, @Reference CaptureService capture,
            @Reference ImageStore store, @Reference ConfigurationAdmin configurationAdmin,
            @Reference MetaTypeService metaType, @Reference FrameImages images, @Reference AccessControl access,
            BundleContext context, Config config) {
        this.drivers = new DriverDirectory();
        int timeout = clamp("frame.timeout.seconds", config.frame_timeout_seconds(), 1, 60);
        this.maxBodyBytes = clamp("max.body.bytes", config.max_body_bytes(), 1024, 16 * 1024 * 1024);
        Instant started = Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
        ConfigurationFiles files = ConfigurationFiles.fromFramework(context::getProperty).orElse(null);
        if (files == null) {
            LOG.info("Camera configurations are kept in ConfigAdmin only ({} is not set)", ConfigurationFiles.FILEINSTALL_DIR);
        } else {
            LOG.info("Camera configurations are kept as {}", files);
        }
        this.api = new RestApi(registry, capture, store, images, new CameraConfigurations(configurationAdmin, files),
                new MetaTypeFormSource(metaType, context, drivers), drivers, access,
                new RestApi.Settings(Duration.ofSeconds(timeout), context.getBundle().getVersion().toString(), started),
                Clock.systemUTC());
    }

    /** Outside a framework (tests): a ready API and the directory its driver services are in. */
    ApiServlet(RestApi api, DriverDirectory drivers, int maxBodyBytes) {
        this.api = api;
        this.drivers = drivers;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Reference(name = "driver", service = CameraDriver.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindDriver")
    void bindDriver(CameraDriver driver, ServiceReference<CameraDriver> reference) {
        Object id = reference.getProperty(CameraDriver.DRIVER_ID);
        Object ranking = reference.getProperty(Constants.SERVICE_RANKING);
        Object serviceId = reference.getProperty(Constants.SERVICE_ID);
        drivers.add(new DriverDirectory.Entry(reference, id instanceof String s ? s : driver.id(),
                ranking instanceof Integer r ? r : 0, serviceId instanceof Long l ? l : Long.MAX_VALUE, driver,
                reference.getBundle()));
    }

    void unbindDriver(ServiceReference<CameraDriver> reference) {
        drivers.remove(reference);
    }

    /** Routes other bundles serve under /api/v1: they join the OpenAPI document while their service lives. */
    @Reference(name = "apiDescription", service = ApiDescription.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, unbind = "unbindApiDescription")
    void bindApiDescription(ApiDescription description) {
        api.describe(description);
    }

    void unbindApiDescription(ApiDescription description) {
        api.forget(description);
    }

    @Reference(name = "lights", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindLights")
    void bindLights(LightController lights) {
        api.lights().bind(lights);
    }

    void unbindLights(LightController lights) {
        api.lights().unbind(lights);
    }

    @Reference(name = "sequencer", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindSequencer")
    void bindSequencer(SequenceService sequencer) {
        api.sequencer().bind(sequencer);
    }

    void unbindSequencer(SequenceService sequencer) {
        api.sequencer().unbind(sequencer);
    }

    @Reference(name = "imageSets", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindImageSets")
    void bindImageSets(ImageSets sets) {
        api.imageSets().bind(sets);
    }

    void unbindImageSets(ImageSets sets) {
        api.imageSets().unbind(sets);
    }

    /** On Event Admin's delivery thread: hands the event to the stream clients' queues and returns. */
    @Override
    public void handleEvent(Event event) {
        Map<String, Object> properties = new HashMap<>();
        for (String name : event.getPropertyNames()) {
            properties.put(name, event.getProperty(name));
        }
        api.publishEvent(event.getTopic(), properties);
    }

    @Deactivate
    void deactivate() {
        api.close();
    }

    /**
     * The whiteboard took the servlet down (it may put it up again, e.g. after an HTTP port change): end the
     * streams so their threads return.
     */
    @Override
    public void destroy() {
        api.live().endStreams();
        api.events().endStreams();
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) {
        String method = request.getMethod();
        Map<String, String> cors = Map.of();
        try {
            cors = cors(request.getHeader("Origin"));
            cors.forEach(response::setHeader);
            String base = request.getContextPath() + servletPath(request);
            String raw = below(request.getRequestURI(), base);
            if ("OPTIONS".equals(method)) {
                String allowed = api.router().allowed(raw);
                response.setHeader("Allow", allowed);
                if (!cors.isEmpty() && request.getHeader("Access-Control-Request-Method") != null) {
                    response.setHeader("Access-Control-Allow-Methods", allowed);
                    response.setHeader("Access-Control-Allow-Headers", "Authorization, Content-Type");
                    response.setHeader("Access-Control-Max-Age", "600");
                }
                response.setStatus(204);
                return;
            }
            Router.Match match = api.router().match(method, raw);
            Call call = new Call(method, match.params(), request.getQueryString(), () -> body(request), base, json,
                    new Call.Client(request.getHeader("Authorization"), request.getRemoteAddr()));
            authorize(Access.of(match.route()), call);
            Reply reply = match.route().handler().handle(call);
            try {
                send(reply, request, response, "HEAD".equals(method));
            } catch (JacksonException e) {
                throw e;
            } catch (IOException e) {
                // The client went away (or the server is stopping) while the answer was being written.
                LOG.debug("{} {}: answer not delivered: {}", method, request.getRequestURI(), e.toString());
            }
        } catch (Throwable t) {
            fail(t, request, response, cors);
        }
    }

    /**
     * Refuses the call with 401 unless its caller may use a route of this level. Credentials are only looked at
     * where the level needs them, so open routes never pay for a password check.
     */
    private void authorize(Access.Level level, Call call) {
        AccessControl access = api.access();
        boolean needsAdmin = switch (level) {
            case OPEN -> false;
            case VIEW -> !access.viewingOpen();
            case CAPTURE -> access.captureNeedsAdmin();
            case ADMIN -> true;
        };
        if (!needsAdmin) {
            return;
        }
        String token = level == Access.Level.VIEW ? call.query("token").orElse(null) : null;
        AccessControl.Caller caller = access.check(call.client().authorization(), token, call.client().remote());
        if (!caller.admin()) {
            throw AuthResource.unauthorized(AccessControl.ADMIN_REQUIRED
                    + (caller.rejection() == null ? "" : ": " + caller.rejection())
                    + " (send Authorization: Bearer <token from POST /api/v1/auth/token>, or Basic"
                    + (level == Access.Level.VIEW ? ", or ?token=<token>" : "") + ")");
        }
    }

    /**
     * The CORS headers for a request from {@code origin}: none unless the origin is one the access control
     * allows ({@code *} allows any). Credentials travel in the Authorization header, never in cookies, so
     * {@code Access-Control-Allow-Credentials} is never sent.
     */
    private Map<String, String> cors(String origin) {
        if (origin == null) {
            return Map.of();
        }
        List<String> allowed = api.access().corsOrigins();
        if (allowed.isEmpty() || !(allowed.contains("*") || allowed.contains(origin))) {
            return Map.of();
        }
        return Map.of("Access-Control-Allow-Origin", origin, "Vary", "Origin",
                "Access-Control-Expose-Headers", "Location, WWW-Authenticate, X-Frame-Index, X-Timestamp, X-Width, "
                        + "X-Height, X-Channels, X-Dtype");
    }

    /**
     * The servlet path. A container that lets ambiguous URIs through (an encoded '/' or '.' in a segment) may
     * refuse to decode it; that is the client's doing and answers 400.
     */
    private static String servletPath(HttpServletRequest request) {
        try {
            return request.getServletPath();
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(null, "ambiguous path: an encoded '/', '\\', '.' or '%' inside a path "
                    + "segment is not accepted");
        }
    }

    /**
     * The raw path below the servlet: the request URI without as many leading segments as the context path
     * plus servlet path have. Works on the raw URI so that the router decodes each segment exactly once.
     */
    static String below(String requestUri, String base) {
        int skip = 0;
        for (String s : base.split("/")) {
            if (!s.isEmpty()) {
                skip++;
            }
        }
        String p = requestUri == null ? "" : requestUri;
        int pos = 0;
        for (int n = 0; n < skip && pos < p.length(); n++) {
            int next = p.indexOf('/', pos + 1);
            pos = next < 0 ? p.length() : next;
        }
        return p.substring(pos);
    }

    /** Reads the body, refusing more than the configured maximum with 413. */
    private byte[] body(HttpServletRequest request) throws IOException {
        long declared = request.getContentLengthLong();
        InputStream in = request.getInputStream();
        if (declared > maxBodyBytes) {
            drain(in);
            throw tooLarge();
        }
        byte[] bytes = in.readNBytes(maxBodyBytes + 1);
        if (bytes.length > maxBodyBytes) {
            drain(in);
            throw tooLarge();
        }
        return bytes;
    }

    /**
     * Reads and drops what is left of a refused body, up to a bound. Closing a connection while the client is
     * still sending makes TCP reset it, and the reset can destroy the 413 answer before the client reads it;
     * a body beyond the bound is not worth reading, and then the connection is closed anyway.
     */
    private void drain(InputStream in) {
        try {
            UnreadBodyDrain.readAndDrop(in);
        } catch (IOException clientGone) {
            // nothing left to protect
        }
    }

    private ApiException tooLarge() {
        return new ApiException(Problem.of(413, "payload-too-large", "Payload too large",
                "the request body is larger than " + maxBodyBytes + " bytes"));
    }

    private void send(Reply reply, HttpServletRequest request, HttpServletResponse response, boolean head)
            throws IOException {
        if (reply instanceof Reply.Json j) {
            byte[] bytes = json.write(j.body());
            start(response, j.status(), JSON, reply.headers());
            if (!reply.headers().containsKey("Cache-Control")) {
                response.setHeader("Cache-Control", "no-store");
            }
            response.setContentLength(bytes.length);
            if (!head) {
                response.getOutputStream().write(bytes);
            }
        } else if (reply instanceof Reply.Bytes b) {
            ByteBuffer data = b.data().duplicate();
            start(response, b.status(), b.contentType(), reply.headers());
            response.setContentLength(data.remaining());
            if (!head) {
                Channels.newChannel(response.getOutputStream()).write(data);
            }
        } else if (reply instanceof Reply.FileBody f) {
            sendFile(f, response, head);
        } else if (reply instanceof Reply.Stream s) {
            sendStream(s, request, response, head);
        } else if (reply instanceof Reply.Empty e) {
            start(response, e.status(), null, reply.headers());
        }
    }

    private static void start(HttpServletResponse response, int status, String contentType, Map<String, String> headers) {
        response.setStatus(status);
        if (contentType != null) {
            response.setContentType(contentType);
        }
        response.setHeader("X-Content-Type-Options", "nosniff");
        headers.forEach(response::setHeader);
    }

    private void sendFile(Reply.FileBody f, HttpServletResponse response, boolean head) throws IOException {
        long size;
        InputStream in;
        try {
            size = Files.size(f.path());
            in = head ? null : Files.newInputStream(f.path());
        } catch (NoSuchFileException e) {
            throw CameraException.notFound("file '" + f.path().getFileName() + "' is gone");
        }
        try {
            start(response, 200, f.contentType(), f.headers());
            response.setContentLengthLong(size);
            if (in != null) {
                in.transferTo(response.getOutputStream());
            }
        } catch (IOException e) {
            // Most likely the client went away mid-file; the answer is committed, nothing else to tell it.
            LOG.debug("sending {} stopped: {}", f.path(), e.toString());
        } finally {
            if (in != null) {
                in.close();
            }
        }
    }

    private void sendStream(Reply.Stream s, HttpServletRequest request, HttpServletResponse response, boolean head) {
        OutputStream out;
        try {
            start(response, 200, s.contentType(), s.headers());
            if (head) {
                s.writer().abandon();
                return;
            }
            out = response.getOutputStream();
            // Commit the headers now: a viewer sees the stream open even before the first frame.
            response.flushBuffer();
        } catch (IOException | RuntimeException e) {
            s.writer().abandon();
            LOG.debug("stream not started: {}", e.toString());
            return;
        }
        if (request.isAsyncSupported() && s.writer() instanceof Reply.AsyncBodyWriter a) {
            a.start(request, response); // returns at once; the writer completes the request
            return;
        }
        try {
            s.writer().write(out);
        } catch (IOException e) {
            LOG.debug("stream client went away: {}", e.toString());
        }
    }

    /** Answers a failure as a problem, unless the answer has started (then it can only be logged). */
    private void fail(Throwable t, HttpServletRequest request, HttpServletResponse response, Map<String, String> cors) {
        if (t instanceof VirtualMachineError e) {
            throw e;
        }
        Problem problem;
        Map<String, String> headers = Map.of();
        if (t instanceof ApiException e) {
            problem = e.problem();
            headers = e.headers();
        } else if (t instanceof CameraException e) {
            problem = Problem.of(e);
        } else if (t instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            problem = Problem.of(503, "unavailable", "Unavailable", "the request was interrupted; the server may be stopping");
        } else {
            String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
            LOG.error("{} {} failed (error id {})", request.getMethod(), Router.printable(String.valueOf(request.getRequestURI())), id, t);
            problem = Problem.of(500, "internal-error", "Internal server error",
                    "the server failed to answer this request; its log has the details under error id " + id)
                    .with("errorId", id);
        }
        if (problem.status() > 500) {
            LOG.info("{} {}: {}", request.getMethod(), request.getRequestURI(), problem);
        } else {
            LOG.debug("{} {}: {}", request.getMethod(), request.getRequestURI(), problem);
        }
        if (response.isCommitted()) {
            LOG.debug("answer already started; cannot send {}", problem);
            return;
        }
        try {
            response.reset();
            byte[] bytes = json.write(problem.body());
            start(response, problem.status(), Problem.MEDIA_TYPE, headers);
            cors.forEach(response::setHeader);
            response.setHeader("Cache-Control", "no-store");
            response.setContentLength(bytes.length);
            if (!"HEAD".equals(request.getMethod())) {
                response.getOutputStream().write(bytes);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not send {}: {}", problem, e.toString());
        }
    }

    private static int clamp(String name, int value, int min, int max) {
        if (value < min || value > max) {
            int fixed = Math.max(min, Math.min(max, value));
            LOG.warn("{} = {} is outside {}..{}; using {}", name, value, min, max, fixed);
            return fixed;
        }
        return value;
    }
}
