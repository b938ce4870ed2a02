package org.obscura.rest.internal;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraRegistry;
import org.obscura.camera.api.CameraState;
import org.obscura.camera.api.FrameSubscription;
import org.obscura.camera.api.LiveFrame;

/**
 * A camera's live picture: one JPEG ({@code /frame}) or an endless MJPEG stream ({@code /stream}), both from
 * the camera's frame hub (subscribing starts an idle camera).
 *
 * <p>Streams are blocking writers on request threads for now; {@link #endStreams()} and {@link #close()} end
 * them by closing their subscriptions, which wakes their threads.
 */
final class LiveResource implements AutoCloseable {

    private final CameraRegistry registry;
    private final Duration frameTimeout;
    private final Set<FrameSubscription> streams = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** @param frameTimeout how long {@code /frame} waits for a camera image */
    LiveResource(CameraRegistry registry, Duration frameTimeout) {
        this.registry = registry;
        this.frameTimeout = frameTimeout;
    }

    void addRoutes(Router router) {
        router.add("GET", "/v1/cameras/{camera}/frame", this::frame)
                .add("GET", "/v1/cameras/{camera}/stream", this::stream);
    }

    /**
     * One JPEG, the first camera image (not a placeholder) to arrive, waiting up to the frame timeout.
     * {@code ?quality=1..100} re-encodes raw frames at that quality (JPEG frames from the camera pass as
     * they are).
     */
    Reply frame(Call call) throws InterruptedException {
        String name = call.param("camera");
        Integer quality = call.intQuery("quality", 1, 100, null);
        try (FrameSubscription subscription = registry.subscribe(name, null)) {
            long deadline = System.nanoTime() + frameTimeout.toNanos();
            boolean sawPlaceholder = false;
            long left;
            while ((left = deadline - System.nanoTime()) > 0) {
                try (LiveFrame frame = subscription.next(left, TimeUnit.NANOSECONDS)) {
                    if (frame == null) {
                        if (deadline - System.nanoTime() > TimeUnit.MILLISECONDS.toNanos(50)) {
                            break; // closed under us, long before the timeout: the camera went away
                        }
                        continue;
                    }
                    if (frame.placeholder()) {
                        sawPlaceholder = true;
                        continue;
                    }
                    // Encoded buffers stay valid after the frame is closed.
                    ByteBuffer jpeg = quality == null ? frame.jpeg() : frame.jpeg(quality);
                    return new Reply.Bytes(200, "image/jpeg", jpeg, Map.of(
                            "Cache-Control", "no-store",
                            "X-Frame-Index", Long.toString(frame.index()),
                            "X-Timestamp", frame.frame().timestamp().toString()));
                }
            }
            String waited = seconds(frameTimeout);
            if (sawPlaceholder || subscription.state() == CameraState.OFFLINE) {
                throw new CameraException(CameraException.Kind.UNAVAILABLE,
                        "camera '" + name + "' is offline: no picture within " + waited);
            }
            throw new CameraException(CameraException.Kind.TIMEOUT,
                    "camera '" + name + "' sent no picture within " + waited);
        }
    }

    /**
     * The MJPEG stream; {@code ?fps=0.1..120} caps the rate for this client. The subscription is opened here,
     * so an unknown camera answers 404 before the stream starts.
     */
    Reply stream(Call call) {
        String name = call.param("camera");
        Double fps = call.doubleQuery("fps", 0.1, 120, null);
        if (closed) {
            throw new CameraException(CameraException.Kind.UNAVAILABLE, "the server is shutting down");
        }
        FrameSubscription subscription = registry.subscribe(name, null);
        streams.add(subscription);
        if (closed) {
            // close() ran between the check and the add and may have missed this one.
            streams.remove(subscription);
            subscription.close();
            throw new CameraException(CameraException.Kind.UNAVAILABLE, "the server is shutting down");
        }
        MjpegStream writer = new MjpegStream(subscription, fps == null ? 0 : fps,
                () -> closed || !streams.contains(subscription), () -> streams.remove(subscription));
        return new Reply.Stream(MjpegStream.CONTENT_TYPE, Map.of(
                "Cache-Control", "no-cache, no-store, must-revalidate",
                "Pragma", "no-cache",
                "X-Accel-Buffering", "no"), writer);
    }

    /** Number of MJPEG streams open now. */
    int openStreams() {
        return streams.size();
    }

    /**
     * Ends the streams open now (their threads return soon after); new ones may start. For the servlet being
     * taken down by the whiteboard, which may put the same servlet up again.
     */
    void endStreams() {
        for (FrameSubscription s : streams) {
            streams.remove(s);
            s.close();
        }
    }

    /** Ends every stream and refuses new ones (the API is going away for good). Idempotent. */
    @Override
    public void close() {
        closed = true;
        endStreams();
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms / 1000.0 + " s";
    }
}
