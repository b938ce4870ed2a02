package org.obscura.compat.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The seed routes: exact paths ({@code /video_feed}) and path prefixes ({@code /snapshots/*}), each with its
 * methods, error style and handler. Built once when the servlet is set up, read by request threads afterwards.
 */
final class RouteTable {

    /** Answers one request. Handlers throw {@link SeedException} or {@code CameraException} for failures. */
    @FunctionalInterface
    interface Handler {
        void handle(Exchange exchange) throws IOException;
    }

    /**
     * One route.
     *
     * @param path    exact path below the prefix, or a folder path ending in {@code /*}
     * @param methods HTTP methods it answers
     */
    record Route(String path, Set<String> methods, ErrorStyle style, Handler handler) {
        boolean isFolder() {
            return path.endsWith("/*");
        }

        boolean matches(String requestPath) {
            if (isFolder()) {
                String folder = path.substring(0, path.length() - 1);
                return requestPath.startsWith(folder) && requestPath.length() > folder.length();
            }
            return path.equals(requestPath);
        }

        String allow() {
            return String.join(", ", methods) + ", OPTIONS";
        }
    }

    private final List<Route> routes = new ArrayList<>();

    RouteTable add(String path, ErrorStyle style, Handler handler, String... methods) {
        routes.add(new Route(path, new LinkedHashSet<>(List.of(methods)), style, handler));
        return this;
    }

    /** The route serving a path below the prefix; exact routes win over folders. */
    Optional<Route> find(String requestPath) {
        for (Route r : routes) {
            if (!r.isFolder() && r.matches(requestPath)) {
                return Optional.of(r);
            }
        }
        return routes.stream().filter(r -> r.isFolder() && r.matches(requestPath)).findFirst();
    }

    List<Route> routes() {
        return List.copyOf(routes);
    }

    /** The whiteboard servlet patterns for all routes under {@code prefix} ({@code ""} or {@code /a/b}). */
    List<String> patterns(String prefix) {
        return routes.stream().map(r -> prefix + r.path()).distinct().toList();
    }
}
