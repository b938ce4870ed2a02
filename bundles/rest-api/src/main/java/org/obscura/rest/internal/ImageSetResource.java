package org.obscura.rest.internal;

import static org.obscura.rest.internal.RouteDoc.arrayOf;
import static org.obscura.rest.internal.RouteDoc.object;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.ImageData;
import org.obscura.camera.api.ImageSet;
import org.obscura.camera.api.ImageSetFile;
import org.obscura.camera.api.ImageSets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /v1/sets}: the image sets the sequencer wrote, their files, a ZIP of each, and their deletion.
 * {@link ImageSets} keeps every path inside the sets folder; the router has already refused names that could
 * leave it. The service is optional and dynamic: 503 without it.
 */
final class ImageSetResource {

    private static final Logger LOG = LoggerFactory.getLogger(ImageSetResource.class);

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
                        .errors(400, 404, 502).error(503, UNAVAILABLE))
                // A literal segment outranks {file} in the router; sets never hold a file named "archive".
                .add("GET", "/v1/sets/{set}/archive", this::archive, RouteDoc.of("sets", "An image set as one ZIP")
                        .description("Every file of the set (images in step order, then manifest.json) under the "
                                + "folder <set>/ in the archive, streamed as it is read (Content-Disposition: "
                                + "attachment; filename=\"<set>.zip\"). Images are stored, other files deflated. "
                                + "A file that vanishes while the archive is being sent aborts the connection, so "
                                + "the client sees an incomplete download rather than a shorter archive.")
                        .answers(200, "application/zip", "the ZIP archive", Map.of("type", "string", "format", "binary"))
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

    /**
     * Lists the set now, so that a malformed or unknown name (400, 404) or a missing service (503) is answered
     * as a problem; the archive itself is written after the headers are committed.
     */
    Reply archive(Call call) {
        String set = call.param("set");
        ImageSets service = sets.require();
        List<ImageSetFile> files = service.contents(set);
        return new Reply.Stream("application/zip", Map.of(
                "Cache-Control", "no-cache",
                // The router allows only [A-Za-z0-9_-] in a set name: nothing to escape in the header.
                "Content-Disposition", "attachment; filename=\"" + set + ".zip\""),
                new Archive(service, set, files));
    }

    /**
     * Writes one set as a ZIP straight to the response: no temporary file, and only the file being added is in
     * memory ({@link ImageSets#image} reads a whole file). The body is unbounded in length, so it is chunked.
     *
     * <p>In an asynchronous container (as deployed) the archive is written by a container thread with blocking
     * writes, and a file that cannot be read any more (deleted meanwhile) aborts the connection: the status is
     * long committed, and ending the body normally would hand the client a shorter archive that looks
     * complete to sequential readers. Without asynchronous support the request thread writes it and can only
     * stop before the central directory, which every archive tool reports as a damaged file.
     */
    static final class Archive implements Reply.AsyncBodyWriter {
        private final ImageSets service;
        private final String set;
        private final List<ImageSetFile> files;

        Archive(ImageSets service, String set, List<ImageSetFile> files) {
            this.service = service;
            this.set = set;
            this.files = List.copyOf(files);
        }

        @Override
        public void write(OutputStream out) throws IOException {
            try {
                zip(out);
            } catch (Vanished e) {
                LOG.warn("image set {}: archive cut short: {}", set, e.getMessage());
                throw new IOException(e.getMessage(), e);
            }
        }

        @Override
        public void start(HttpServletRequest request, HttpServletResponse response) {
            AsyncContext context;
            try {
                context = request.startAsync();
                context.setTimeout(0); // a large set to a slow client takes what it takes; the idle timeout still applies
            } catch (RuntimeException e) {
                LOG.debug("image set {}: archive not started: {}", set, e.toString());
                return;
            }
            try {
                context.start(() -> send(context, response));
            } catch (RuntimeException e) { // the container is stopping
                LOG.debug("image set {}: archive not started: {}", set, e.toString());
                complete(context);
            }
        }

        private void send(AsyncContext context, HttpServletResponse response) {
            try {
                zip(response.getOutputStream());
            } catch (Vanished e) {
                LOG.warn("image set {}: archive aborted: {}", set, e.getMessage());
                abort(response);
            } catch (IOException e) {
                LOG.debug("image set {}: archive not delivered: {}", set, e.toString());
            } catch (RuntimeException e) {
                LOG.warn("image set {}: archive aborted", set, e);
                abort(response);
            } finally {
                complete(context);
            }
        }

        @Override
        public void abandon() {
            // Holds nothing: the files are read only while writing.
        }

        /** Writes the archive; never closes {@code out} (the container ends the response). */
        void zip(OutputStream out) throws IOException, Vanished {
            ZipOutputStream zip = new ZipOutputStream(new Unclosable(out));
            for (ImageSetFile f : files) {
                byte[] data;
                try {
                    data = service.image(f.path()).data();
                } catch (CameraException e) {
                    throw new Vanished(f.file() + " cannot be read any more: " + e.getMessage());
                }
                ZipEntry entry = new ZipEntry(set + "/" + f.file());
                if (String.valueOf(f.mimeType()).startsWith("image/")) {
                    // JPEG and PNG are compressed already: deflating them costs CPU for nothing.
                    CRC32 crc = new CRC32();
                    crc.update(data);
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(data.length);
                    entry.setCompressedSize(data.length);
                    entry.setCrc(crc.getValue());
                } else {
                    entry.setMethod(ZipEntry.DEFLATED);
                }
                zip.putNextEntry(entry);
                zip.write(data);
                zip.closeEntry();
            }
            // close() writes the central directory and releases the Deflater; Unclosable keeps the response open.
            // Deliberately not in a finally: after a failure it would finish the archive and make it look
            // complete. The Deflater of a failed archive is released by the garbage collector.
            zip.close();
            out.flush();
        }

        /** Aborts the connection (Jetty: {@code sendError(-1)}); elsewhere the body simply ends unfinished. */
        private static void abort(HttpServletResponse response) {
            try {
                response.sendError(-1);
            } catch (IOException | RuntimeException e) {
                LOG.debug("could not abort the connection: {}", e.toString());
            }
        }

        private static void complete(AsyncContext context) {
            try {
                context.complete();
            } catch (RuntimeException alreadyDone) {
                LOG.trace("async context already completed: {}", alreadyDone.toString());
            }
        }
    }

    /** A file of the set could not be read while the archive was being written. */
    static final class Vanished extends Exception {
        private static final long serialVersionUID = 1L;

        Vanished(String message) {
            super(message);
        }
    }

    /**
     * Passes writes through to the response stream but not {@code close()}: the ZIP stream must be closed to
     * release its Deflater, the response must not be closed by it.
     */
    private static final class Unclosable extends OutputStream {
        private final OutputStream out;

        Unclosable(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() {
            // the response stays open; see the class comment
        }
    }
}
