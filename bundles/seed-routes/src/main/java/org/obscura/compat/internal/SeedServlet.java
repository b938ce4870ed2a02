package org.obscura.compat.internal;

import java.io.IOException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.obscura.camera.api.CameraException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One servlet for every seed route, registered on the whiteboard with one precise pattern per route (never
 * {@code /*}, so that a web interface at {@code /} and the REST API at {@code /api/*} keep their paths). It finds
 * the route for the request, checks the method and answers failures in the route's seed style: a
 * {@link SeedException} with its status, a {@link CameraException} by its kind, and anything unexpected with 503
 * and an error id that is logged with the stack trace. No exception leaves {@link #service}, so the container
 * never renders its own error page or a 500 for these paths.
 *
 * <p>Threading: requests run concurrently on the container's threads; MJPEG streams hold theirs while the client
 * watches, until {@link #destroy()} ends them.
 */
final class SeedServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SeedServlet.class);

    private final transient RouteTable routes;
    private final transient MjpegStreams streams;
    private final String prefix;
    private final transient SeedAccess access;

    /** Without access checks: for tests that are not about access. */
    SeedServlet(RouteTable routes, String prefix, MjpegStreams streams) {
        this(routes, prefix, streams, SeedAccess.EVERYONE);
    }

    /**
     * @param prefix the path the routes are under, {@code ""} or {@code /a/b}
     * @param streams closed when the servlet is taken down
     * @param access  checked for every request before its handler runs
     */
    SeedServlet(RouteTable routes, String prefix, MjpegStreams streams, SeedAccess access) {
        this.access = access;
        this.routes = routes;
        this.prefix = prefix;
        this.streams = streams;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) {
        ErrorStyle style = ErrorStyle.CAMSERVE;
        try {
            String path;
            try {
                path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
            } catch (IllegalArgumentException e) {
                throw SeedException.badRequest("ambiguous path: an encoded '/', '\\\\', '.' or '%' is not accepted");
            }
            if (!path.startsWith(prefix)) {
                throw new SeedException(404, "no such route");
            }
            String below = path.substring(prefix.length());
            Optional<RouteTable.Route> found = routes.find(below);
            if (found.isEmpty()) {
                throw new SeedException(404, "no such route");
            }
            RouteTable.Route route = found.get();
            style = route.style();
            String method = request.getMethod();
            if ("OPTIONS".equals(method)) {
                response.setHeader("Allow", route.allow());
                response.setStatus(204);
                return;
            }
            if (!route.methods().contains(method)) {
                response.setHeader("Allow", route.allow());
                throw new SeedException(405, "method " + method + " is not allowed here; use " + String.join(" or ", route.methods()));
            }
            access.check(route.path(), request);
            route.handler().handle(new Exchange(request, response, below, request.getContextPath() + prefix));
        } catch (SeedException e) {
            answer(style, response, request, e.status(), e.getMessage());
        } catch (CameraException e) {
            answer(style, response, request, style.status(e.kind()), e.getMessage());
        } catch (IOException e) {
            // The client went away (or the server is stopping) while the answer was being written.
            LOG.debug("{} {}: answer not delivered: {}", request.getMethod(), request.getRequestURI(), e.toString());
        } catch (RuntimeException e) {
            String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
            LOG.error("{} {} failed (error id {})", request.getMethod(), request.getRequestURI(), id, e);
            answer(style, response, request, 503, "the server failed to answer (error id " + id + ", see the server log)");
        }
    }

    private static void answer(ErrorStyle style, HttpServletResponse response, HttpServletRequest request, int status,
            String message) {
        if (response.isCommitted()) {
            LOG.debug("{} {}: {} after the answer started: {}", request.getMethod(), request.getRequestURI(), status, message);
            return;
        }
        try {
            response.resetBuffer();
            if (status == 401) {
                // Bearer only, so that browsers show no login popup.
                response.setHeader("WWW-Authenticate", "Bearer realm=\"obscura\"");
            }
            style.send(new Exchange(request, response, "", ""), status, message == null ? "failed" : message);
        } catch (IOException | RuntimeException e) {
            LOG.debug("{} {}: error answer not delivered: {}", request.getMethod(), request.getRequestURI(), e.toString());
        }
    }

    /** The whiteboard took the servlet down: end the streams so their threads return. */
    @Override
    public void destroy() {
        streams.close();
    }
}
