package org.obscura.rest.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * What a handler answers; the servlet turns it into status, headers and body. Errors are not replies: they
 * are thrown (CameraException, ApiException) and become problems.
 */
sealed interface Reply {

    /** Extra response headers. */
    Map<String, String> headers();

    /** A JSON document ({@code application/json}, UTF-8) serialised from {@code body}. */
    record Json(int status, Object body, Map<String, String> headers) implements Reply {
        public Json {
            headers = Map.copyOf(headers);
        }
    }

    /** Bytes held in memory, e.g. one JPEG frame; {@code data} is read from position to limit. */
    record Bytes(int status, String contentType, ByteBuffer data, Map<String, String> headers) implements Reply {
        public Bytes {
            data = data.asReadOnlyBuffer();
            headers = Map.copyOf(headers);
        }
    }

    /** A file streamed from disk with status 200 (404 if it vanished before the answer started). */
    record FileBody(String contentType, Path path, Map<String, String> headers) implements Reply {
        public FileBody {
            headers = Map.copyOf(headers);
        }
    }

    /**
     * An open-ended body (MJPEG), status 200: written by {@code writer} without a thread of its own when it is an
     * {@link AsyncBodyWriter} and the container supports asynchronous requests, else on the request thread.
     */
    record Stream(String contentType, Map<String, String> headers, BodyWriter writer) implements Reply {
        public Stream {
            headers = Map.copyOf(headers);
        }
    }

    /** No body, e.g. 204 or 201 without content. */
    record Empty(int status, Map<String, String> headers) implements Reply {
        public Empty {
            headers = Map.copyOf(headers);
        }
    }

    /**
     * Writes a streamed body. Exactly one of {@link #write} or {@link #abandon} is called, once; either
     * releases what the writer holds (a frame subscription).
     */
    interface BodyWriter {
        /**
         * Writes until done, the client goes away (an IOException from {@code out}) or the server stops.
         * Blocks the calling thread meanwhile.
         */
        void write(OutputStream out) throws IOException;

        /** Called instead of {@link #write} when no body is sent (HEAD, an error before the body). */
        void abandon();
    }

    /**
     * A body writer that can also write without holding a thread. Exactly one of {@link #write}, {@link #start}
     * or {@link #abandon} is called, once.
     */
    interface AsyncBodyWriter extends BodyWriter {
        /**
         * Called instead of {@link #write}, once the headers are committed, when the request may go
         * asynchronous: starts it and returns at once. From then on the writer owns the request and completes
         * it; it never throws (a failure ends the body and releases what the writer holds).
         */
        void start(HttpServletRequest request, HttpServletResponse response);
    }

    static Json ok(Object body) {
        return new Json(200, body, Map.of());
    }

    static Json created(Object body, String location) {
        return new Json(201, body, Map.of("Location", location));
    }

    static Empty noContent() {
        return new Empty(204, Map.of());
    }
}
