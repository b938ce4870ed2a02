package org.obscura.rest.internal;

import java.io.IOException;
import java.io.InputStream;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.Preprocessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

/**
 * Reads and drops, once a servlet of this server has answered, what is left of a request body it did not read,
 * up to a bound: the body of a call refused with 401, 404 or 405, or a route that takes none.
 *
 * <p>Why: Jetty closes a connection whose request body was not read to its end, and when the answer is already
 * on its way it cannot announce that with {@code Connection: close}. A client that sends its next request on
 * that kept-alive connection then gets no answer at all ("header parser received no bytes" from Java's client,
 * a reset from Python's). Measured before this existed: 33 of 200 rounds of two refused POSTs on one
 * connection failed. A body beyond the bound is not worth reading: the answer to a request that declares a
 * longer body says {@code Connection: close}, and the connection ends after it.
 *
 * <p>One whiteboard preprocessor does this for every servlet of the server: the API, the seed routes, plugins,
 * the web console. Requests that went asynchronous (live streams) are left alone: their servlet owns them.
 */
@Component(service = Preprocessor.class)
public final class UnreadBodyDrain implements Preprocessor {

    private static final Logger LOG = LoggerFactory.getLogger(UnreadBodyDrain.class);
    /** Most bytes of an unread body read and dropped; as much as ApiServlet reads of a refused (413) body. */
    static final long LIMIT_BYTES = 4L * 1024 * 1024;

    @Override
    public void init(FilterConfig config) {
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (request instanceof HttpServletRequest http && response instanceof HttpServletResponse answer
                && http.getContentLengthLong() > LIMIT_BYTES) {
            // Said before the servlet answers, since the answer is usually complete (committed) when it returns:
            // if the servlet does not read this body, it is not read to its end, and the connection ends.
            response = new ClosingResponse(answer);
        }
        try {
            chain.doFilter(request, response);
        } finally {
            if (request instanceof HttpServletRequest http && response instanceof HttpServletResponse answer) {
                drop(http, answer);
            }
        }
    }

    /** Reads what is left of the body of {@code request}, if it has one; never throws. */
    static void drop(HttpServletRequest request, HttpServletResponse response) {
        if (!hasBody(request) || request.isAsyncStarted()) {
            return;
        }
        try {
            if (!readAndDrop(request.getInputStream()) && !response.isCommitted()) {
                response.setHeader("Connection", "close");
            }
        } catch (IOException | IllegalStateException e) {
            // The client went away, or the servlet read the body as characters (getReader): nothing to drop.
            LOG.debug("{} {}: unread body not dropped: {}", request.getMethod(), request.getRequestURI(), e.toString());
        }
    }

    /** A response that says {@code Connection: close}, also after a servlet resets it to answer an error. */
    private static final class ClosingResponse extends HttpServletResponseWrapper {
        ClosingResponse(HttpServletResponse response) {
            super(response);
            response.setHeader("Connection", "close");
        }

        @Override
        public void reset() {
            super.reset();
            setHeader("Connection", "close");
        }
    }

    /**
     * Reads and drops what is left of a body, at most {@link #LIMIT_BYTES}; blocks while the client sends.
     *
     * @return whether the body has been read to its end (the connection can then carry the next request)
     */
    static boolean readAndDrop(InputStream in) throws IOException {
        long left = LIMIT_BYTES;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped > 0) {
                left -= skipped;
            } else if (in.read() < 0) {
                return true;
            } else {
                left--;
            }
        }
        return in.read() < 0;
    }

    private static boolean hasBody(HttpServletRequest request) {
        long length = request.getContentLengthLong();
        return length > 0 || length < 0 && request.getHeader("Transfer-Encoding") != null;
    }

    @Override
    public void destroy() {
    }
}
