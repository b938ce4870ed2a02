package org.obscura.rest.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import org.obscura.camera.api.CameraException;

/**
 * An error answer in the RFC 9457 {@code application/problem+json} shape: {@code type}, {@code title},
 * {@code status}, {@code detail} (the human message), plus {@code field} when one input field is at fault
 * and any extension members (an error id, the per-camera errors of a failed batch).
 *
 * <p>The {@code type} is a URN naming the kind of failure ({@code urn:obscura:problem:not-found}), stable for
 * clients that branch on it; {@code title} is its short human form.
 */
public final class Problem {

    /** The media type of every error answer. */
    public static final String MEDIA_TYPE = "application/problem+json";

    private static final String TYPE_PREFIX = "urn:obscura:problem:";

    private final String type;
    private final String title;
    private final int status;
    private final String detail;
    private final String field;
    private final Map<String, Object> extensions;

    private Problem(String slug, String title, int status, String detail, String field,
            Map<String, Object> extensions) {
        this.type = TYPE_PREFIX + slug;
        this.title = title;
        this.status = status;
        this.detail = detail;
        this.field = field;
        this.extensions = Map.copyOf(extensions);
    }

    /** A problem of the given kind; {@code slug} becomes the last part of the type URN. */
    public static Problem of(int status, String slug, String title, String detail) {
        return new Problem(slug, title, status, detail, null, Map.of());
    }

    /** 400 for input that is wrong as a whole or in one field ({@code field} may be null). */
    public static Problem invalid(String field, String detail) {
        return new Problem("invalid-argument", "Invalid argument", 400, detail, field, Map.of());
    }

    /** 404 for a path that names nothing. */
    public static Problem notFound(String detail) {
        return of(404, "not-found", "Not found", detail);
    }

    /** The problem a {@link CameraException} stands for; its message becomes the detail, as written. */
    public static Problem of(CameraException e) {
        CameraException.Kind kind = e.kind();
        String detail = e.getMessage() == null || e.getMessage().isBlank() ? defaultDetail(kind) : e.getMessage();
        return new Problem(slug(kind), title(kind), status(kind), detail, e.field(), Map.of());
    }

    /** This problem with one more extension member (must not clash with the standard members). */
    public Problem with(String name, Object value) {
        Map<String, Object> more = new LinkedHashMap<>(extensions);
        more.put(name, value);
        return new Problem(type.substring(TYPE_PREFIX.length()), title, status, detail, field, more);
    }

    /** The HTTP status a failure kind answers with. */
    public static int status(CameraException.Kind kind) {
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

    private static String slug(CameraException.Kind kind) {
        return kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    private static String title(CameraException.Kind kind) {
        return switch (kind) {
            case INVALID_ARGUMENT -> "Invalid argument";
            case NOT_FOUND -> "Not found";
            case CONFLICT -> "Conflict";
            case BUSY -> "Busy";
            case UNAVAILABLE -> "Unavailable";
            case UNSUPPORTED -> "Not supported";
            case TIMEOUT -> "Timeout";
            case IO -> "Input/output error";
        };
    }

    private static String defaultDetail(CameraException.Kind kind) {
        return switch (kind) {
            case INVALID_ARGUMENT -> "the request is not valid";
            case NOT_FOUND -> "not found";
            case CONFLICT -> "the request conflicts with the current state";
            case BUSY -> "the device is busy";
            case UNAVAILABLE -> "the device or service is unavailable";
            case UNSUPPORTED -> "the operation is not supported";
            case TIMEOUT -> "the device did not answer in time";
            case IO -> "input/output error";
        };
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    public int status() {
        return status;
    }

    public String detail() {
        return detail;
    }

    /** The input field at fault, or {@code null}. */
    public String field() {
        return field;
    }

    public Map<String, Object> extensions() {
        return extensions;
    }

    /** The JSON members in their documented order; {@code field} only when set. */
    public Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        if (field != null) {
            body.put("field", field);
        }
        body.putAll(extensions);
        return body;
    }

    @Override
    public String toString() {
        return status + " " + title + ": " + detail + (field == null ? "" : " [" + field + "]");
    }
}
