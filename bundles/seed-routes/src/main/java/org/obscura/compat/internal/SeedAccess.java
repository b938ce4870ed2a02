package org.obscura.compat.internal;

import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import org.obscura.camera.api.AccessControl;

/**
 * Who may call which seed route, with the same levels as the REST API: changes ({@code /configure},
 * {@code /reset}, {@code /cmd}) need the administrator; live pictures need it only while viewing is configured
 * closed (then a token may also come as {@code ?token=}, for img tags and OpenCV URLs); taking pictures only when
 * capture is configured to need it; descriptions and stored stills are open. Credentials: {@code Authorization}
 * Basic or Bearer. A refusal is a {@link SeedException} 401, which the servlet answers in the route's seed style
 * with {@code WWW-Authenticate: Bearer realm="obscura"}. Thread-safe.
 */
final class SeedAccess {

    /** What a route needs. */
    enum Level { OPEN, VIEW, CAPTURE, ADMIN }

    /** Routes by their table path; any other route is OPEN. */
    private static final Map<String, Level> LEVELS = Map.ofEntries(
            Map.entry("/configure", Level.ADMIN), Map.entry("/reset", Level.ADMIN), Map.entry("/cmd", Level.ADMIN),
            Map.entry("/capture", Level.CAPTURE), Map.entry("/api/snapshot/*", Level.CAPTURE),
            Map.entry("/api/snapshot_all", Level.CAPTURE), Map.entry("/api/snapshot_stereo", Level.CAPTURE),
            Map.entry("/video_feed", Level.VIEW), Map.entry("/lossless_frame", Level.VIEW),
            Map.entry("/raw_frame", Level.VIEW), Map.entry("/preview", Level.VIEW), Map.entry("/stream", Level.VIEW),
            Map.entry("/api/frame", Level.VIEW), Map.entry("/api/smframe", Level.VIEW));

    /** Lets everybody do everything: for tests that are not about access. */
    static final SeedAccess EVERYONE = new SeedAccess(null);

    private final AccessControl access;

    /** @param access the access control; {@code null} only for {@link #EVERYONE} */
    SeedAccess(AccessControl access) {
        this.access = access;
    }

    static Level of(String routePath) {
        return LEVELS.getOrDefault(routePath, Level.OPEN);
    }

    /**
     * @throws SeedException 401 when the request may not use the route at {@code routePath}
     */
    void check(String routePath, HttpServletRequest request) {
        if (access == null) {
            return;
        }
        Level level = of(routePath);
        boolean needsAdmin = switch (level) {
            case OPEN -> false;
            case VIEW -> !access.viewingOpen();
            case CAPTURE -> access.captureNeedsAdmin();
            case ADMIN -> true;
        };
        if (!needsAdmin) {
            return;
        }
        String token = level == Level.VIEW ? request.getParameter("token") : null;
        AccessControl.Caller caller = access.check(request.getHeader("Authorization"), token, request.getRemoteAddr());
        if (!caller.admin()) {
            throw new SeedException(401, AccessControl.ADMIN_REQUIRED
                    + (caller.rejection() == null ? "" : ": " + caller.rejection()));
        }
    }

    /** The administrator check of {@code /cmd}, from the same access control. */
    AdminCheck adminCheck() {
        if (access == null) {
            return AdminCheck.EVERYONE;
        }
        return request -> access.check(request.getHeader("Authorization"), null, request.getRemoteAddr()).admin();
    }
}
