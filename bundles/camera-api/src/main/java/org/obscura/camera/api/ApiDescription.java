package org.obscura.camera.api;

import java.util.Map;

/**
 * Documentation of HTTP routes that a bundle serves under {@code /api/v1} itself (with its own servlet),
 * registered as a service so that the REST API's OpenAPI document ({@code GET /api/v1/openapi.json}) describes
 * every v1 route, not only its own. The REST API tracks every such service while it runs: a description
 * appears in the document when its service is registered and disappears when it is unregistered.
 *
 * <p>The fragments are plain JSON-friendly values ({@link Map}, {@link java.util.List}, {@link String},
 * {@link Number}, {@link Boolean}, {@code null}) in OpenAPI 3.0 form:
 * <ul>
 * <li>{@link #openApiPaths()}: the "paths" object, path template -> lower-case method ({@code get},
 * {@code post}, ...) -> operation object ({@code summary}, {@code parameters}, {@code responses}, ...). Path
 * templates are relative to the API base {@code /api} (the document's server URL) and start with {@code /v1/},
 * e.g. {@code /v1/bundles/{id}}.</li>
 * <li>{@link #schemas()}: named schemas for {@code components/schemas}, referenced from the operations as
 * {@code #/components/schemas/<name>}. The document always holds {@code Problem}, the
 * {@code application/problem+json} error body, which operations may reference without declaring it.</li>
 * </ul>
 * Operations are expected to say their access level like the REST API's own: {@code x-obscura-access}
 * ({@code OPEN}, {@code VIEW}, {@code CAPTURE} or {@code ADMIN}) and a {@code security} list.
 *
 * <p>On a conflict (a path and method the REST API serves itself, or one an earlier description already
 * declared; a schema name already taken) the first declaration is kept and the later one is left out and
 * logged. Both methods are called whenever the document is rebuilt, from any thread: they must be
 * thread-safe, cheap and must not block; the returned maps are only read.
 */
@org.osgi.annotation.versioning.ConsumerType
public interface ApiDescription {

    /** The OpenAPI "paths" fragment of the routes this bundle serves: template -> method -> operation. */
    Map<String, Object> openApiPaths();

    /** Schemas the operations reference as {@code #/components/schemas/<name>}; none by default. */
    default Map<String, Object> schemas() {
        return Map.of();
    }
}
