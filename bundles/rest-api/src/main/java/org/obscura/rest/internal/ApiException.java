package org.obscura.rest.internal;

import java.util.Map;

/**
 * An HTTP-level failure that no {@link org.obscura.camera.api.CameraException} kind expresses (unknown route,
 * wrong method, body too large, a batch in which every camera failed). Thrown by the router and handlers,
 * answered by the servlet as its problem, with the extra response headers (e.g. {@code Allow}).
 */
final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Problem problem;
    private final transient Map<String, String> headers;

    ApiException(Problem problem) {
        this(problem, Map.of());
    }

    ApiException(Problem problem, Map<String, String> headers) {
        super(problem.detail(), null, false, false);
        this.problem = problem;
        this.headers = Map.copyOf(headers);
    }

    static ApiException invalid(String field, String detail) {
        return new ApiException(Problem.invalid(field, detail));
    }

    Problem problem() {
        return problem;
    }

    Map<String, String> headers() {
        return headers;
    }
}
