package org.obscura.rest.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.FrameSubscription;
import org.obscura.camera.api.LiveFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MJPEG viewer: writes a camera's live frames as {@code multipart/x-mixed-replace} parts, each
 * {@code --frame}, {@code Content-Type}, {@code Content-Length}, {@code X-Timestamp} and {@code X-Frame-Index}
 * headers (plus {@code X-Placeholder: true} on the "no signal" picture shown while the camera is offline),
 * the JPEG and CRLF, flushed part by part.
 *
 * <p>Blocking, one request thread per viewer: the thread waits for the newest frame (latest-frame semantics,
 * so a slow client skips frames instead of queueing them) and then for the socket. Placeholder frames are
 * written like camera frames, so a viewer keeps its connection and sees "no signal" while the camera is
 * offline, and the picture again when it is back. The stream ends when the client goes away (an IOException
 * from the socket), the thread is interrupted, {@code stopping} turns true (the API is shutting down and
 * closed the subscription) or the subscription is closed by its provider (the registry went away); the
 * subscription is closed in every case.
 */
final class MjpegStream implements Reply.BodyWriter {

    static final String BOUNDARY = "frame";
    static final String CONTENT_TYPE = "multipart/x-mixed-replace; boundary=" + BOUNDARY;

    private static final Logger LOG = LoggerFactory.getLogger(MjpegStream.class);
    private static final byte[] CRLF = {'\r', '\n'};
    /** How long one wait for a frame lasts before the stop flag is looked at again. */
    private static final long POLL_MILLIS = 500;

    private final FrameSubscription subscription;
    private final long minGapNanos;
    private final int quality;
    private final BooleanSupplier stopping;
    private final Runnable onEnd;

    /**
     * @param subscription the viewer's subscription; owned by this stream from now on
     * @param maxFps       at most this many frames per second to this client, 0 for no cap
     * @param quality      JPEG quality for frames encoded from raw ones, 1 to 100, or 0 for the hub's default
     * @param stopping     true when the server wants every stream to end
     * @param onEnd        run once when the stream has ended and its subscription is closed
     */
    MjpegStream(FrameSubscription subscription, double maxFps, int quality, BooleanSupplier stopping, Runnable onEnd) {
        this.subscription = subscription;
        this.quality = quality;
        this.minGapNanos = maxFps > 0 ? (long) (1_000_000_000L / maxFps) : 0;
        this.stopping = stopping;
        this.onEnd = onEnd;
    }

    @Override
    public void write(OutputStream out) throws IOException {
        try {
            byte[] chunk = new byte[64 * 1024];
            long due = System.nanoTime();
            while (!stopping.getAsBoolean()) {
                if (minGapNanos > 0 && !pauseUntil(due)) {
                    return;
                }
                long asked = System.nanoTime();
                try (LiveFrame frame = subscription.next(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                    if (frame == null) {
                        if (System.nanoTime() - asked < TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS / 2)) {
                            // Nothing, long before the timeout: the subscription was closed under us.
                            return;
                        }
                        continue;
                    }
                    ByteBuffer jpeg;
                    try {
                        jpeg = quality == 0 ? frame.jpeg() : frame.jpeg(quality);
                    } catch (CameraException e) {
                        // One frame that cannot be encoded is skipped; the next one may well work.
                        LOG.debug("skipping frame {} of camera {}: {}", frame.index(), subscription.camera(), e.getMessage());
                        continue;
                    }
                    writePart(out, jpeg, frame.frame().timestamp(), frame.index(), frame.placeholder(), chunk);
                }
                out.flush();
                due = System.nanoTime() + minGapNanos;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            end();
        }
    }

    @Override
    public void abandon() {
        end();
    }

    private void end() {
        try {
            subscription.close();
        } finally {
            onEnd.run();
        }
    }

    /** Sleeps until {@code due}, in short steps so that a stop is noticed; false if stopping meanwhile. */
    private boolean pauseUntil(long due) throws InterruptedException {
        long wait;
        while ((wait = due - System.nanoTime()) > 0) {
            if (stopping.getAsBoolean()) {
                return false;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS)));
        }
        return !stopping.getAsBoolean();
    }

    /** Writes one multipart part; {@code jpeg} is read from its position to its limit, not consumed. */
    static void writePart(OutputStream out, ByteBuffer jpeg, Instant timestamp, long index, boolean placeholder,
            byte[] chunk) throws IOException {
        ByteBuffer data = jpeg.duplicate();
        String head = "--" + BOUNDARY + "\r\n"
                + "Content-Type: image/jpeg\r\n"
                + "Content-Length: " + data.remaining() + "\r\n"
                + "X-Timestamp: " + timestamp + "\r\n"
                + "X-Frame-Index: " + index + "\r\n"
                + (placeholder ? "X-Placeholder: true\r\n" : "")
                + "\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        while (data.hasRemaining()) {
            int n = Math.min(chunk.length, data.remaining());
            data.get(chunk, 0, n);
            out.write(chunk, 0, n);
        }
        out.write(CRLF);
    }
}
