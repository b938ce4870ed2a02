package org.obscura.rest.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraRegistry;
import org.obscura.camera.api.FrameListener;
import org.obscura.camera.api.FrameSubscription;
import org.obscura.camera.api.LiveFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MJPEG viewer: writes a camera's live frames as {@code multipart/x-mixed-replace} parts, each
 * {@code --frame}, {@code Content-Type}, {@code Content-Length}, {@code X-Timestamp} and {@code X-Frame-Index}
 * headers (plus {@code X-Placeholder: true} on the "no signal" picture shown while the camera is offline),
 * the JPEG and CRLF, flushed part by part. Placeholders are written like camera frames, so a viewer keeps its
 * connection and sees "no signal" while the camera is offline, and the picture again when it is back.
 *
 * <p><b>Non-blocking fan-out</b> ({@link #start}, used whenever the container supports asynchronous requests): no
 * thread belongs to a viewer. The hub's delivery thread calls {@link #frameAvailable}, which only sets the "newer
 * frame" flag and, if nothing is being written to this client, hands one write step to the shared {@code writers}
 * ({@link MjpegWriters}: one hand-off per burst of steps, not per viewer). A write step takes the hub's newest
 * frame and writes its part through the Servlet non-blocking output ({@link ServletOutputStream#isReady()} before
 * every write); when the socket is full it returns, and {@link WriteListener#onWritePossible()} resumes it on a
 * container thread once the client has read. The part (boundary, headers, JPEG, CRLF) is built once per frame for
 * every viewer of the camera at that quality ({@link MjpegParts}) in a direct buffer, and written as one write of
 * that shared buffer where the container's output takes a {@link ByteBuffer} (Servlet 6.1, Jetty 12): no copy per
 * viewer. Elsewhere it is copied through a per-viewer array in chunks, then flushed. Frames that arrive meanwhile
 * only set the flag again, so a slow client skips to the newest frame instead of queueing (latest-frame semantics,
 * dropped per client) and never delays the camera or other viewers. {@code ?fps=} is kept by not starting a part
 * before its time: a frame that comes too early schedules one wake-up on the shared pool for the time the next
 * part is allowed.
 *
 * <p>At most one thread touches this client's output at a time: whoever sets {@link #busy} (the write step,
 * or the container while a write is pending). The parts in progress are only read and written by it.
 *
 * <p><b>Blocking fallback</b> ({@link #write}, for a container without asynchronous support): the request
 * thread waits for the newest frame and then for the socket; the rate cap sleeps in short steps.
 *
 * <p>The stream ends when the client goes away (an IOException or a write listener error), the container
 * ends the request ({@link AsyncListener} complete, error or timeout), {@link #end()} is called (the API is
 * shutting down) or the subscription is closed by its provider (the registry went away; the blocking path
 * notices at once, the asynchronous one on its next write). In every case the subscription is closed exactly
 * once and {@code onEnd} runs once.
 */
final class MjpegStream implements Reply.AsyncBodyWriter, FrameListener {

    static final String BOUNDARY = MjpegParts.BOUNDARY;
    static final String CONTENT_TYPE = "multipart/x-mixed-replace; boundary=" + BOUNDARY;

    private static final Logger LOG = LoggerFactory.getLogger(MjpegStream.class);
    private static final byte[] CRLF = MjpegParts.crlf();
    /** How long one blocking wait for a frame lasts before the end flag is looked at again. */
    private static final long POLL_MILLIS = 500;
    /**
     * Bytes handed to the container per write when its output takes no {@link ByteBuffer}: parts are then copied
     * through this per-client array, reused only once the container has taken the previous write (isReady).
     */
    private static final int CHUNK_BYTES = 32 * 1024;
    /**
     * {@code write(ByteBuffer)} of a container's output stream class (Servlet 6.1 declares it; Jetty 12's output
     * has it and writes a direct buffer without copying, non-blocking in asynchronous mode), if it has a
     * public one. Looked up once per class; this bundle compiles against Servlet 6.0.
     */
    private static final ClassValue<Optional<MethodHandle>> BUFFER_WRITE = new ClassValue<>() {
        @Override
        protected Optional<MethodHandle> computeValue(Class<?> type) {
            try {
                return Optional.of(MethodHandles.publicLookup()
                        .findVirtual(type, "write", MethodType.methodType(void.class, ByteBuffer.class))
                        .asType(MethodType.methodType(void.class, ServletOutputStream.class, ByteBuffer.class)));
            } catch (NoSuchMethodException | IllegalAccessException | RuntimeException e) {
                return Optional.empty();
            }
        }
    };

    private final FrameSubscription subscription;
    private final MjpegParts.Slot parts;
    private final MjpegWriters writers;
    private final long minGapNanos;
    private final int quality;
    private final Consumer<MjpegStream> onEnd;
    private final AtomicBoolean ended = new AtomicBoolean();

    /**
     * Set by the hub when a frame newer than the last one taken is there; cleared when a part is started. Starts
     * set, so that a new viewer gets the hub's current frame at once instead of waiting for the next one.
     */
    private final AtomicBoolean newer = new AtomicBoolean(true);
    /**
     * Held by whoever may touch the output now. Starts held: until {@link #start} the listener must not write,
     * and the container's first {@code onWritePossible} then takes over.
     */
    private final AtomicBoolean busy = new AtomicBoolean(true);
    private final AtomicBoolean wakeScheduled = new AtomicBoolean();
    private volatile AsyncContext async;
    private volatile ServletOutputStream out;
    /** {@link System#nanoTime()} before which no new part starts (the rate cap). */
    private volatile long notBefore = System.nanoTime();

    /** The container output's {@code write(ByteBuffer)}, or null: then parts go through {@link #chunk}. */
    private volatile MethodHandle bufferWrite;

    // Owned by the holder of busy.
    /**
     * The part last handed to the container or being copied, with this viewer's reference: released once the
     * container has taken the whole write (isReady true again). Never released by {@link #end()}: a write may
     * still be in progress then, so the buffer is left to the garbage collector instead of being reused.
     */
    private MjpegParts.Part current;
    /** What is left to copy of {@link #current} (array path only). */
    private ByteBuffer copying;
    private byte[] chunk;
    private boolean flushNeeded;
    private long lastIndex = Long.MIN_VALUE;

    /**
     * Subscribes to the camera with this stream as the subscription's listener.
     *
     * @param maxFps  at most this many frames per second to this client, 0 for no cap
     * @param quality JPEG quality for frames encoded from raw ones, 1 to 100, or 0 for the hub's default
     * @param parts   where the parts of frames are built once for every viewer
     * @param writers runs write steps and rate-cap wake-ups on a shared pool; never blocked on a socket
     * @param onEnd   run once when the stream has ended and its subscription is closed
     * @throws CameraException NOT_FOUND for an unknown camera (nothing is held then)
     */
    MjpegStream(CameraRegistry registry, String camera, double maxFps, int quality, MjpegParts parts,
            MjpegWriters writers, Consumer<MjpegStream> onEnd) {
        this.quality = quality;
        this.minGapNanos = maxFps > 0 ? (long) (1_000_000_000L / maxFps) : 0;
        this.writers = writers;
        this.onEnd = onEnd;
        this.parts = parts.open(camera, quality);
        try {
            // Last: the hub may call frameAvailable from here on, which only touches the flags above.
            this.subscription = registry.subscribe(camera, this);
        } catch (RuntimeException e) {
            this.parts.close();
            throw e;
        }
    }

    /** Whether parts to an output stream of this class are written as one shared buffer, without a copy. */
    static boolean writesSharedBuffers(Class<? extends ServletOutputStream> type) {
        return BUFFER_WRITE.get(type).isPresent();
    }

    // ---- the hub's side (its delivery thread: never blocks) ----

    @Override
    public void frameAvailable(FrameSubscription s) {
        newer.set(true);
        if (busy.get()) {
            return; // the writer in charge looks at the flag before it lets go
        }
        long wait = notBefore - System.nanoTime();
        if (wait > 0) {
            scheduleWake(wait);
        } else if (!ended.get() && busy.compareAndSet(false, true)) {
            try {
                writers.execute(this::pump);
            } catch (RejectedExecutionException e) {
                end(); // the pool is shut down: the API is going away
            }
        }
    }

    private void scheduleWake(long delayNanos) {
        if (ended.get() || !wakeScheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            writers.schedule(() -> {
                wakeScheduled.set(false);
                if (!ended.get() && busy.compareAndSet(false, true)) {
                    pump();
                }
            }, delayNanos);
        } catch (RejectedExecutionException e) {
            wakeScheduled.set(false);
            end();
        }
    }

    // ---- non-blocking writing ----

    /**
     * Puts the request in asynchronous mode (no timeout) and writes from now on without holding any thread;
     * the response headers are already committed. Returns at once.
     */
    @Override
    public void start(HttpServletRequest request, HttpServletResponse response) {
        try {
            AsyncContext context = request.startAsync();
            context.setTimeout(0);
            context.addListener(new AsyncListener() {
                @Override
                public void onComplete(AsyncEvent event) {
                    end();
                }

                @Override
                public void onTimeout(AsyncEvent event) {
                    end();
                }

                @Override
                public void onError(AsyncEvent event) {
                    LOG.debug("stream of camera {} failed: {}", subscription.camera(), String.valueOf(event.getThrowable()));
                    end();
                }

                @Override
                public void onStartAsync(AsyncEvent event) {
                }
            });
            out = response.getOutputStream();
            bufferWrite = BUFFER_WRITE.get(out.getClass()).orElse(null);
            LOG.debug("stream of camera {}: {} output, parts written {}", subscription.camera(), out.getClass().getName(),
                    bufferWrite == null ? "in copied chunks" : "as shared buffers");
            async = context;
            if (ended.get()) {
                complete(context); // ended while starting; end() may not have seen the context
                return;
            }
            out.setWriteListener(new WriteListener() {
                @Override
                public void onWritePossible() {
                    pump();
                }

                @Override
                public void onError(Throwable t) {
                    LOG.debug("stream client of camera {} went away: {}", subscription.camera(), t.toString());
                    end();
                }
            });
        } catch (IOException | RuntimeException e) {
            LOG.debug("stream of camera {} not started: {}", subscription.camera(), e.toString());
            end();
        }
    }

    /**
     * Writes as much as the client takes without blocking; called only by the holder of {@link #busy}. Keeps
     * busy while the container has a write pending (it calls onWritePossible later), lets go when there is
     * nothing to write now.
     */
    private void pump() {
        ServletOutputStream o = out;
        try {
            while (!ended.get()) {
                if (!o.isReady()) {
                    return; // the container calls onWritePossible when the client has read
                }
                // Ready: the container has taken every write handed to it so far.
                if (copying != null) {
                    writeChunk(o);
                    continue;
                }
                if (current != null) {
                    current.release();
                    current = null;
                }
                if (flushNeeded) {
                    flushNeeded = false;
                    o.flush();
                } else if (!nextPart()) {
                    busy.set(false);
                    // A frame that came after nextPart() looked saw busy set and left it to this writer.
                    if (!frameDue() || !busy.compareAndSet(false, true)) {
                        return;
                    }
                } else if (current != null) {
                    MethodHandle write = bufferWrite;
                    if (write != null) {
                        write.invokeExact(o, current.view()); // one write; the container flushes it
                    } else {
                        copying = current.view();
                        writeChunk(o);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("stream client of camera {} went away: {}", subscription.camera(), e.toString());
            end();
        } catch (Error e) {
            throw e;
        } catch (Throwable e) {
            // Only the method handle declares Throwable; Jetty's write(ByteBuffer) throws IOException at most.
            LOG.debug("stream client of camera {} went away: {}", subscription.camera(), e.toString());
            end();
        }
    }

    /** Whether a newer frame is there and the rate cap allows it now; if only the cap holds it back, a wake-up is due. */
    private boolean frameDue() {
        if (!newer.get() || ended.get()) {
            return false;
        }
        long wait = notBefore - System.nanoTime();
        if (wait > 0) {
            scheduleWake(wait);
            return false;
        }
        return true;
    }

    /**
     * Takes the hub's newest frame as {@link #current} if one is due; false when there is nothing to write now.
     * True also when the frame turned out to be unusable (then {@link #current} stays null and the caller simply
     * looks again).
     */
    private boolean nextPart() {
        if (!frameDue()) {
            return false;
        }
        newer.set(false);
        try (LiveFrame frame = subscription.latest()) {
            if (frame == null || frame.index() == lastIndex) {
                return true;
            }
            ByteBuffer jpeg;
            try {
                jpeg = quality == 0 ? frame.jpeg() : frame.jpeg(quality);
            } catch (CameraException e) {
                // One frame that cannot be encoded is skipped; the next one may well work.
                LOG.debug("skipping frame {} of camera {}: {}", frame.index(), subscription.camera(), e.getMessage());
                return true;
            }
            lastIndex = frame.index();
            current = parts.part(frame, jpeg);
            if (minGapNanos > 0) {
                notBefore = System.nanoTime() + minGapNanos;
            }
            return true;
        }
    }

    /** Copies the next chunk of the part into this viewer's array and hands it over; after the last one a flush is due. */
    private void writeChunk(ServletOutputStream o) throws IOException {
        if (chunk == null) {
            chunk = new byte[CHUNK_BYTES];
        }
        int n = Math.min(copying.remaining(), chunk.length);
        copying.get(chunk, 0, n);
        if (!copying.hasRemaining()) {
            copying = null;
            flushNeeded = true;
            // Copied out: the shared buffer is not needed for this viewer any more.
            current.release();
            current = null;
        }
        o.write(chunk, 0, n);
    }

    // ---- blocking fallback ----

    @Override
    public void write(OutputStream out) throws IOException {
        try {
            byte[] buffer = new byte[64 * 1024];
            long due = System.nanoTime();
            while (!ended.get()) {
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
                        LOG.debug("skipping frame {} of camera {}: {}", frame.index(), subscription.camera(), e.getMessage());
                        continue;
                    }
                    writePart(out, jpeg, frame.frame().timestamp(), frame.index(), frame.placeholder(), buffer);
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

    /** Sleeps until {@code due}, in short steps so that an end is noticed; false if ended meanwhile. */
    private boolean pauseUntil(long due) throws InterruptedException {
        long wait;
        while ((wait = due - System.nanoTime()) > 0) {
            if (ended.get()) {
                return false;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS)));
        }
        return !ended.get();
    }

    // ---- ending ----

    @Override
    public void abandon() {
        end();
    }

    /**
     * Ends the stream: closes the subscription (which also wakes a blocking writer), runs {@code onEnd} and
     * completes the asynchronous request, all once, whoever calls first. Any thread; never blocks.
     */
    void end() {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        try {
            subscription.close();
        } finally {
            parts.close();
            try {
                onEnd.accept(this);
            } finally {
                AsyncContext context = async;
                if (context != null) {
                    complete(context);
                }
            }
        }
    }

    private static void complete(AsyncContext context) {
        try {
            context.complete();
        } catch (IllegalStateException e) {
            // Already completed (the container ended the request, or the starter and end() both got here).
        }
    }

    /** Whether this stream has ended. */
    boolean ended() {
        return ended.get();
    }

    // ---- the part format ----

    /** Writes one multipart part; {@code jpeg} is read from its position to its limit, not consumed. */
    static void writePart(OutputStream out, ByteBuffer jpeg, Instant timestamp, long index, boolean placeholder,
            byte[] buffer) throws IOException {
        ByteBuffer data = jpeg.duplicate();
        out.write(MjpegParts.head(data.remaining(), timestamp, index, placeholder));
        while (data.hasRemaining()) {
            int n = Math.min(buffer.length, data.remaining());
            data.get(buffer, 0, n);
            out.write(buffer, 0, n);
        }
        out.write(CRLF);
    }
}
