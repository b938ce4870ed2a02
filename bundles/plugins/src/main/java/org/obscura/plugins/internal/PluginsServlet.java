package org.obscura.plugins.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import org.obscura.camera.api.AccessControl;
import org.obscura.camera.api.ApiDescription;
import org.obscura.camera.api.CameraException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.annotations.RequireHttpWhiteboard;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletMultipart;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.servlet.Servlet;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.Part;

/**
 * Bundles and features over HTTP, administrator only. Its patterns are more specific than the REST API's
 * {@code /api/*}, so the whiteboard sends these paths here.
 *
 * <table>
 * <caption>Routes</caption>
 * <tr><td>GET /api/v1/bundles</td><td>every bundle: id, symbolicName, version, name, state, location, fragment</td></tr>
 * <tr><td>GET /api/v1/bundles/{id}</td><td>one bundle</td></tr>
 * <tr><td>POST /api/v1/bundles</td><td>install and start a jar: the raw body ({@code application/java-archive},
 * {@code application/octet-stream}) or the first file of a {@code multipart/form-data} form; {@code ?start=false}
 * installs only. 201 + Location; 400 not a jar / not a bundle; 409 already installed, does not resolve (names the
 * missing requirements), activator or component failed (it is uninstalled again); 413 too large.</td></tr>
 * <tr><td>PUT /api/v1/bundles/{id}</td><td>update it with the jar in the body (same symbolic name)</td></tr>
 * <tr><td>POST /api/v1/bundles/{id}/start, /stop</td><td>start or stop it</td></tr>
 * <tr><td>DELETE /api/v1/bundles/{id}</td><td>uninstall it; 409 when an installed feature needs it or, without
 * {@code ?force=true}, when other bundles are wired to it</td></tr>
 * <tr><td>GET /api/v1/features</td><td>every feature with its bundles' states</td></tr>
 * <tr><td>GET /api/v1/features/{name}</td><td>one feature</td></tr>
 * <tr><td>POST /api/v1/features/{name}</td><td>install it: 201, or 200 with {@code alreadyInstalled: true}</td></tr>
 * <tr><td>DELETE /api/v1/features/{name}</td><td>uninstall it: {@code uninstalled} bundles and {@code kept} ones with why</td></tr>
 * </table>
 *
 * The table is {@code routes()}: the servlet dispatches on it and, registered as an {@link ApiDescription},
 * describes the same routes to the REST API's OpenAPI document ({@code /api/v1/openapi.json}).
 *
 * <p>Errors are {@code application/problem+json} ({@code type} {@code urn:obscura:problem:<kind>}, {@code title},
 * {@code status}, {@code detail}, {@code field}); 401 carries {@code WWW-Authenticate: Bearer realm="obscura"}.
 */
@Component(service = {Servlet.class, ApiDescription.class})
@HttpWhiteboardServletName(PluginsServlet.NAME)
@HttpWhiteboardServletPattern({ "/api/v1/bundles/*", "/api/v1/features/*" })
@HttpWhiteboardServletMultipart(enabled = true, maxFileSize = PluginsServlet.MAX_UPLOAD_BYTES,
        maxRequestSize = PluginsServlet.MAX_UPLOAD_BYTES + 65536, fileSizeThreshold = 1 << 20)
@RequireHttpWhiteboard
public class PluginsServlet extends HttpServlet implements ApiDescription {

    private static final long serialVersionUID = 1L;

    static final String NAME = "org.obscura.plugins";
    /** The largest bundle accepted: 64 MB. */
    static final long MAX_UPLOAD_BYTES = 64L * 1024 * 1024;
    static final String PROBLEM = "application/problem+json";
    /** Request attribute: the {@link Progress} of the operation the request started. */
    static final String PROGRESS = "org.obscura.plugins.progress";
    /** Where the REST API lives; the route table's templates are below it, as in the OpenAPI document. */
    static final String API_BASE = "/api";
    private static final String SCHEMAS = "#/components/schemas/";

