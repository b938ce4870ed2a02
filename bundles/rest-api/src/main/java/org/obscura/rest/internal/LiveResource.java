package org.obscura.rest.internal;


import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraRegistry;
import org.obscura.camera.api.CameraState;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.FrameImages;
import org.obscura.camera.api.FrameSubscription;
import org.obscura.camera.api.LiveFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A camera's live picture: one JPEG ({@code /frame}, optionally small), PNG ({@code /frame.png}) or raw BGR
 * ({@code /frame.raw}) picture, or an endless MJPEG stream ({@code /stream}), all from the camera's frame hub
 * (subscribing starts an idle camera). Full-size JPEGs are the hub's own (encoded once per frame and quality);
 * the other forms come from {@link FrameImages}, cached per frame by {@link FrameForms}.
 *
 * <p>Streams are a non-blocking fan-out ({@link MjpegStream}): no thread is held per viewer; the write steps
 * of all viewers and their rate-cap wake-ups run on one small pool ({@value #WRITER_THREADS_MIN} threads or one
 * per processor) owned here. {@link #endStreams()} and {@link #close()} end them (closing their subscriptions
 * and completing their requests); {@link #close()} also stops the pool.
 */
final class LiveResource implements AutoCloseable {

    private static final Map<String, Object> BINARY = Map.of("type", "string", "format", "binary");

    private final CameraRegistry registry;
    private final Duration frameTimeout;
    /** Null when no {@link FrameImages} service is there: the derived forms then answer 503. */
    private final FrameForms forms;
    private final Set<MjpegStream> streams = ConcurrentHashMap.newKeySet();
    /** The streams' parts, built once per frame for all viewers of a camera at one quality. */
    private final MjpegParts parts = new MjpegParts();
    /**
     * The streams' writer threads: the drain of {@link #writeSteps} and rate-cap wake-ups. A step never waits for
     * a socket; it may wait a few milliseconds for the hub to encode a frame, which is why there is more than one
     * thread (a wake-up is not held up by a drain).
     */
    private final ScheduledThreadPoolExecutor writers;
    /** The streams' write steps, one hand-off per burst (see {@link MjpegWriters}). */
    private final MjpegWriters writeSteps;
    private volatile boolean closed;

    static final int WRITER_THREADS_MIN = 2;
    private static final Logger LOG = LoggerFactory.getLogger(LiveResource.class);

    /** @param frameTimeout how long {@code /frame} waits for a camera image */
    LiveResource(CameraRegistry registry, Duration frameTimeout) {
        this(registry, frameTimeout, null);
    }

    /** @param images converts frames to the derived forms, or {@code null} when unavailable */
    LiveResource(CameraRegistry registry, Duration frameTimeout, FrameImages images) {
        this.registry = registry;
        this.frameTimeout = frameTimeout;
        this.forms = images == null ? null : new FrameForms(images);
        AtomicInteger threads = new AtomicInteger();
        // Threads start on the first stream, not here.
        this.writers = new ScheduledThreadPoolExecutor(Math.max(WRITER_THREADS_MIN, Runtime.getRuntime().availableProcessors()),
                task -> {
                    Thread t = new Thread(task, "obscura-mjpeg-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    t.setUncaughtExceptionHandler((th, e) -> LOG.error("MJPEG writer failed", e));
                    return t;
                });
        this.writers.setRemoveOnCancelPolicy(true);
        this.writers.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.writeSteps = new MjpegWriters(writers);
    }

    void addRoutes(Router router) {
        router.add("GET", "/v1/cameras/{camera}/frame", this::frame, RouteDoc.of("live", "The camera's current picture as JPEG")
                        .description("The first picture within the frame timeout. width/height give a smaller JPEG "
                                + "(one side alone keeps the aspect ratio); format=png or raw as the routes below.")
                        .query("quality", "integer", "JPEG quality 1..100")
                        .query("width", "integer", "scaled width, 1..the frame's")
                        .query("height", "integer", "scaled height, 1..the frame's")
                        .query("format", "string", "jpeg (default), png or raw")
                        .answers(200, "image/jpeg", "the picture; headers X-Frame-Index, X-Timestamp", BINARY)
                        .errors(400, 404).error(503, "camera offline").error(504, "no picture within the frame timeout"))
                .add("GET", "/v1/cameras/{camera}/frame.png", this::png, RouteDoc.of("live", "The current picture as lossless PNG")
                        .answers(200, "image/png", "the picture", BINARY).errors(400, 404, 503, 504))
                .add("GET", "/v1/cameras/{camera}/frame.raw", this::raw, RouteDoc.of("live", "The current picture as packed BGR bytes")
                        .description("Headers X-Width, X-Height, X-Channels: 3, X-Dtype: uint8.")
                        .answers(200, "application/octet-stream", "height x width x 3 bytes", BINARY)
                        .errors(400, 404, 503, 504))
                .add("GET", "/v1/cameras/{camera}/stream", this::stream, RouteDoc.of("live", "MJPEG stream")
                        .description("multipart/x-mixed-replace; boundary=frame. Placeholders while offline.")
                        .query("fps", "number", "rate cap, 0.1..120")
                        .query("quality", "integer", "JPEG quality 1..100 for frames encoded from raw ones")
                        .answers(200, "multipart/x-mixed-replace", "the stream (stays open)", BINARY)
                        .errors(400, 404));
    }

    /** What a route makes of the first camera picture. */
    @FunctionalInterface
    private interface Picture {
        Reply reply(LiveFrame frame);
    }

    /**
     * One JPEG, the first camera image (not a placeholder) to arrive, waiting up to the frame timeout.
     * {@code ?quality=1..100} re-encodes raw frames at that quality (JPEG frames from the camera pass as
     * they are). {@code ?width=&height=} asks for a smaller picture (both from 1 to the frame's size; with one
     * of them, the other keeps the aspect ratio); JPEG frames are then decoded scaled and re-encoded, at
     * {@code quality} or 80. {@code ?format=png|raw} is the same as {@code /frame.png} or {@code /frame.raw}.
     */
    Reply frame(Call call) throws InterruptedException {
        // ?format= names the same forms as the routes' suffixes, for clients that cannot change the path.
        String format = call.query("format").orElse("jpeg");
        switch (format) {
            case "jpeg", "jpg" -> { }
            case "png" -> {
                return png(call);
            }
            case "raw" -> {
                return raw(call);
            }
            default -> throw CameraException.invalid("format", "unknown format '" + format + "': jpeg, png or raw");
        }
        Integer quality = call.intQuery("quality", 1, 100, null);
        Integer width = call.intQuery("width", 1, 65535, null);
        Integer height = call.intQuery("height", 1, 65535, null);
        if (width == null && height == null) {
            // Encoded buffers stay valid after the frame is closed.
            return firstPicture(call, frame -> image("image/jpeg", frame,
                    quality == null ? frame.jpeg() : frame.jpeg(quality)));
        }
        FrameForms f = forms();
        return firstPicture(call, frame -> {
            Frame raw = frame.frame();
            // The sides asked for are checked first, so that the message names what the client sent.
            if (width != null && width > raw.width()) {
                throw CameraException.invalid("width", "width must be from 1 to the frame's width " + raw.width() + ", not " + width);
            }
            if (height != null && height > raw.height()) {
                throw CameraException.invalid("height",
                        "height must be from 1 to the frame's height " + raw.height() + ", not " + height);
            }
            int w = width != null ? width : Math.min(raw.width(), scaled(height, raw.width(), raw.height()));
            int h = height != null ? height : Math.min(raw.height(), scaled(width, raw.height(), raw.width()));
            if (w == raw.width() && h == raw.height()) {
                return image("image/jpeg", frame, quality == null ? frame.jpeg() : frame.jpeg(quality));
            }
            return image("image/jpeg", frame, f.smallJpeg(call.param("camera"), frame, w, h, quality == null ? 80 : quality));
        });
    }

    /** The other side of a size given on one side only, keeping the frame's aspect ratio; at least 1. */
    private static int scaled(int given, int otherSide, int givenSide) {
        return (int) Math.max(1, Math.round((double) given * otherSide / givenSide));
    }

    /** {@code /frame.png}: the first camera picture as a lossless PNG. */
    Reply png(Call call) throws InterruptedException {
        FrameForms f = forms();
        return firstPicture(call, frame -> image("image/png", frame, f.png(call.param("camera"), frame)));
    }

    /**
     * {@code /frame.raw}: the first camera picture as packed 8-bit BGR, {@code X-Width}, {@code X-Height},
     * {@code X-Channels: 3} and {@code X-Dtype: uint8}, so that {@code numpy.frombuffer(body, numpy.uint8)
     * .reshape(height, width, 3)} is the picture as OpenCV holds it.
     */
    Reply raw(Call call) throws InterruptedException {
        FrameForms f = forms();
        return firstPicture(call, frame -> {
            ByteBuffer bgr = f.bgr(call.param("camera"), frame);
            Frame raw = frame.frame();
            return new Reply.Bytes(200, "application/octet-stream", bgr, Map.of(
                    "Cache-Control", "no-store",
                    "X-Frame-Index", Long.toString(frame.index()),
                    "X-Timestamp", raw.timestamp().toString(),
                    "X-Width", Integer.toString(raw.width()),
                    "X-Height", Integer.toString(raw.height()),
                    "X-Channels", "3",
                    "X-Dtype", "uint8"));
        });
    }

    private FrameForms forms() {
        if (forms == null) {
            throw new CameraException(CameraException.Kind.UNAVAILABLE, "frame conversions are not available");
        }
        return forms;
    }

    private static Reply image(String type, LiveFrame frame, ByteBuffer data) {
        return new Reply.Bytes(200, type, data, Map.of(
                "Cache-Control", "no-store",
                "X-Frame-Index", Long.toString(frame.index()),
                "X-Timestamp", frame.frame().timestamp().toString()));
    }

    /**
     * Waits up to the frame timeout for the first camera image (not a placeholder) and answers what
     * {@code picture} makes of it, while the frame is still open.
     */
    private Reply firstPicture(Call call, Picture picture) throws InterruptedException {
        String name = call.param("camera");
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
                    return picture.reply(frame);
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
     * The MJPEG stream; {@code ?fps=0.1..120} caps the rate for this client, {@code ?quality=1..100} sets the
     * quality of frames encoded from raw ones (camera JPEG frames pass through untouched). The subscription is
     * opened here, so an unknown camera or a bad parameter answers 4xx before the stream starts.
     */
    Reply stream(Call call) {
        String name = call.param("camera");
        Double fps = call.doubleQuery("fps", 0.1, 120, null);
        Integer quality = call.intQuery("quality", 1, 100, null);
        if (closed) {
            throw new CameraException(CameraException.Kind.UNAVAILABLE, "the server is shutting down");
        }
        MjpegStream stream = new MjpegStream(registry, name, fps == null ? 0 : fps, quality == null ? 0 : quality,
                parts, writeSteps, streams::remove);
        streams.add(stream);
        if (closed || stream.ended()) {
            // close() ran between the check and the add and may have missed this one.
            stream.end();
            streams.remove(stream);
            throw new CameraException(CameraException.Kind.UNAVAILABLE, "the server is shutting down");
        }
        return new Reply.Stream(MjpegStream.CONTENT_TYPE, Map.of(
                "Cache-Control", "no-cache, no-store, must-revalidate",
                "Pragma", "no-cache",
                "X-Accel-Buffering", "no"), stream);
    }

    /** Number of MJPEG streams open now. */
    int openStreams() {
        return streams.size();
    }

    /**
     * Ends the streams open now (their requests complete; a blocking writer returns soon after); new ones may
     * start. For the servlet being taken down by the whiteboard, which may put the same servlet up again.
     */
    void endStreams() {
        for (MjpegStream s : streams) {
            s.end();
        }
    }

    /** Ends every stream, refuses new ones and stops the writer pool (the API is going away for good). Idempotent. */
    @Override
    public void close() {
        closed = true;
        endStreams();
        writers.shutdownNow();
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms / 1000.0 + " s";
    }
}
