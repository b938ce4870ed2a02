package org.obscura.compat.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * One request to a seed route and the means to answer it. {@link #path()} is the path below the configured
 * prefix, decoded once by the container, e.g. {@code /video_feed} or {@code /snapshots/left/left_1.jpg}.
 *
 * <p>Used by one request thread at a time.
 */
final class Exchange {

    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final String path;
    private final String base;

    /**
     * @param path the path below the prefix
     * @param base the context path and prefix, to build URLs the client can follow
     */
    Exchange(HttpServletRequest request, HttpServletResponse response, String path, String base) {
        this.request = request;
        this.response = response;
        this.path = path;
        this.base = base;
    }

    HttpServletRequest request() {
        return request;
    }

    HttpServletResponse response() {
        return response;
    }

    String path() {
        return path;
    }

    /** The URL path of a route of this servlet, e.g. {@code url("/snapshots/a/b.jpg")}. */
    String url(String routePath) {
        return base + routePath;
    }

    /** A query parameter, or {@code null}. A malformed query is the client's doing: 400. */
    String parameter(String name) {
        try {
            return request.getParameter(name);
        } catch (RuntimeException e) {
            throw SeedException.badRequest("malformed query string");
        }
    }

    /**
     * The request body, at most {@code limit} bytes.
     *
     * @throws SeedException 413 beyond the limit
     */
    byte[] body(int limit) throws IOException {
        long declared = request.getContentLengthLong();
        if (declared > limit) {
            throw new SeedException(413, "request body too large: at most " + limit + " bytes");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try (InputStream in = request.getInputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (out.size() + n > limit) {
                    throw new SeedException(413, "request body too large: at most " + limit + " bytes");
                }
                out.write(buffer, 0, n);
            }
        }
        return out.toByteArray();
    }

    void json(int status, Object body) throws IOException {
        bytes(status, "application/json", JSON.writeValueAsBytes(body));
    }

    void text(int status, String contentType, String body) throws IOException {
        bytes(status, contentType + "; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    void bytes(int status, String contentType, byte[] body) throws IOException {
        bytes(status, contentType, ByteBuffer.wrap(body));
    }

    /** Writes {@code body} from its position to its limit without consuming it. */
    void bytes(int status, String contentType, ByteBuffer body) throws IOException {
        ByteBuffer data = body.duplicate();
        response.setStatus(status);
        response.setContentType(contentType);
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(data.remaining());
        OutputStream out = response.getOutputStream();
        if (data.hasArray()) {
            out.write(data.array(), data.arrayOffset() + data.position(), data.remaining());
        } else {
            byte[] chunk = new byte[64 * 1024];
            while (data.hasRemaining()) {
                int n = Math.min(chunk.length, data.remaining());
                data.get(chunk, 0, n);
                out.write(chunk, 0, n);
            }
        }
        out.flush();
    }
}
