package org.obscura.webui.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants;

/**
 * Sends a browser opening the server's root to the web UI. Registered with the Servlet specification's empty
 * pattern, which matches the context root exactly ({@code /}) and nothing else: the seed-compatible routes
 * ({@code /stream}, {@code /video_feed}, ...) and every unknown path keep their own handling. A separate
 * servlet from {@link UiServlet} so that the app is served even by a container that refused the root pattern.
 */
@Component(service = Servlet.class, property = {
    HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_PATTERN + "=",
    HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_NAME + "=org.obscura.webui.root"
})
public final class RootRedirectServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) {
        response.setStatus(HttpServletResponse.SC_FOUND);
        response.setHeader("Location", request.getContextPath() + UiServlet.PREFIX + "/");
        response.setHeader("Cache-Control", "no-cache");
    }
}
