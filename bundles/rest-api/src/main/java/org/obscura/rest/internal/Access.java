package org.obscura.rest.internal;

import java.util.Set;

/**
 * The one place that decides who may call which route: {@link ApiServlet} asks {@link #of} for every matched
 * route and enforces the level with the {@link org.obscura.camera.api.AccessControl} service, and the OpenAPI
 * document shows it as {@code x-obscura-access}. Keep every rule here, by method and template, so that a new
 * route gets a level without anybody having to remember.
 */
final class Access {
    private Access() {
    }

    /** Who may call a route. */
    enum Level {
        /** Anybody: descriptions, lists, health, the event stream. */
        OPEN,
        /** Live pictures (frames, streams): open by default, may be set to need a token. */
        VIEW,
        /** Taking pictures: open by default, may be set to need admin. */
        CAPTURE,
        /** Every change: configuration, settings, lights, deletions, resets. */
        ADMIN
    }

    /** Routes that take pictures (their method alone would make them ADMIN). */
    private static final Set<String> CAPTURES = Set.of(
            "POST /v1/cameras/{camera}/snapshot", "POST /v1/snapshot", "POST /v1/snapshot/stereo",
            "POST /v1/cameras/{camera}/capture-on-device", "POST /v1/sequences/photometric");

    /** Changes anybody may ask for: getting a token checks the credentials itself. */
    private static final Set<String> OPEN_CHANGES = Set.of("POST /v1/auth/token");

    /** Routes that read live pictures. */
    private static final Set<String> VIEWS = Set.of(
            "GET /v1/cameras/{camera}/frame", "GET /v1/cameras/{camera}/frame.png",
            "GET /v1/cameras/{camera}/frame.raw", "GET /v1/cameras/{camera}/stream");

    /** The level a route needs: reads are open, live pictures VIEW, captures CAPTURE, every other change ADMIN. */
    static Level of(String method, String template) {
        String key = method + " " + template;
        if (CAPTURES.contains(key)) {
            return Level.CAPTURE;
        }
        if (VIEWS.contains(key)) {
            return Level.VIEW;
        }
        if (OPEN_CHANGES.contains(key)) {
            return Level.OPEN;
        }
        return "GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method) ? Level.OPEN : Level.ADMIN;
    }

    static Level of(Router.Route route) {
        return of(route.method(), route.template());
    }
}
