package org.obscura.rest.internal;

import static org.obscura.rest.internal.RouteDoc.object;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.obscura.camera.api.CameraConfig;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.ImageStore;
import org.obscura.camera.api.StoredCapture;

/**
 * {@code /v1/captures}: the stored stills, newest first and paged, each file with its JSON sidecar, and their
 * deletion. Files are served through the image store, which keeps every path inside the data dir.
 */
final class CaptureResource {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 1000;

    private final ImageStore store;

    CaptureResource(ImageStore store) {
        this.store = store;
    }

    void addRoutes(Router router) {
        router.add("GET", "/v1/captures", this::list, RouteDoc.of("captures", "Stored stills, newest first, paged")
                        .query("camera", "string", "only this camera's")
                        .query("offset", "integer", "first item, default 0")
                        .query("limit", "integer", "items per page, 1.." + MAX_LIMIT + ", default " + DEFAULT_LIMIT)
                        .answers(200, "one page", object("items", RouteDoc.arrayOf("object"), "offset", "integer",
                                "limit", "integer", "total", "integer"))
                        .errors(400))
                .add("GET", "/v1/captures/{camera}/{file}", this::file, RouteDoc.of("captures", "A stored still or its sidecar")
                        .description("The image; its JSON sidecar with sidecar=true or by the sidecar's own name (<file>.json).")
                        .query("sidecar", "boolean", "answer the JSON sidecar")
                        .query("download", "boolean", "Content-Disposition attachment")
                        .answers(200, "image/jpeg", "the image (or application/json for a sidecar)",
                                Map.of("type", "string", "format", "binary"))
                        .errors(400, 404))
                .add("DELETE", "/v1/captures/{camera}/{file}", this::delete, RouteDoc.of("captures", "Delete a still and its sidecar")
                        .answers(204, "application/json", "deleted", null).errors(400, 404));
    }

    /** {@code ?camera=&offset=&limit=}: one page, {items, offset, limit, total}. */
    Reply list(Call call) {
        String camera = call.query("camera").filter(c -> !c.isEmpty()).orElse(null);
        if (camera != null && !CameraConfig.isValidName(camera)) {
            throw ApiException.invalid("camera", "invalid camera name '" + Router.printable(camera) + "'");
        }
        int offset = call.intQuery("offset", 0, Integer.MAX_VALUE, 0);
        int limit = call.intQuery("limit", 1, MAX_LIMIT, DEFAULT_LIMIT);
        return Reply.ok(store.captures(camera, offset, limit));
    }

    /**
     * The image ({@code image/jpeg}); its sidecar with {@code ?sidecar=true} or by the sidecar's own file name
     * ({@code ....json}). {@code ?download=true} asks the browser to save it.
     */
    Reply file(Call call) {
        String camera = call.param("camera");
        String file = call.param("file");
        boolean download = call.booleanQuery("download", false);
        if (file.toLowerCase(Locale.ROOT).endsWith(".json")) {
            StoredCapture owner = sidecarOwner(camera, file)
                    .orElseThrow(() -> CameraException.notFound("no sidecar '" + file + "' of camera '" + camera + "'"));
            return serve(owner.sidecar(), download);
        }
        StoredCapture capture = store.capture(camera, file)
                .orElseThrow(() -> CameraException.notFound("no capture '" + file + "' of camera '" + camera + "'"));
        if (call.booleanQuery("sidecar", false)) {
            if (capture.sidecar() == null) {
                throw CameraException.notFound("capture '" + file + "' of camera '" + camera + "' has no sidecar");
            }
            return serve(capture.sidecar(), download);
        }
        return serve(capture.path(), download);
    }

    Reply delete(Call call) {
        String camera = call.param("camera");
        String file = call.param("file");
        if (!store.deleteCapture(camera, file)) {
            throw CameraException.notFound("no capture '" + file + "' of camera '" + camera + "'");
        }
        return Reply.noContent();
    }

    /**
     * The capture a sidecar name belongs to, whichever way the store names sidecars ({@code x.jpg.json} or
     * {@code x.json}).
     */
    private Optional<StoredCapture> sidecarOwner(String camera, String sidecar) {
        String stem = sidecar.substring(0, sidecar.length() - ".json".length());
        for (String candidate : List.of(stem, stem + ".jpg", stem + ".jpeg")) {
            if (candidate.isEmpty()) {
                continue;
            }
            Optional<StoredCapture> c = store.capture(camera, candidate);
            if (c.isPresent() && c.get().sidecar() != null
                    && (c.get().sidecar().equals(sidecar) || c.get().sidecar().endsWith("/" + sidecar))) {
                return c;
            }
        }
        return Optional.empty();
    }

    private Reply serve(String relative, boolean download) {
        Path path = store.resolve(relative);
        if (!Files.isRegularFile(path)) {
            throw CameraException.notFound("file '" + relative + "' is gone");
        }
        String name = path.getFileName().toString().replaceAll("[\"\\\\\\p{Cntrl}]", "_");
        return new Reply.FileBody(contentType(name), path, Map.of(
                "Cache-Control", "no-cache",
                "Content-Disposition", (download ? "attachment" : "inline") + "; filename=\"" + name + "\""));
    }

    static String contentType(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        if (n.endsWith(".jpg") || n.endsWith(".jpeg")) {
            return "image/jpeg";
        } else if (n.endsWith(".png")) {
            return "image/png";
        } else if (n.endsWith(".json")) {
            return "application/json";
        }
        return "application/octet-stream";
    }
}
