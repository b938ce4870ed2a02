package org.obscura.rest.internal;

import static org.obscura.rest.internal.RouteDoc.arrayOf;
import static org.obscura.rest.internal.RouteDoc.object;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.ImageData;
import org.obscura.camera.api.ImageSet;
import org.obscura.camera.api.ImageSetFile;
import org.obscura.camera.api.ImageSets;

/**
 * {@code /v1/sets}: the image sets the sequencer wrote, their files, and their deletion. {@link ImageSets}
 * keeps every path inside the sets folder; the router has already refused names that could leave it. The
 * service is optional and dynamic: 503 without it.
 */
final class ImageSetResource {

    static final String UNAVAILABLE = "image sets are not available (no sequencer bundle running)";

    private static final Map<String, Object> SET = object("name", "string", "path", "string", "created", "string",
            "imageCount", "integer", "status", "string", "url", "string");
    private static final Map<String, Object> FILE = object("file", "string", "path", "string", "size", "integer",
            "mimeType", "string", "url", "string");

    private final ServiceSlot<ImageSets> sets;

    ImageSetResource(ServiceSlot<ImageSets> sets) {
        this.sets = sets;
    }

    void addRoutes(Router router) {
        router.add("GET", "/v1/sets", this::list, RouteDoc.of("sets", "Image sets, newest first")
                        .answers(200, "the sets", arrayOf(SET)).errors(502).error(503, UNAVAILABLE))
                .add("GET", "/v1/sets/{set}", this::contents, RouteDoc.of("sets", "The files of one image set")
                        .description("Images in step order, then manifest.json.")
                        .answers(200, "the set", object("name", "string", "path", "string", "files", arrayOf(FILE)))
                        .errors(400, 404, 502).error(503, UNAVAILABLE))
                .add("DELETE", "/v1/sets/{set}", this::delete, RouteDoc.of("sets", "Delete an image set")
                        .answers(204, "application/json", "deleted", null)
                        .errors(400, 404).error(409, "a sequence is writing this set").errors(502)
                        .error(503, UNAVAILABLE))
                .add("GET", "/v1/sets/{set}/{file}", this::file, RouteDoc.of("sets", "One file of an image set")
                        .query("download", "boolean", "true: Content-Disposition attachment")
                        .answers(200, "application/octet-stream", "the file's bytes, with its own Content-Type",
                                Map.of("type", "string", "format", "binary"))
                        .errors(400, 404, 502).error(503, UNAVAILABLE));
    }

    Reply list(Call call) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ImageSet s : sets.require().sets()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", s.name());
            m.put("path", s.path());
            m.put("created", s.created());
            m.put("imageCount", s.imageCount());
            m.put("status", s.status());
            m.put("url", call.base() + "/v1/sets/" + s.name());
            out.add(m);
        }
        return Reply.ok(out);
    }

    Reply contents(Call call) {
        String set = call.param("set");
        List<Map<String, Object>> files = new ArrayList<>();
        for (ImageSetFile f : sets.require().contents(set)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", f.file());
            m.put("path", f.path());
            m.put("size", f.size());
            m.put("mimeType", f.mimeType());
            m.put("url", call.base() + "/v1/sets/" + set + "/" + f.file());
            files.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", set);
        out.put("path", "sets/" + set);
        out.put("files", files);
        return Reply.ok(out);
    }

    Reply delete(Call call) {
        String set = call.param("set");
        if (!sets.require().delete(set)) {
            throw CameraException.notFound("no image set '" + set + "'");
        }
        return Reply.noContent();
    }

    Reply file(Call call) {
        String set = call.param("set");
        String file = call.param("file");
        boolean download = call.booleanQuery("download", false);
        ImageData data = sets.require().image("sets/" + set + "/" + file);
        String name = data.file().replaceAll("[\"\\\\\\p{Cntrl}]", "_");
        return new Reply.Bytes(200, data.mimeType(), ByteBuffer.wrap(data.data()), Map.of(
                "Cache-Control", "no-cache",
                "Content-Disposition", (download ? "attachment" : "inline") + "; filename=\"" + name + "\""));
    }
}
