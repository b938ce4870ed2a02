package org.obscura.compat.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import jakarta.servlet.http.HttpServletResponse;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraRegistry;
import org.obscura.camera.api.FrameSubscription;
import org.obscura.camera.api.LiveFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MJPEG streams of the seed routes: {@code multipart/x-mixed-replace; boundary=frame}, each part
 * {@code --frame}, {@code Content-Type: image/jpeg}, {@code Content-Length}, a blank line, the JPEG and CRLF,
 * as every seed wrote them (the {@code Content-Length} helps clients and is ignored by the others).
 *
 * <p>Blocking, one request thread per viewer: the thread waits for the camera's newest frame (slow clients skip
 * frames, they never slow the camera) and then for the socket. Placeholder frames are written like pictures, so
 * a viewer keeps its connection and sees "no signal" while the camera is offline. A stream ends when the client
 * goes away, its deadline passes, the subscription is closed, or {@link #close()} is called (the servlet is
 * taken down), which closes every open subscription so that waiting threads return at once.
 */
final class MjpegStreams implements AutoCloseable {

    static final String BOUNDARY = "frame";
    static final String CONTENT_TYPE = "multipart/x-mixed-replace; boundary=" + BOUNDARY;

    private static final Logger LOG = LoggerFactory.getLogger(MjpegStreams.class);
    private static final byte[] CRLF = {'\r', '\n'};
    /** The longest single wait for a frame, so that the deadline and the stop flag are looked at often. */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final CameraRegistry registry;
    private final Set<FrameSubscription> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    MjpegStreams(CameraRegistry registry) {
        this.registry = registry;
    }

    /**
     * Subscribes to a camera for a stream; the subscription is closed by {@link #stream} or by {@link #close()}.
     *
     * @throws CameraException NOT_FOUND; UNAVAILABLE when the streams are closed
     */
    FrameSubscription subscribe(String camera) {
        if (closed) {
            throw new CameraException(CameraException.Kind.UNAVAILABLE, "the server is stopping");
        }
        FrameSubscription s = registry.subscribe(camera, null);
        open.add(s);
        if (closed) {
            end(s);
            throw new CameraException(CameraException.Kind.UNAVAILABLE, "the server is stopping");
        }
        return s;
    }

    /**
     * Answers 200 and writes frames until the stream ends; closes {@code subscription} and {@code first}.
     *
     * @param first    a frame to write first (already waited for), or {@code null}
     * @param deadline end of the stream on the {@link System#nanoTime()} clock, or {@code 0} for none
     */
    void stream(HttpServletResponse response, FrameSubscription subscription, LiveFrame first, long deadline) {
        LiveFrame frame = first;
        try {
            response.setStatus(200);
            response.setContentType(CONTENT_TYPE);
            response.setHeader("Cache-Control", "no-cache, no-store, must-revalidate");
            response.setHeader("Pragma", "no-cache");
            OutputStream out = response.getOutputStream();
            response.flushBuffer();
            byte[] chunk = new byte[64 * 1024];
            while (!closed) {
                if (frame == null) {
                    long wait = POLL_NANOS;
                    if (deadline != 0) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            return;
                        }
                        wait = Math.min(wait, left);
                    }
                    long asked = System.nanoTime();
                    frame = subscription.next(wait, TimeUnit.NANOSECONDS);
                    if (frame == null) {
                        if (System.nanoTime() - asked < wait / 2) {
                            // Nothing, long before the wait was over: the subscription was closed under us.
                            return;
                        }
                        continue;
                    }
                }
                try (LiveFrame f = frame) {
                    frame = null;
                    ByteBuffer jpeg;
                    try {
                        jpeg = f.jpeg();
                    } catch (CameraException e) {
                        // One frame that cannot be encoded is skipped; the next one may well work.
                        LOG.debug("skipping frame {} of camera {}: {}", f.index(), subscription.camera(), e.getMessage());
                        continue;
                    }
                    writePart(out, jpeg, chunk);
                }
                out.flush();
                if (deadline != 0 && deadline - System.nanoTime() <= 0) {
                    return;
                }
            }
        } catch (IOException e) {
            LOG.debug("MJPEG viewer of camera {} went away: {}", subscription.camera(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (frame != null) {
                frame.close();
            }
            end(subscription);
        }
    }

    /** Closes a subscription from {@link #subscribe} that will not be streamed after all. */
    void release(FrameSubscription subscription) {
        end(subscription);
    }

    private void end(FrameSubscription subscription) {
        open.remove(subscription);
        subscription.close();
    }

    /** Writes one multipart part; {@code jpeg} is read from its position to its limit, not consumed. */
    static void writePart(OutputStream out, ByteBuffer jpeg, byte[] chunk) throws IOException {
        ByteBuffer data = jpeg.duplicate();
        String head = "--" + BOUNDARY + "\r\n"
                + "Content-Type: image/jpeg\r\n"
                + "Content-Length: " + data.remaining() + "\r\n"
                + "\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        while (data.hasRemaining()) {
            int n = Math.min(chunk.length, data.remaining());
            data.get(chunk, 0, n);
            out.write(chunk, 0, n);
        }
        out.write(CRLF);
    }

    /** Ends every stream: their subscriptions are closed, so the threads waiting in them return. Idempotent. */
    @Override
    public void close() {
        closed = true;
        for (FrameSubscription s : open) {
            end(s);
        }
    }
}
