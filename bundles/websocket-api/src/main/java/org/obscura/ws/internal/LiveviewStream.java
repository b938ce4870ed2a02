package org.obscura.ws.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.obscura.camera.api.CameraRegistry;
import org.obscura.camera.api.FrameListener;
import org.obscura.camera.api.FrameSubscription;
import org.obscura.camera.api.LiveFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One socket's liveview of one camera: frames from the camera's hub, sent as
 * {@code {"action": "liveview_frame", "frame": <base64 JPEG>, "mimetype": "image/jpeg"}} at most once per
 * interval, and only when the socket has sent the previous frame (latest-frame slot: a slow client skips
 * frames, it never queues them).
 *
 * <p>Threading: {@link #frameAvailable} runs on the hub's delivery thread and only sets a flag and schedules;
 * taking, encoding and base64-ing the frame happen on the shared scheduler, one frame at a time per stream.
 */
final class LiveviewStream implements FrameListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LiveviewStream.class);

    private static final byte[] HEAD = "{\"action\":\"liveview_frame\",\"frame\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TAIL = "\",\"mimetype\":\"image/jpeg\"}".getBytes(StandardCharsets.US_ASCII);

    private final String camera;
    private final Outbox outbox;
    private final ScheduledExecutorService scheduler;
    private final long intervalNanos;
    /** A frame newer than the last one sent is waiting in the hub. */
    private final AtomicBoolean pending = new AtomicBoolean();
    /** A frame is being taken, encoded or sent; the next one waits for it. */
    private final AtomicBoolean inFlight = new AtomicBoolean();
    private volatile FrameSubscription subscription;
    private volatile boolean closed;
    private volatile long lastSentNanos;

    LiveviewStream(String camera, Outbox outbox, ScheduledExecutorService scheduler, long intervalNanos) {
        this.camera = camera;
        this.outbox = outbox;
        this.scheduler = scheduler;
        this.intervalNanos = intervalNanos;
        this.lastSentNanos = System.nanoTime() - intervalNanos;
    }

    /**
     * Subscribes to the camera's frames (starting it when idle).
     *
     * @throws org.obscura.camera.api.CameraException NOT_FOUND when the camera does not exist
     */
    void open(CameraRegistry registry) {
        FrameSubscription s = registry.subscribe(camera, this);
        if (subscription == null) {
            subscription = s;
        }
        if (closed) {
            s.close();
            return;
        }
        // A frame may already be there (the camera was streaming for other viewers): send it at once.
        pending.set(true);
        schedule();
    }

    String camera() {
        return camera;
    }

    @Override
    public void frameAvailable(FrameSubscription s) {
        if (subscription == null) {
            subscription = s; // the hub can call before subscribe() has returned
        }
        pending.set(true);
        schedule();
    }

    /** Ends the subscription; a frame being encoded or sent is dropped. Idempotent. */
    @Override
    public void close() {
        closed = true;
        FrameSubscription s = subscription;
        if (s != null) {
            s.close();
        }
    }

    private void schedule() {
        if (closed || !pending.get() || !inFlight.compareAndSet(false, true)) {
            return;
        }
        long delay = Math.max(0, lastSentNanos + intervalNanos - System.nanoTime());
        try {
            scheduler.schedule(this::sendLatest, delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            inFlight.set(false); // shutting down
        }
    }

    private void sendLatest() {
        pending.set(false);
        FrameSubscription s = subscription;
        String message = null;
        if (!closed && s != null) {
            try (LiveFrame frame = s.latest()) {
                if (frame != null) {
                    message = frameMessage(frame.jpeg());
                }
            } catch (RuntimeException e) {
                LOG.debug("liveview of '{}': no frame to send: {}", camera, e.toString());
            }
        }
        if (message == null || closed) {
            release();
            return;
        }
        outbox.offerFrame(message, this::sent);
    }

    private void sent() {
        lastSentNanos = System.nanoTime();
        release();
    }

    private void release() {
        inFlight.set(false);
        schedule();
    }

    /** The liveview message for one JPEG, built in one pass without a JSON library (base64 needs no escaping). */
    static String frameMessage(ByteBuffer jpeg) {
        ByteBuffer b64 = Base64.getEncoder().encode(jpeg.duplicate());
        byte[] out = new byte[HEAD.length + b64.remaining() + TAIL.length];
        System.arraycopy(HEAD, 0, out, 0, HEAD.length);
        b64.get(out, HEAD.length, b64.remaining());
        System.arraycopy(TAIL, 0, out, out.length - TAIL.length, TAIL.length);
        return new String(out, StandardCharsets.US_ASCII);
    }
}
