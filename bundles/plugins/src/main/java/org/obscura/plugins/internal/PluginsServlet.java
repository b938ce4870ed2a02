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
 * Errors are {@code application/problem+json} ({@code type} {@code urn:obscura:problem:<kind>}, {@code title},
 * {@code status}, {@code detail}, {@code field}); 401 carries {@code WWW-Authenticate: Bearer realm="obscura"}.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletName(PluginsServlet.NAME)
@HttpWhiteboardServletPattern({ "/api/v1/bundles/*", "/api/v1/features/*" })
@HttpWhiteboardServletMultipart(enabled = true, maxFileSize = PluginsServlet.MAX_UPLOAD_BYTES,
        maxRequestSize = PluginsServlet.MAX_UPLOAD_BYTES + 65536, fileSizeThreshold = 1 << 20)
@RequireHttpWhiteboard
public class PluginsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    static final String NAME = "org.obscura.plugins";
    /** The largest bundle accepted: 64 MB. */
    static final long MAX_UPLOAD_BYTES = 64L * 1024 * 1024;
    static final String PROBLEM = "application/problem+json";

    private static final Logger LOG = LoggerFactory.getLogger(PluginsServlet.class);

    private final transient Plugins plugins;
    private final transient AccessControl access;
    private final transient ObjectMapper mapper = new ObjectMapper();

    @Activate
    public PluginsServlet(@Reference Plugins plugins, @Reference AccessControl access) {
        this.plugins = plugins;
        this.access = access;
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
            problem(response, status(e.kind()), slug(e.kind()), title(e.kind()), e.getMessage(), e.field());
        } catch (HttpProblem e) {
            if (e.status == 401) {
                response.setHeader("WWW-Authenticate", "Bearer realm=\"obscura\"");
            }
            problem(response, e.status, e.slug, e.title, e.getMessage(), null);
        } catch (IOException e) {
            // the upload broke off or could not be stored: nothing was installed
            LOG.warn("{} {}: {}", request.getMethod(), request.getRequestURI(), e.toString());
            problem(response, 400, "invalid-argument", "Invalid argument", "the upload could not be read: "
                    + e.getMessage(), "bundle");
        } catch (RuntimeException | ServletException e) {
            String id = UUID.randomUUID().toString();
            LOG.error("unexpected failure of {} {} (error {})", request.getMethod(), request.getRequestURI(), id, e);
            problem(response, 500, "internal", "Internal error", "unexpected failure; see the server log for error "
                    + id, null, Map.of("errorId", id));
        }
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
        String servletPath = request.getServletPath(); // "/api/v1/bundles" or "/api/v1/features"
        String info = request.getPathInfo() == null ? "" : request.getPathInfo();
        List<String> segments = info.isEmpty() || info.equals("/") ? List.of()
                : List.of(info.substring(1).split("/", -1));
        String method = request.getMethod();
        if (servletPath.endsWith("/bundles")) {
            bundles(request, response, method, segments);
        } else {
            features(response, method, segments);
        }
    }

    private void bundles(HttpServletRequest request, HttpServletResponse response, String method, List<String> s)
            throws IOException, ServletException {
        BundleInstaller bundles = plugins.bundles();
        if (s.isEmpty()) {
            switch (method) {
                case "GET" -> json(response, 200, Map.of("bundles", bundles.list().stream().map(BundleView::json).toList()));
                case "POST" -> {
                    boolean start = !"false".equalsIgnoreCase(request.getParameter("start"));
                    BundleView v = withUpload(request, jar -> bundles.install(jar, start));
                    response.setHeader("Location", "/api/v1/bundles/" + v.id());
                    json(response, 201, v.json());
                }
                default -> notAllowed("GET, POST");
            }
            return;
        }
        long id = id(s.get(0));
        if (s.size() == 1) {
            switch (method) {
                case "GET" -> json(response, 200, BundleView.of(bundles.bundle(id)).json());
                case "PUT" -> json(response, 200, withUpload(request, jar -> bundles.update(id, jar)).json());
                case "DELETE" -> json(response, 200,
                        bundles.uninstall(id, "true".equalsIgnoreCase(request.getParameter("force"))).json());
                default -> notAllowed("GET, PUT, DELETE");
            }
            return;
        }
        if (s.size() == 2 && (s.get(1).equals("start") || s.get(1).equals("stop"))) {
            if (!method.equals("POST")) {
                notAllowed("POST");
            }
            json(response, 200, (s.get(1).equals("start") ? bundles.start(id) : bundles.stop(id)).json());
            return;
        }
        throw CameraException.notFound("no such route: " + request.getRequestURI());
    }

    private void features(HttpServletResponse response, String method, List<String> s) throws IOException {
        if (s.isEmpty()) {
            if (!method.equals("GET")) {
                notAllowed("GET");
            }
            json(response, 200, Map.of("features", plugins.features().list().stream().map(Features.Status::json).toList()));
            return;
        }
        if (s.size() != 1 || !FeatureDefinition.NAME.matcher(s.get(0)).matches()) {
            throw CameraException.notFound("there is no feature '" + String.join("/", s) + "'");
        }
        String name = s.get(0);
        switch (method) {
            case "GET" -> json(response, 200, plugins.features().status(name).json());
            case "POST" -> {
                Features.Outcome o = plugins.installFeature(name);
                if (!o.alreadyInstalled()) {
                    response.setHeader("Location", "/api/v1/features/" + name);
                }
                json(response, o.alreadyInstalled() ? 200 : 201, o.json(true));
            }
            case "DELETE" -> json(response, 200, plugins.uninstallFeature(name).json(false));
            default -> notAllowed("GET, POST, DELETE");
        }
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
