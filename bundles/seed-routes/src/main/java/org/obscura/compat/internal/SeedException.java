package org.obscura.compat.internal;

/**
 * A failure answered with a given HTTP status and message, in the error style of the route's seed. Thrown by
 * handlers for bad input and for failures that a seed documents with its own status code (FourCutTogether's
 * 503 and 504), caught by {@link SeedServlet}.
 */
final class SeedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;

    SeedException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    static SeedException badRequest(String message) {
        return new SeedException(400, message);
    }

    int status() {
        return status;
    }
}
