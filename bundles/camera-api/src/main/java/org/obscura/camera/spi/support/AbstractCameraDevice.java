package org.obscura.camera.spi.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.obscura.camera.api.CameraDescriptor;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraException.Kind;
import org.obscura.camera.api.Frame;
import org.obscura.camera.spi.CameraDevice;
import org.obscura.camera.spi.FrameSink;

/**
 * A {@link CameraDevice} whose streaming contract is already kept: a driver writes only
 * {@link #stream(Stream)} (the loop that reads its source and hands frames to {@link Stream#deliver}) and
 * {@link #captureStill()}.
 *
 * <h2>Lifecycle</h2>
 * <ol>
 * <li>The driver's component creates the device (usually in its activate method, from the configuration
 * through {@link CameraConfigs#read}) and registers it with {@link CameraRegistration}.</li>
 * <li>{@link #start} (called by the core when the first viewer arrives) starts ONE daemon delivery thread,
 * named {@link #threadName()}, which runs {@link #stream(Stream)}. {@code start} does not block on the
 * source: connection failures are reported from the thread.</li>
 * <li>{@link #stop} ends the session: it closes what the stream registered with
 * {@link Stream#closeOnStop} (so blocking reads end), interrupts the thread and waits up to
 * {@value #STOP_WAIT_SECONDS} s for it. When {@code stop} returns, no further call reaches the sink,
 * even if the thread is still unwinding: every sink call happens under the stream's gate after checking that
 * the session is open, and {@code stop} closes the gate first (waiting for a sink call in progress). A sink
 * may call {@code stop} from inside a sink call on the delivery thread.</li>
 * <li>When {@code stream} throws, or returns while the session is still open, the failure is reported once
 * through {@link FrameSink#failed}; the core then calls {@code stop} and later {@code start} again.
 * Exceptions thrown after {@code stop} (a socket closed under a read) are expected and ignored.</li>
 * <li>{@link #close} (the component's deactivate, after unregistering) stops the device for good: later
 * {@code start} calls fail as UNAVAILABLE.</li>
 * </ol>
 *
 * <h2>Threading and buffers</h2>
 * {@code start}, {@code stop} and {@code close} may be called from any thread. {@link Stream}'s methods are
 * for the delivery thread only, except {@link Stream#active}. The frame handed to {@link Stream#deliver}
 * stays owned by the caller, who releases it afterwards ({@link BufferPool} recycles pooled buffers then).
 */
public abstract class AbstractCameraDevice implements CameraDevice, AutoCloseable {

    /** How long {@link #stop} waits for the delivery thread to end. */
    public static final long STOP_WAIT_SECONDS = 5;

    private static final System.Logger LOG = System.getLogger(AbstractCameraDevice.class.getName());

    private volatile CameraDescriptor descriptor;
    private final AtomicLong sequence = new AtomicLong();
    private Stream stream; // guarded by this
    private boolean closed; // guarded by this

    protected AbstractCameraDevice(CameraDescriptor descriptor) {
        this.descriptor = Objects.requireNonNull(descriptor, "descriptor");
    }

    /**
     * Reads the source and delivers frames until {@link Stream#active()} turns false. Runs on the delivery
     * thread; blocking is fine (register what a read blocks on with {@link Stream#closeOnStop}, or rely on
     * the thread's interrupt). Return or throw when the source is gone: that is reported as a failure unless
     * the session was stopped.
     *
     * @throws Exception anything; a {@link CameraException} keeps its kind, anything else becomes IO
     */
    protected abstract void stream(Stream stream) throws Exception;

    @Override
    public CameraDescriptor descriptor() {
        return descriptor;
    }

    /** Replaces the descriptor, e.g. when the source reveals its real frame size. */
    protected void descriptor(CameraDescriptor descriptor) {
        this.descriptor = Objects.requireNonNull(descriptor, "descriptor");
    }

    /** The next frame sequence number: increasing over the device's life, across sessions. */
    protected long nextSequence() {
        return sequence.incrementAndGet();
    }

    /** The delivery thread's name; {@code "camera-<name>"} unless overridden. */
    protected String threadName() {
        return "camera-" + descriptor.name();
    }

    /** {@code "camera '<name>'"}, for messages. */
    protected String quoted() {
        return "camera '" + descriptor.name() + "'";
    }