    private static final Logger LOG = LoggerFactory.getLogger(PluginsServlet.class);

    private final transient Plugins plugins;
    private final transient AccessControl access;
    private final transient ObjectMapper mapper = new ObjectMapper();
    private final transient PluginRoutes routes;

    @Activate
    public PluginsServlet(@Reference Plugins plugins, @Reference AccessControl access) {
        this.plugins = plugins;
        this.access = access;
        this.routes = routes();
    }

    /** A failure with its HTTP status, for the few that are no CameraException (401, 405, 413). */
    static final class HttpProblem extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String slug;
        final String title;

        HttpProblem(int status, String slug, String title, String detail) {
            super(detail);
            this.status = status;
            this.slug = slug;
            this.title = title;
        }
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        try {
            authorize(request);
            route(request, response);
        } catch (CameraException e) {
            problem(response, status(e.kind()), slug(e.kind()), title(e.kind()), e.getMessage(), e.field(),
                    steps(request, e.getMessage()));
        } catch (HttpProblem e) {
            if (e.status == 401) {
                response.setHeader("WWW-Authenticate", "Bearer realm=\"obscura\"");
            }
            problem(response, e.status, e.slug, e.title, e.getMessage(), null, steps(request, e.getMessage()));
        } catch (IOException e) {
            // the upload broke off or could not be stored: nothing was installed
            LOG.warn("{} {}: {}", request.getMethod(), request.getRequestURI(), e.toString());
            String detail = "the upload could not be read: " + e.getMessage();
            problem(response, 400, "invalid-argument", "Invalid argument", detail, "bundle", steps(request, detail));
        } catch (RuntimeException | ServletException e) {
            String id = UUID.randomUUID().toString();
            LOG.error("unexpected failure of {} {} (error {})", request.getMethod(), request.getRequestURI(), id, e);
            String detail = "unexpected failure; see the server log for error " + id;
            Map<String, Object> extra = new LinkedHashMap<>(steps(request, detail));
            extra.put("errorId", id);
            problem(response, 500, "internal", "Internal error", detail, null, extra);
        }
    }

    /**
     * The operation this request started, ended as failed with {@code reason} if it had not ended yet (the upload
     * failed before the operation began), as the problem's {@code steps} member; none when it started none.
     */
    private static Map<String, Object> steps(HttpServletRequest request, String reason) {
        if (!(request.getAttribute(PROGRESS) instanceof Progress progress)) {
            return Map.of();
        }
        progress.failed(reason);
        return Map.of("steps", progress.texts());
    }

    /**
     * Starts an operation whose steps are published as events and, listed, become part of the answer (a problem
     * too): the request remembers it.
     */
    private Progress progress(HttpServletRequest request, String operation, String target) {
        Progress progress = plugins.progress(operation, target, null);
        request.setAttribute(PROGRESS, progress);
        return progress;
    }

    /** An answer's members followed by the operation's {@code steps}. */
    private static Map<String, Object> withSteps(Map<String, Object> answer, Progress progress) {
        Map<String, Object> m = new LinkedHashMap<>(answer);
        m.put("steps", progress.texts());
        return m;
    }

    /** Every route changes or reveals the server's make-up: administrator only. */
    private void authorize(HttpServletRequest request) {
        AccessControl.Caller caller = access.check(request.getHeader("Authorization"), null, request.getRemoteAddr());
        if (!caller.admin()) {
            throw new HttpProblem(401, "unauthorized", "Unauthorized", AccessControl.ADMIN_REQUIRED
                    + (caller.rejection() == null ? "" : ": " + caller.rejection())
                    + " (send Authorization: Bearer <token from POST /api/v1/auth/token>, or Basic)");
        }
    }

    private void route(HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException {
        // servlet path "/api/v1/bundles" or "/api/v1/features", the rest in the path info; the table is below /api
        String info = request.getPathInfo() == null || request.getPathInfo().equals("/") ? "" : request.getPathInfo();
        String path = request.getServletPath() + info;
        PluginRoutes.Match match = routes.match(request.getMethod(), path.substring(API_BASE.length()));
        match.route().handler().handle(request, response, match.params());
    }

    /** Every route, its handler and its documentation: what {@link #route} dispatches on and {@link #openApiPaths} describes. */
    private PluginRoutes routes() {
        String id = "/v1/bundles/{id}";
        return new PluginRoutes()
                .add("GET", "/v1/bundles", (req, res, p) -> json(res, 200,
                        Map.of("bundles", plugins.bundles().list().stream().map(BundleView::json).toList())),
                        PluginRoutes.Doc.of("bundles", "Every installed bundle")
                                .answers(200, "the bundles", Map.of("$ref", SCHEMAS + "BundleList")))
                .add("POST", "/v1/bundles", this::install, PluginRoutes.Doc.of("bundles", "Install a bundle")
                        .description("Installs the jar and, unless ?start=false, starts it. Any failure (does "
                                + "not resolve, activator or component fails) uninstalls it again. The answer (a "
                                + "problem too) lists the steps taken in steps; each is also an event "
                                + Progress.TOPIC + " (plugins/progress on /api/v1/events).")
                        .query("start", "boolean", "false: install and resolve only")
                        .jarBody("the bundle jar, raw or as the first file of a multipart form")
                        .answers(201, "installed; Location names it", Map.of("$ref", SCHEMAS + "BundleChanged"))
                        .error(400, "empty body, not a jar, or no Bundle-SymbolicName (field: bundle)")
                        .error(409, "already installed, does not resolve (the missing requirements are named), "
                                + "or its activator or a component failed")
                        .error(413, "larger than " + MAX_UPLOAD_BYTES / (1024 * 1024) + " MB"))
                .add("GET", id, (req, res, p) -> json(res, 200,
                        BundleView.of(plugins.bundles().bundle(id(p.get("id")))).json()),
                        PluginRoutes.Doc.of("bundles", "One bundle")
                                .answers(200, "the bundle", Map.of("$ref", SCHEMAS + "Bundle"))
                                .error(400, "the id is no whole number (field: id)")
                                .error(404, "no such bundle"))
                .add("PUT", id, (req, res, p) -> {
                    long bundle = id(p.get("id"));
                    Progress progress = progress(req, Progress.BUNDLE_UPDATE, String.valueOf(bundle));
                    json(res, 200, withSteps(withUpload(req, jar -> plugins.bundles().update(bundle, jar, progress))
                            .json(), progress));
                }, PluginRoutes.Doc.of("bundles", "Update a bundle")
                        .description("Replaces its content with the jar (same symbolic name); an active bundle "
                                + "is restarted. The answer (a problem too) lists the steps taken in steps; each is "
                                + "also an event " + Progress.TOPIC + " (plugins/progress on /api/v1/events).")
                        .jarBody("the new bundle jar, raw or as the first file of a multipart form")
                        .answers(200, "updated", Map.of("$ref", SCHEMAS + "BundleChanged"))
                        .error(400, "malformed id, empty body or not a jar")
                        .error(404, "no such bundle")
                        .error(409, "another symbolic name, or the new content does not resolve or start "
                                + "(it stays installed, stopped)")
                        .error(413, "larger than " + MAX_UPLOAD_BYTES / (1024 * 1024) + " MB"))
                .add("DELETE", id, (req, res, p) -> json(res, 200, plugins.bundles()
                        .uninstall(id(p.get("id")), "true".equalsIgnoreCase(req.getParameter("force"))).json()),
                        PluginRoutes.Doc.of("bundles", "Uninstall a bundle")
                                .query("force", "boolean", "true: also when other bundles are wired to it")
                                .answers(200, "uninstalled", Map.of("$ref", SCHEMAS + "Bundle"))
                                .error(400, "the id is no whole number (field: id)")
                                .error(404, "no such bundle")
                                .error(409, "the framework, this bundle, needed by an installed feature, or "
                                        + "(without force) used by other bundles"))
                .add("POST", id + "/start", (req, res, p) -> json(res, 200,
                        plugins.bundles().start(id(p.get("id"))).json()),
                        PluginRoutes.Doc.of("bundles", "Start a bundle")
                                .answers(200, "started", Map.of("$ref", SCHEMAS + "Bundle"))
                                .error(400, "the id is no whole number (field: id)")
                                .error(404, "no such bundle")
                                .error(409, "it cannot be started: the reason is given"))
                .add("POST", id + "/stop", (req, res, p) -> json(res, 200,
                        plugins.bundles().stop(id(p.get("id"))).json()),
                        PluginRoutes.Doc.of("bundles", "Stop a bundle")
                                .answers(200, "stopped", Map.of("$ref", SCHEMAS + "Bundle"))
                                .error(400, "the id is no whole number (field: id)")
                                .error(404, "no such bundle")
                                .error(409, "it cannot be stopped: the reason is given"))
                .add("GET", "/v1/features", (req, res, p) -> json(res, 200, Map.of("features",
                        plugins.features().list().stream().map(Features.Status::json).toList())),
                        PluginRoutes.Doc.of("features", "Every feature with its bundles' states")
                                .answers(200, "the features", Map.of("$ref", SCHEMAS + "FeatureList")))
                .add("GET", "/v1/features/{name}", (req, res, p) -> json(res, 200,
                        plugins.features().status(feature(p.get("name"))).json()),
                        PluginRoutes.Doc.of("features", "One feature")
                                .answers(200, "the feature", Map.of("$ref", SCHEMAS + "Feature"))
                                .error(404, "no such feature"))
                .add("POST", "/v1/features/{name}", (req, res, p) -> {
                    String name = feature(p.get("name"));
                    Progress progress = progress(req, Progress.FEATURE_INSTALL, name);
                    Features.Outcome o = plugins.installFeature(progress);
                    if (!o.alreadyInstalled()) {
                        res.setHeader("Location", API_BASE + "/v1/features/" + name);
                    }
                    json(res, o.alreadyInstalled() ? 200 : 201, withSteps(o.json(true), progress));
                }, PluginRoutes.Doc.of("features", "Install a feature")
                        .description("Installs its bundles from the repository, with the features it requires, "
                                + "and creates its missing default configurations; all or nothing. The answer (a "
                                + "problem too) lists the steps taken in steps; each is also an event "
                                + Progress.TOPIC + " (plugins/progress on /api/v1/events), as it happens.")
                        .answers(201, "installed", Map.of("$ref", SCHEMAS + "FeatureInstalled"))
                        .answers(200, "it was installed already (alreadyInstalled: true)",
                                Map.of("$ref", SCHEMAS + "FeatureInstalled"))
                        .error(404, "no such feature")
                        .error(409, "a bundle is missing from the repository, does not resolve or fails to start"))
                .add("DELETE", "/v1/features/{name}", (req, res, p) -> {
                    Progress progress = progress(req, Progress.FEATURE_UNINSTALL, feature(p.get("name")));
                    json(res, 200, withSteps(plugins.uninstallFeature(progress).json(false), progress));
                }, PluginRoutes.Doc.of("features", "Uninstall a feature")
                                .description("The answer (a problem too) lists the steps taken in steps; each is "
                                        + "also an event " + Progress.TOPIC + " (plugins/progress on /api/v1/events).")
                                .answers(200, "uninstalled, with the bundles kept and why",
                                        Map.of("$ref", SCHEMAS + "FeatureUninstalled"))
                                .error(404, "no such feature")
                                .error(409, "not installed, or required by another installed feature (named)"));
    }

    private void install(HttpServletRequest request, HttpServletResponse response, Map<String, String> params)
            throws IOException, ServletException {
        boolean start = !"false".equalsIgnoreCase(request.getParameter("start"));
        Progress progress = progress(request, Progress.BUNDLE_INSTALL, null);
        BundleView v = withUpload(request, jar -> plugins.bundles().install(jar, start, progress));
        response.setHeader("Location", API_BASE + "/v1/bundles/" + v.id());
        json(response, 201, withSteps(v.json(), progress));
    }

    /** The route table, for tests comparing it with the description. */
    List<PluginRoutes.Route> routesForTest() {
        return routes.routes();
    }

    /** A feature name from the path: one that cannot name a feature is a feature that does not exist. */
    private static String feature(String name) {
        if (!FeatureDefinition.NAME.matcher(name).matches()) {
            throw CameraException.notFound("there is no feature '" + name + "'");
        }
        return name;
    }

    @Override
    public Map<String, Object> openApiPaths() {
        return routes.openApiPaths(Map.of(
                "id", Map.of("type", "integer", "format", "int64", "minimum", 0),
                "name", Map.of("type", "string", "pattern", "^" + FeatureDefinition.NAME.pattern() + "$")));
    }

    @Override
    public Map<String, Object> schemas() {
        Map<String, Object> bundle = object("id", Map.of("type", "integer", "format", "int64"),
                "symbolicName", STRING, "version", STRING, "name", STRING,
                "state", Map.of("type", "string", "enum", List.of("installed", "resolved", "starting", "active",
                        "stopping", "uninstalled")),
                "location", STRING, "fragment", Map.of("type", "boolean"));
        Map<String, Object> bundleStatus = object("symbolicName", STRING,
                "state", Map.of("type", "string", "description", "its bundle state, available (in the "
                        + "repository) or missing"),
                "id", Map.of("type", "integer", "format", "int64"), "version", STRING);
        Map<String, Object> feature = object("name", STRING, "description", STRING,
                "installed", Map.of("type", "boolean"), "requires", Map.of("type", "array", "items", STRING),
                "bundles", Map.of("type", "array", "items", bundleStatus),
                "configurations", Map.of("type", "array", "items", STRING),
                "problem", Map.of("type", "string", "description", "why the definition cannot be used"));
        Map<String, Object> bundles = Map.of("type", "array", "items", Map.of("$ref", SCHEMAS + "Bundle"));
        Map<String, Object> steps = Map.of("type", "array", "items", STRING, "description", "the steps taken, in "
                + "order, the last one the outcome (failed: <reason> when it failed); each was also an event "
                + Progress.TOPIC + " as it happened");
        Map<String, Object> changed = new LinkedHashMap<>(properties(bundle));
        changed.put("steps", steps);
        return Map.of(
                "Bundle", bundle,
                "BundleChanged", Map.of("type", "object", "properties", changed),
                "BundleList", object("bundles", bundles),
                "Feature", feature,
                "FeatureList", object("features", Map.of("type", "array", "items", Map.of("$ref", SCHEMAS + "Feature"))),
                "FeatureInstalled", object("feature", STRING, "alreadyInstalled", Map.of("type", "boolean"),
                        "installed", bundles, "configurations", Map.of("type", "array", "items", STRING),
                        "steps", steps),
                "FeatureUninstalled", object("feature", STRING, "uninstalled", bundles,
                        "kept", Map.of("type", "array", "items", STRING), "steps", steps));
    }

    private static final Map<String, Object> STRING = Map.of("type", "string");

    @SuppressWarnings("unchecked")
    private static Map<String, Object> properties(Map<String, Object> objectSchema) {
        return (Map<String, Object>) objectSchema.get("properties");
    }

    /** An object schema; {@code properties} alternates names and schemas. */
    private static Map<String, Object> object(Object... properties) {
        Map<String, Object> props = new LinkedHashMap<>();
        for (int i = 0; i < properties.length; i += 2) {
            props.put((String) properties[i], properties[i + 1]);
        }
        return Map.of("type", "object", "properties", props);
    }

    private static long id(String text) {
        try {
            long id = Long.parseLong(text);
            if (id >= 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw CameraException.invalid("id", "a bundle id is a whole number, not '" + text + "'");
    }

    private static void notAllowed(String allowed) {
        throw new HttpProblem(405, "method-not-allowed", "Method not allowed", "allowed here: " + allowed);
    }

    interface JarAction<T> {
        T apply(Path jar);
    }

    /**
     * Copies the uploaded jar (raw body, or the first file part of a multipart form) into a temporary file,
     * runs {@code action} on it, and deletes the file.
     */
    private <T> T withUpload(HttpServletRequest request, JarAction<T> action) throws IOException, ServletException {
        String type = request.getContentType() == null ? "" : request.getContentType().toLowerCase(Locale.ROOT);
        if (request.getContentLengthLong() > MAX_UPLOAD_BYTES) {
            throw tooLarge();
        }
        Path temp = Files.createTempFile("obscura-upload-", ".jar");
        try {
            if (type.startsWith("multipart/form-data")) {
                Part file = null;
                try {
                    for (Part p : request.getParts()) {
                        if (p.getSubmittedFileName() != null) {
                            file = p;
                            break;
                        }
                    }
                } catch (IllegalStateException e) {
                    throw tooLarge();
                }
                if (file == null) {
                    throw CameraException.invalid("bundle", "the form holds no file: send the jar as a file field");
                }
                try (InputStream in = file.getInputStream()) {
                    copy(in, temp);
                }
            } else {
                try (InputStream in = request.getInputStream()) {
                    copy(in, temp);
                }
            }
            if (Files.size(temp) == 0) {
                throw CameraException.invalid("bundle", "the request has no body: send the bundle jar "
                        + "(Content-Type: application/java-archive) or a multipart form with the jar");
            }
            return action.apply(temp);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void copy(InputStream in, Path target) throws IOException {
        try (OutputStream out = Files.newOutputStream(target)) {
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) > 0) {
                total += n;
                if (total > MAX_UPLOAD_BYTES) {
                    throw tooLarge();
                }
                out.write(buffer, 0, n);
            }
        }
    }

    private static HttpProblem tooLarge() {
        return new HttpProblem(413, "too-large", "Payload too large",
                "a bundle may be at most " + MAX_UPLOAD_BYTES / (1024 * 1024) + " MB");
    }

    private void json(HttpServletResponse response, int status, Object body) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        mapper.writeValue(response.getOutputStream(), body);
    }

    private void problem(HttpServletResponse response, int status, String slug, String title, String detail,
            String field) throws IOException {
        problem(response, status, slug, title, detail, field, Map.of());
    }

    private void problem(HttpServletResponse response, int status, String slug, String title, String detail,
            String field, Map<String, Object> extra) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "urn:obscura:problem:" + slug);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        if (field != null) {
            body.put("field", field);
        }
        body.putAll(extra);
        response.setStatus(status);
        response.setContentType(PROBLEM);
        response.setCharacterEncoding("UTF-8");
        mapper.writeValue(response.getOutputStream(), body);
    }

    static int status(CameraException.Kind kind) {
        return switch (kind) {
            case INVALID_ARGUMENT -> 400;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case BUSY, UNAVAILABLE -> 503;
            case UNSUPPORTED -> 501;
            case TIMEOUT -> 504;
            case IO -> 502;
        };
    }

    static String slug(CameraException.Kind kind) {
        return kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static String title(CameraException.Kind kind) {
        return switch (kind) {
            case INVALID_ARGUMENT -> "Invalid argument";
            case NOT_FOUND -> "Not found";
            case CONFLICT -> "Conflict";
            case BUSY -> "Busy";
            case UNAVAILABLE -> "Unavailable";
            case UNSUPPORTED -> "Not supported";
            case TIMEOUT -> "Timeout";
            case IO -> "Input/output error";
        };
    }
}
