package org.obscura.compat.internal;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.obscura.camera.api.CameraException;

/**
 * How a seed answers a failure: the status for each {@link CameraException.Kind} and the body. The seeds do not
 * all document their errors; where they do not, the body is the smallest JSON that carries the message in the
 * seed's own vocabulary.
 */
enum ErrorStyle {
    /** campi: {@code {"status": "error", "message": ...}}, the counterpart of its {@code {"status": "ok"}}. */
    CAMPI {
        @Override
        Object body(int status, String message) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("status", "error");
            m.put("message", message);
            return m;
        }
    },
    /**
     * Camera Server for FourCutTogether: {@code text/plain}; the seed's tables give 503 for a camera in use and
     * 504 for a camera that is not there (see {@link #status}).
     */
    FOURCUT {
        @Override
        int status(CameraException.Kind kind) {
            return switch (kind) {
                case INVALID_ARGUMENT -> 400;
                case NOT_FOUND, UNAVAILABLE, TIMEOUT -> 504;
                case UNSUPPORTED -> 501;
                case CONFLICT, BUSY, IO -> 503;
            };
        }

        @Override
        Object body(int status, String message) {
            return null;
        }

        /** In the shape of gphoto2's own error lines, which the seed passed on. */
        @Override
        String plain(String message) {
            return "*** Error: " + message + " ***\n";
        }
    },
    /** CamServe: {@code {"error": ...}}. */
    CAMSERVE {
        @Override
        Object body(int status, String message) {
            return Map.of("error", message);
        }
    },
    /** Snapshot Server: {@code {"success": false, "error": ...}}, as its client checks {@code success}. */
    SNAPSHOT {
        @Override
        Object body(int status, String message) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("success", false);
            m.put("error", message);
            return m;
        }
    };

    /** The HTTP status for a camera failure of this kind; never 500. */
    int status(CameraException.Kind kind) {
        return switch (kind) {
            case INVALID_ARGUMENT -> 400;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case BUSY, UNAVAILABLE -> 503;
            case UNSUPPORTED -> 501;
            case TIMEOUT -> 504;
            case IO -> 502;
        };
    }

    /** The JSON body for a failure, or {@code null} for a {@code text/plain} body holding only the message. */
    abstract Object body(int status, String message);

    /** The {@code text/plain} body for a failure when {@link #body} is {@code null}. */
    String plain(String message) {
        return message + "\n";
    }

    /** Answers a failure; the response must not be committed yet. */
    void send(Exchange exchange, int status, String message) throws IOException {
        Object body = body(status, message);
        if (body == null) {
            exchange.text(status, "text/plain", plain(message));
        } else {
            exchange.json(status, body);
        }
    }
}