    @Override
    public final void start(FrameSink sink) {
        Objects.requireNonNull(sink, "sink");
        Stream previous;
        Stream next;
        synchronized (this) {
            if (closed) {
                throw new CameraException(Kind.UNAVAILABLE, quoted() + " has been removed");
            }
            if (stream != null && stream.active()) {
                throw new CameraException(Kind.CONFLICT, quoted() + " is already streaming");
            }
            previous = stream; // a session that failed and was not stopped yet
            next = new Stream(sink);
            stream = next;
        }
        if (previous != null) {
            previous.close();
        }
        next.begin();
    }

    @Override
    public final void stop() {
        Stream s;
        synchronized (this) {
            s = stream;
            stream = null;
        }
        if (s != null) {
            s.close();
        }
    }

    /** Whether a session is running (started, not stopped, not failed). */
    public final synchronized boolean streaming() {
        return stream != null && stream.active();
    }

    /** Stops the device for good; later {@link #start} calls fail as UNAVAILABLE. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        stop();
    }

    /** Whether {@link #close} was called. */
    protected final synchronized boolean closed() {
        return closed;
    }

    /**
     * Waits for the next frame the running session delivers, for a {@link #captureStill} that takes its still
     * from the stream. Called from any thread except the delivery thread.
     *
     * @return the frame, retained for the caller (who releases it), or {@code null} when not streaming
     * @throws CameraException TIMEOUT when no frame came in time, UNAVAILABLE when the session ended meanwhile
     */
    protected Frame nextFrame(Duration timeout) {
        CompletableFuture<Frame> waiter = new CompletableFuture<>();
        synchronized (this) {
            if (stream == null || !stream.active()) {
                return null;
            }
            stream.await(waiter);
        }
        try {
            return waiter.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            if (waiter.completeExceptionally(e)) {
                throw new CameraException(Kind.TIMEOUT, quoted() + " delivered no frame within "
                        + timeout.toMillis() + " ms");
            }
            return waiter.join(); // delivered while timing out: take it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (!waiter.completeExceptionally(e)) {
                waiter.join().release();
            }
            throw new CameraException(Kind.UNAVAILABLE, quoted() + ": interrupted while waiting for a frame", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof CameraException c) {
                throw c;
            }
            throw new CameraException(Kind.UNAVAILABLE, quoted() + " stopped streaming", cause);
        }
    }

    /**
     * One streaming session, from {@link AbstractCameraDevice#start} to {@link AbstractCameraDevice#stop} or
     * a failure. Handed to {@link AbstractCameraDevice#stream}; its methods are called on the delivery thread
     * (only {@link #active} may be called from anywhere).
     */
    public final class Stream {
        private final FrameSink sink;
        private final Object gate = new Object();
        private volatile boolean open = true; // written under gate
        private final List<AutoCloseable> closeables = new ArrayList<>(); // guarded by gate
        private final List<CompletableFuture<Frame>> waiters = new ArrayList<>(); // guarded by waiters
        private volatile Thread thread;
        private long nextTick; // delivery thread only

        private Stream(FrameSink sink) {
            this.sink = sink;
        }

        private void begin() {
            Thread t = new Thread(this::run, threadName());
            t.setDaemon(true);
            thread = t;
            t.start();
        }

        private void run() {
            try {
                stream(this);
                if (open) {
                    fail(new CameraException(Kind.IO, quoted() + ": the source ended the stream"));
                }
            } catch (CameraException e) {
                fail(e);
            } catch (InterruptedException e) {
                fail(new CameraException(Kind.UNAVAILABLE, quoted() + " was interrupted", e));
            } catch (Exception | Error e) {
                fail(new CameraException(Kind.IO, quoted() + " stopped streaming: " + e, e));
            } finally {
                closeResources();
            }
        }

        /** Whether the session still runs: false once stopped or failed. Any thread. */
        public boolean active() {
            return open;
        }

        /**
         * Hands a frame to the sink, unless the session has ended. The caller keeps its reference and
         * releases the frame after this returns. A failing sink is logged, not propagated.
         *
         * @return whether the frame reached the sink
         */
        public boolean deliver(Frame frame) {
            boolean delivered = false;
            synchronized (gate) {
                if (open) {
                    try {
                        sink.frame(frame);
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "frame sink of " + quoted() + " failed on frame "
                                + frame.sequence(), e);
                    }
                    delivered = true;
                }
            }
            if (delivered) {
                List<CompletableFuture<Frame>> ready;
                synchronized (waiters) {
                    ready = List.copyOf(waiters);
                    waiters.clear();
                }
                for (CompletableFuture<Frame> w : ready) {
                    frame.retain();
                    if (!w.complete(frame)) {
                        frame.release();
                    }
                }
            }
            return delivered;
        }

        /**
         * Reports a failure once and ends the session: the core marks the camera offline, calls {@code stop},
         * and starts it again later while viewers remain. Ignored after {@code stop}.
         */
        public void fail(CameraException error) {
            synchronized (gate) {
                if (!open) {
                    return;
                }
                open = false;
                LOG.log(System.Logger.Level.WARNING, "streaming failed: " + error.getMessage());
                try {
                    sink.failed(error);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "frame sink of " + quoted() + " failed on an error report", e);
                }
            }
            failWaiters(error);
        }

        /**
         * Registers something to close when the session stops (a socket, an input stream), so that a read
         * blocked on it ends. Closed at once when the session has already ended.
         */
        public void closeOnStop(AutoCloseable closeable) {
            synchronized (gate) {
                if (open) {
                    closeables.add(closeable);
                    return;
                }
            }
            closeQuietly(closeable);
        }

        /**
         * Sleeps until the next frame is due at the camera's mode rate ({@link #awaitTick(double)}).
         *
         * @return whether the session is still active
         */
        public boolean awaitTick() throws InterruptedException {
            return awaitTick(descriptor().mode().fps());
        }

        /**
         * Sleeps until the next frame is due at {@code fps} frames per second, on a fixed schedule that does
         * not drift; a session that fell more than a frame behind resumes from now instead of bursting.
         * Returns at once for {@code fps <= 0}.
         *
         * @return whether the session is still active
         * @throws InterruptedException when stopped while sleeping
         */
        public boolean awaitTick(double fps) throws InterruptedException {
            if (fps > 0 && open) {
                long period = Math.max(1, Math.round(1e9 / fps));
                long now = System.nanoTime();
                nextTick = nextTick == 0 || now - nextTick > period ? now : nextTick + period;
                long wait = nextTick - now;
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            return open;
        }

        /**
         * Whether a frame is due at {@code fps} frames per second, without waiting: for sources that push
         * faster than the configured rate, so that extra frames are dropped. Always true for {@code fps <= 0}.
         */
        public boolean due(double fps) {
            if (fps <= 0) {
                return true;
            }
            long period = Math.max(1, Math.round(1e9 / fps));
            long now = System.nanoTime();
            if (nextTick != 0 && now - nextTick < 0) {
                return false;
            }
            nextTick = nextTick == 0 || now - nextTick > period ? now + period : nextTick + period;
            return true;
        }

        private void await(CompletableFuture<Frame> waiter) {
            synchronized (waiters) {
                waiters.add(waiter);
            }
        }

        private void failWaiters(Throwable error) {
            List<CompletableFuture<Frame>> pending;
            synchronized (waiters) {
                pending = List.copyOf(waiters);
                waiters.clear();
            }
            for (CompletableFuture<Frame> w : pending) {
                w.completeExceptionally(error);
            }
        }

        private void closeResources() {
            List<AutoCloseable> toClose;
            synchronized (gate) {
                toClose = List.copyOf(closeables);
                closeables.clear();
            }
            for (AutoCloseable c : toClose) {
                closeQuietly(c);
            }
        }

        private void close() {
            synchronized (gate) {
                open = false;
            }
            failWaiters(new CameraException(Kind.UNAVAILABLE, quoted() + " stopped streaming"));
            closeResources();
            Thread t = thread;
            if (t == null || t == Thread.currentThread()) {
                return; // stopped from inside a sink call: the thread ends after it returns
            }
            t.interrupt();
            try {
                t.join(TimeUnit.SECONDS.toMillis(STOP_WAIT_SECONDS));
                if (t.isAlive()) {
                    LOG.log(System.Logger.Level.WARNING, quoted() + ": the delivery thread is still busy "
                            + STOP_WAIT_SECONDS + " s after stop; no frame reaches the sink any more");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the gate is closed: no sink call can follow anyway
            }
        }

        private void closeQuietly(AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.DEBUG, quoted() + ": closing " + c + " on stop failed", e);
            }
        }
    }
}
