package org.obscura.rest.internal;

import static org.obscura.rest.internal.RouteDoc.object;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.obscura.camera.api.BatchResult;
import org.obscura.camera.api.CaptureResult;
import org.obscura.camera.api.CaptureService;

/**
 * Snapshots: full-quality stills, stored with their sidecars. One camera, every online camera, or the stereo
 * cameras together. The body is optional: {@code {"metadata": {...}}} adds entries to the stills' metadata.
 *
 * <p>A batch answers 200 when at least one camera succeeded ({@code success} false and {@code errors} listing
 * the failed ones when not all did), and 503 when none did. Requests block until the stills are written.
 */
final class SnapshotResource {

    private static final Map<String, Object> METADATA = object("metadata", "object");
    private static final Map<String, Object> BATCH = object("mode", "string", "success", "boolean",
            "results", RouteDoc.arrayOf("object"), "errors", "object", "skew_ms", "number", "started", "string",
            "finished", "string");

    private final CaptureService captures;

    SnapshotResource(CaptureService captures) {
        this.captures = captures;
    }

    void addRoutes(Router router) {
        router.add("POST", "/v1/cameras/{camera}/snapshot", this::one, RouteDoc.of("captures", "Store a still from one camera")
                        .body(false, METADATA)
                        .answers(200, "the stored still (with the Snapshot Server's success, filename, image_url_path)",
                                object("success", "boolean", "camera", "string", "file", "string", "path", "string",
                                        "url", "string", "sidecar", "string", "size", "integer", "width", "integer",
                                        "height", "integer", "timestamp", "string", "filename", "string",
                                        "image_url_path", "string"))
                        .errors(400, 404, 413, 501, 502, 503, 504))
                .add("POST", "/v1/snapshot", this::all, RouteDoc.of("captures", "Store a still from every online camera")
                        .body(false, METADATA)
                        .answers(200, "the stills; success false when some cameras failed", BATCH)
                        .errors(400, 413).error(503, "every camera failed or none is online (the problem has errors)"))
                .add("POST", "/v1/snapshot/stereo", this::stereo, RouteDoc.of("captures", "Store stills from the stereo cameras together")
                        .body(false, METADATA)
                        .answers(200, "the stills and skew_ms, the spread of their capture times", BATCH)
                        .errors(400, 413).error(503, "fewer than two stereo cameras online, or all failed"));
    }

    Reply one(Call call) {
        String name = call.param("camera");
        CaptureResult r = captures.capture(name, metadata(call));
        return Reply.ok(Views.SingleSnapshotView.of(r));
    }

    Reply all(Call call) {
        return batch(captures.captureAll(metadata(call)));
    }

    Reply stereo(Call call) {
        return batch(captures.captureStereo(metadata(call)));
    }

    private static Reply batch(BatchResult b) {
        List<Views.SnapshotView> results = new ArrayList<>();
        for (CaptureResult r : b.results()) {
            results.add(Views.SnapshotView.of(r));
        }
        Double skew = b.skewNanos() == null ? null : Math.round(b.skewNanos() / 1_000.0) / 1_000.0;
        if (results.isEmpty()) {
            String detail = b.errors().isEmpty()
                    ? "no camera took part in the " + b.mode() + " snapshot: none is online"
                    : "every camera failed in the " + b.mode() + " snapshot: " + summary(b.errors());
            throw new ApiException(Problem.of(503, "unavailable", "Unavailable", detail)
                    .with("mode", b.mode()).with("errors", b.errors()));
        }
        return Reply.ok(new Views.BatchView(b.mode(), b.success(), results, b.errors(), skew, b.started(), b.finished()));
    }

    private static String summary(Map<String, String> errors) {
        List<String> parts = new ArrayList<>();
        errors.forEach((camera, message) -> parts.add(camera + ": " + message));
        parts.sort(null);
        return String.join("; ", parts);
    }

    /**
     * The optional {@code metadata} object of the body.
     *
     * @throws ApiException 400 for a malformed body, another member than {@code metadata}, or a metadata
     *                      that is not an object
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> metadata(Call call) {
        Map<String, Object> body = call.optionalJsonObject();
        for (String key : body.keySet()) {
            if (!key.equals("metadata")) {
                throw ApiException.invalid(key, "unknown member '" + Router.printable(key)
                        + "' in the snapshot request; only 'metadata' is allowed");
            }
        }
        Object m = body.get("metadata");
        if (m == null) {
            return Map.of();
        }
        if (!(m instanceof Map)) {
            throw ApiException.invalid("metadata", "metadata must be a JSON object, not " + JsonCodec.describe(m));
        }
        return (Map<String, Object>) m;
    }
}
