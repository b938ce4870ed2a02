package org.obscura.camera.core.internal.hub;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.obscura.camera.api.CameraDescriptor;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraState;
import org.obscura.camera.api.CameraStatus;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.FrameListener;
import org.obscura.camera.api.FrameSubscription;
import org.obscura.camera.api.LiveFrame;
import org.obscura.camera.api.ObscuraEvents;
import org.obscura.camera.core.internal.Failures;
import org.obscura.camera.spi.CameraDevice;
import org.obscura.camera.spi.FrameSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live frames of one camera name, shared by all its viewers. Owned by the registry, not by the driver: it
 * outlives the device service, so viewers stay subscribed while a driver bundle is updated or a camera is
 * unplugged, and frames resume when a device with the same name is attached again.
 *
 * <h2>Behaviour</h2>
 * <ul>
 * <li>Demand start: the device streams while there is a subscription, and for a linger after the last one
 * closed (a new subscription within the linger keeps it streaming).</li>
 * <li>Latest-frame slot: the hub keeps only the newest frame; a viewer takes the newest when it is ready and
 * skips the rest. Nothing queues.</li>
 * <li>Failure: when the device reports a failure, fails to start or goes away, the camera is OFFLINE, the
 * device is stopped and, while viewers remain, started again with a doubling backoff. Meanwhile viewers get a
 * "no signal" placeholder frame about once a second.</li>
 * </ul>
 *
 * <h2>Threading</h2>
 * One monitor ({@code lock}) guards all state and is only held for short, non-blocking sections; no device,
 * listener or encoder code runs under it. The device's push thread ({@link Session#frame}) takes the lock
 * briefly to swap the slot, then requests listener delivery, which runs on the worker pool: the push thread
 * never waits for viewers, encoders or other devices. Device calls that may block ({@code start}, {@code stop})
 * run on the worker pool in {@link #reconcile()}, one at a time per hub, which converges the device on the wanted
 * state (streaming or not) whatever sequence of events led there. Listeners are told in turn by one coalescing
 * task per hub (one pool hand-off per burst of frames, not one per viewer); a listener that breaks its contract
 * and does not return is left to itself after {@link #STUCK_LISTENER_NANOS}: the next request starts a new
 * runner that tells the others and skips it until it returns (see {@link #requestDelivery()}).
 */
public final class FrameHub {

    private static final Logger LOG = LoggerFactory.getLogger(FrameHub.class);
    private static final int DEFAULT_WIDTH = 640;
    private static final int DEFAULT_HEIGHT = 360;
    /** Larger placeholders cost a Pi too much CPU every second; viewers scale the picture anyway. */
    private static final int MAX_PLACEHOLDER_WIDTH = 1920;
    private static final int MAX_PLACEHOLDER_HEIGHT = 1080;
    /**
     * How long a listener may stay inside one call before the others are told without waiting for it. Listeners
     * return in microseconds; this is long enough that a garbage collection pause is not taken for a stuck one.
     */
    static final long STUCK_LISTENER_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final String camera;
    private final HubEnvironment env;
    private final Consumer<FrameHub> idle;
    private final CoalescingTask reconciler;
    /** Tells listeners; replaced when it is stuck in a listener (see {@link #requestDelivery()}). */
    private volatile Notifier notifier;
    private final AtomicBoolean rendering = new AtomicBoolean();
    /** Serialises {@link #announce()} so that ONLINE/OFFLINE events go out in the order the states changed. */
    private final Object announceLock = new Object();
    private final Object lock = new Object();

    // Everything below is guarded by lock.
    private final List<Subscription> subscribers = new ArrayList<>();
    /** The subscribers with a listener, as an array rebuilt when they change: {@link Notifier#fanOut} runs per frame. */
    private Subscription[] listening = new Subscription[0];
    private CameraDevice device;
    private CameraDescriptor descriptor;
    private Session session;
    private boolean failed;
    private String lastError;
    private String offlineReason = "no device";
    private boolean backingOff;
    private Duration retryDelay;
    private long retryGeneration;
    private boolean lingering;
    private long lingerGeneration;
    private ScheduledFuture<?> lingerTask;
    private ScheduledFuture<?> retryTask;
    private ScheduledFuture<?> noSignalTask;
    private HubFrame latest;
    private long index;
    private long frames;
    private Instant lastFrame;
    private int width;
    private int height;
    private final FrameRate rate = new FrameRate();
    private CameraState announced = CameraState.OFFLINE;
    private boolean disposed;

    /**
     * @param idle told (on the thread that closed the last subscription, holding no lock) when the hub has
     *             neither device nor subscriber, so that its owner can drop it
     */
    public FrameHub(String camera, HubEnvironment env, Consumer<FrameHub> idle) {
        this.camera = camera;
        this.env = env;
        this.idle = idle;
        this.reconciler = new CoalescingTask(env.workers(), this::reconcile);
        this.notifier = new Notifier();
    }

    public String camera() {
        return camera;
    }

    /** The device attached now, or {@code null}. */
    public CameraDevice device() {
        synchronized (lock) {
            return device;
        }
    }

    /** Whether the hub has neither device nor subscriber (and may be dropped). */
    public boolean isIdle() {
        synchronized (lock) {
            return idleLocked();
        }
    }

    /**
     * Attaches the device now registered under this camera's name, replacing any other; it is started at once
     * if viewers are waiting.
     */
    public void attach(CameraDevice newDevice, CameraDescriptor newDescriptor) {
        synchronized (lock) {
            if (disposed) {
                throw new IllegalStateException("hub of camera '" + camera + "' is disposed");
            }
            device = newDevice;
            if (newDescriptor != null) {
                descriptor = newDescriptor;
            }
            failed = false;
            cancelBackoffLocked();
            retryDelay = null;
            updateNoSignalLocked();
        }
        announce();
        reconciler.request();
    }

    /** Detaches a device whose service went away. Its stream is stopped; viewers stay subscribed. */
    public void detach(CameraDevice oldDevice) {
        HubFrame drop;
        synchronized (lock) {
            if (device != oldDevice || disposed) {
                return;
            }
            device = null;
            offlineReason = "the camera's device service went away";
            cancelBackoffLocked();
            cancelLingerLocked();
            drop = session == null ? null : endLocked(session);
            updateNoSignalLocked();
        }
        release(drop);
        announce();
        reconciler.request();
    }

    /** Opens a subscription; the device starts if it is idle. */
    public FrameSubscription subscribe(FrameListener listener) {
        Subscription subscription;
        synchronized (lock) {
            if (disposed) {
                throw CameraException.notFound("camera '" + camera + "' is gone");
            }
            subscription = new Subscription(listener, stateLocked());
            subscribers.add(subscription);
            listenersChangedLocked();
            cancelLingerLocked();
            if (subscribers.size() == 1 && backingOff) {
                // Someone is watching again: try the device now rather than after a long backoff.
                cancelBackoffLocked();
            }
            updateNoSignalLocked();
        }
        reconciler.request();
        return subscription;
    }

    /** The camera as the registry reports it. Calls the device's (cheap) {@code descriptor()}. */
    public CameraStatus status() {
        CameraDevice current;
        synchronized (lock) {
            current = device;
        }
        if (current != null) {
            try {
                CameraDescriptor fresh = current.descriptor();
                synchronized (lock) {
                    if (device == current && fresh != null) {
                        descriptor = fresh;
                    }
                }
            } catch (RuntimeException e) {
                LOG.debug("descriptor of camera '{}' failed: {}", camera, e.toString());
            }
        }
        synchronized (lock) {
            CameraState state = stateLocked();
            double fps = state == CameraState.STREAMING ? rate.fps(System.nanoTime()) : 0;
            return new CameraStatus(camera, descriptor, state, subscribers.size(), fps, frames, lastFrame, lastError);
        }
    }

    /**
     * Ends the hub: closes every subscription (waiting viewers wake up with {@code null}), drops the frame slot
     * and stops the device on the worker pool.
     */
    public void dispose() {
        HubFrame drop;
        synchronized (lock) {
            if (disposed) {
                return;
            }
            disposed = true;
            cancelLingerLocked();
            cancelBackoffLocked();
            for (Subscription s : subscribers) {
                s.closed = true;
            }
            subscribers.clear();
            listenersChangedLocked();
            updateNoSignalLocked();
            if (session != null) {
                session.ended = true;
            }
            drop = latest;
            latest = null;
            lock.notifyAll();
        }
        release(drop);
        reconciler.request();
    }

    // ---- device lifecycle -------------------------------------------------------------------------------

    /**
     * Converges the device on the wanted state. Runs on the worker pool, never concurrently with itself, and
     * is the only place that calls {@code start} and {@code stop}, so the device never sees two starts without
     * a stop.
     */
    private void reconcile() {
        while (true) {
            Session toStop = null;
            Session toStart = null;
            HubFrame drop = null;
            synchronized (lock) {
                boolean wanted = !disposed && device != null && !backingOff
                        && (!subscribers.isEmpty() || lingering && !failed);
                if (session != null && (!wanted || session.ended || session.device != device)) {
                    toStop = session;
                    session = null;
                    drop = endLocked(toStop);
                } else if (session == null && wanted) {
                    toStart = new Session(device);
                    session = toStart;
                } else {
                    return;
                }
            }
            if (toStop != null) {
                release(drop);
                stopQuietly(toStop.device);
                announce();
            } else {
                startDevice(toStart);
            }
        }
    }

    private void startDevice(Session s) {
        try {
            LOG.debug("starting camera '{}'", camera);
            s.device.start(s);
        } catch (RuntimeException e) {
            fail(s, Failures.of(e, "could not start"));
            return;
        }
        synchronized (lock) {
            if (session != s || s.ended) {
                return; // overtaken by a failure, a detach or the last viewer leaving: reconcile stops it
            }
            s.started = true;
            failed = false;
            updateNoSignalLocked();
        }
        announce();
    }

    private void stopQuietly(CameraDevice d) {
        try {
            LOG.debug("stopping camera '{}'", camera);
            d.stop();
        } catch (RuntimeException e) {
            LOG.warn("camera '{}' failed to stop: {}", camera, Failures.message(e));
        }
    }

    /** A failure of the session's device, reported by the device or by a failed start. */
    private void fail(Session s, CameraException error) {
        HubFrame drop;
        String text = Failures.message(error);
        synchronized (lock) {
            if (session != s || s.ended) {
                return; // a failure of a session already ended is old news
            }
            drop = endLocked(s);
            failed = true;
            lastError = text;
            offlineReason = text;
            scheduleRetryLocked();
            updateNoSignalLocked();
        }
        release(drop);
        LOG.warn("camera '{}' failed: {}", camera, text);
        announce();
        reconciler.request();
    }

    private void scheduleRetryLocked() {
        HubSettings settings = env.settings().get();
        Duration delay = retryDelay == null ? settings.retryInitial() : retryDelay;
        Duration doubled = delay.multipliedBy(2);
        retryDelay = doubled.compareTo(settings.retryMax()) > 0 ? settings.retryMax() : doubled;
        backingOff = true;
        long generation = ++retryGeneration;
        retryTask = schedule(() -> endBackoff(generation), delay);
    }

    private void endBackoff(long generation) {
        synchronized (lock) {
            if (generation != retryGeneration) {
                return;
            }
            backingOff = false;
            retryTask = null;
        }
        reconciler.request();
    }

    private void cancelBackoffLocked() {
        retryGeneration++;
        backingOff = false;
        if (retryTask != null) {
            retryTask.cancel(false);
            retryTask = null;
        }
    }

    private void endLinger(long generation) {
        synchronized (lock) {
            if (generation != lingerGeneration) {
                return;
            }
            lingering = false;
            lingerTask = null;
        }
        reconciler.request();
    }

    private void cancelLingerLocked() {
        lingerGeneration++;
        lingering = false;
        if (lingerTask != null) {
            lingerTask.cancel(false);
            lingerTask = null;
        }
    }

    /** Marks a session ended (its frames and failures are ignored from now on) and takes its frame off the slot. */
    private HubFrame endLocked(Session s) {
        s.ended = true;
        if (latest != null && latest.origin() == s) {
            HubFrame drop = latest;
            latest = null;
            return drop;
        }
        return null;
    }

    // ---- frames -----------------------------------------------------------------------------------------

    /** Called on the device's push thread: swap the slot, wake waiters, request delivery; nothing more. */
    private void publish(Session s, Frame frame) {
        HubFrame old;
        synchronized (lock) {
            if (session != s || s.ended) {
                return;
            }
            frame.retain();
            old = latest;
            latest = new HubFrame(frame, ++index, false, s, env.settings().get().jpegQuality(), env.encoder());
            frames++;
            lastFrame = frame.timestamp();
            rate.add(System.nanoTime());
            width = frame.width();
            height = frame.height();
            if (!s.delivered) {
                s.delivered = true;
                retryDelay = null; // the device works again: the next failure starts the backoff afresh
            }
            lock.notifyAll();
        }
        release(old);
        requestDelivery();
    }

    private boolean needsNoSignalLocked() {
        return !disposed && !subscribers.isEmpty() && stateLocked() == CameraState.OFFLINE
                && env.settings().get().noSignal();
    }

    private void updateNoSignalLocked() {
        boolean needed = needsNoSignalLocked();
        if (needed && noSignalTask == null) {
            Duration interval = env.settings().get().noSignalInterval();
            try {
                noSignalTask = env.timer().scheduleWithFixedDelay(this::noSignalTick, 0, interval.toMillis(),
                        TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                LOG.debug("timer shut down; no placeholder for camera '{}'", camera);
            }
        } else if (!needed && noSignalTask != null) {
            noSignalTask.cancel(false);
            noSignalTask = null;
        }
    }

    /** On the timer thread: hand the rendering to a worker, unless the previous one is still busy. */
    private void noSignalTick() {
        if (rendering.compareAndSet(false, true)) {
            try {
                env.workers().execute(this::publishNoSignal);
            } catch (RejectedExecutionException e) {
                rendering.set(false);
            }
        }
    }

    private void publishNoSignal() {
        try {
            int w;
            int h;
            synchronized (lock) {
                if (!needsNoSignalLocked()) {
                    return;
                }
                w = width;
                h = height;
                if ((w <= 0 || h <= 0) && descriptor != null && descriptor.mode().width() > 0
                        && descriptor.mode().height() > 0) {
                    w = descriptor.mode().width();
                    h = descriptor.mode().height();
                }
            }
            if (w <= 0 || h <= 0) {
                w = DEFAULT_WIDTH;
                h = DEFAULT_HEIGHT;
            }
            double scale = Math.min(1.0, Math.min((double) MAX_PLACEHOLDER_WIDTH / w, (double) MAX_PLACEHOLDER_HEIGHT / h));
            int quality = env.settings().get().jpegQuality();
            Frame picture = NoSignalRenderer.render(camera, Math.max(1, (int) (w * scale)),
                    Math.max(1, (int) (h * scale)), Instant.now(), 0, env.encoder(), quality);
            HubFrame old;
            synchronized (lock) {
                if (!needsNoSignalLocked()) {
                    return; // the camera came back while we were drawing
                }
                old = latest;
                latest = new HubFrame(picture, ++index, true, null, quality, env.encoder());
                lock.notifyAll();
            }
            release(old);
            requestDelivery();
        } catch (RuntimeException e) {
            LOG.warn("could not draw the no-signal picture of camera '{}': {}", camera, Failures.message(e));
        } finally {
            rendering.set(false);
        }
    }

    // ---- viewers ----------------------------------------------------------------------------------------

    private void unsubscribe(Subscription s) {
        boolean nowIdle;
        synchronized (lock) {
            if (!subscribers.remove(s)) {
                return;
            }
            listenersChangedLocked();
            s.closed = true;
            lock.notifyAll();
            if (subscribers.isEmpty()) {
                Duration linger = env.settings().get().linger();
                if (session != null && !session.ended && !linger.isZero()) {
                    lingering = true;
                    long generation = ++lingerGeneration;
                    lingerTask = schedule(() -> endLinger(generation), linger);
                }
            }
            updateNoSignalLocked();
            nowIdle = idleLocked();
        }
        reconciler.request();
        if (nowIdle) {
            idle.accept(this);
        }
    }

    /**
     * Asks for listeners to be told; never blocks. When the notifier has been inside one listener call for longer
     * than {@link #STUCK_LISTENER_NANOS}, it is left behind: a new one takes over, and the stuck listener is
     * skipped until its call returns, after which the old notifier stops.
     */
    private void requestDelivery() {
        Notifier current = notifier;
        long entered = current.callStart;
        if (entered != 0 && System.nanoTime() - entered > STUCK_LISTENER_NANOS) {
            synchronized (lock) {
                if (notifier == current) {
                    notifier = new Notifier();
                    LOG.warn("a frame listener of camera '{}' has not returned for {} ms: the other viewers are "
                            + "told without it (listeners must return at once)", camera,
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - entered));
                }
            }
        }
        notifier.task.request();
    }

    /** One coalescing task that tells the listeners in turn, one run per burst of frames; runs never overlap. */
    private final class Notifier {
        final CoalescingTask task = new CoalescingTask(env.workers(), this::fanOut);
        /** When this notifier entered a listener ({@code System.nanoTime()}, never 0), or 0 when it is in none. */
        volatile long callStart;

        /** Tells each listening subscription in turn what changed since it was last told. */
        private void fanOut() {
            if (notifier != this) {
                return; // a run requested before this notifier was left behind
            }
            Subscription[] now;
            long newest;
            CameraState state;
            synchronized (lock) {
                now = listening;
                newest = latest == null ? 0 : latest.index();
                state = stateLocked();
            }
            for (Subscription s : now) {
                if (!s.inCall.compareAndSet(false, true)) {
                    continue; // its listener is still in an earlier call, on a notifier left behind
                }
                callStart = System.nanoTime() | 1;
                try {
                    deliver(s, newest, state);
                } finally {
                    callStart = 0;
                    s.inCall.set(false);
                }
                if (notifier != this) {
                    // Left behind while in that listener: the new notifier tells the rest, and once more this
                    // one, which it skipped meanwhile.
                    notifier.task.request();
                    return;
                }
            }
        }
    }

    private void listenersChangedLocked() {
        listening = subscribers.stream().filter(s -> s.listener != null).toArray(Subscription[]::new);
    }

    /**
     * Tells one listener what changed since it was last told. A subscription closed after the snapshot of
     * {@link #fanOut} may still be told once; listeners of closed subscriptions ignore that.
     */
    private void deliver(Subscription s, long newest, CameraState state) {
        try {
            if (state != s.toldState) {
                s.toldState = state;
                s.listener.stateChanged(s, state);
            }
            if (newest > s.toldIndex) {
                s.toldIndex = newest;
                s.listener.frameAvailable(s);
            }
        } catch (RuntimeException e) {
            LOG.warn("a frame listener of camera '{}' failed: {}", camera, Failures.message(e));
        }
    }

    /** Posts ONLINE/OFFLINE when the state crossed that line since the last announcement, and tells listeners. */
    private void announce() {
        synchronized (announceLock) {
            CameraState before;
            CameraState now;
            Map<String, Object> properties = new LinkedHashMap<>();
            properties.put(ObscuraEvents.CAMERA, camera);
            synchronized (lock) {
                now = stateLocked();
                before = announced;
                announced = now;
                if (now == CameraState.OFFLINE) {
                    properties.put(ObscuraEvents.REASON, offlineReason);
                } else if (descriptor != null) {
                    properties.put(ObscuraEvents.DRIVER, descriptor.driver());
                }
            }
            if (before == now) {
                return;
            }
            if (now == CameraState.OFFLINE) {
                env.events().post(ObscuraEvents.CAMERA_OFFLINE, properties);
            } else if (before == CameraState.OFFLINE) {
                env.events().post(ObscuraEvents.CAMERA_ONLINE, properties);
            }
        }
        requestDelivery();
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private CameraState stateLocked() {
        if (disposed || device == null || failed) {
            return CameraState.OFFLINE;
        }
        return session != null && session.started && !session.ended ? CameraState.STREAMING : CameraState.ONLINE;
    }

    private boolean idleLocked() {
        return !disposed && device == null && subscribers.isEmpty();
    }

    private ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        try {
            return env.timer().schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            return null; // shutting down
        }
    }

    private static void release(HubFrame frame) {
        if (frame != null) {
            frame.releaseSlot();
        }
    }

    @Override
    public String toString() {
        return "FrameHub[" + camera + "]";
    }

    /**
     * One start of the device: the sink it pushes to until it is stopped. Frames and failures from a session
     * that has ended (stopped, failed, device gone) are ignored, so a late frame of an old device can never
     * reach viewers or be retained.
     */
    private final class Session implements FrameSink {
        private final CameraDevice device;
        private boolean started;
        private boolean ended;
        private boolean delivered;

        Session(CameraDevice device) {
            this.device = device;
        }

        @Override
        public void frame(Frame frame) {
            if (frame != null) {
                publish(this, frame);
            }
        }

        @Override
        public void failed(CameraException error) {
            fail(this, error != null ? error : new CameraException(CameraException.Kind.IO, "the device failed"));
        }
    }

    private final class Subscription implements FrameSubscription {
        private final FrameListener listener;
        /** Held by the runner inside this listener; it alone reads and writes toldIndex and toldState. */
        private final AtomicBoolean inCall = new AtomicBoolean();
        // Guarded by lock.
        private boolean closed;
        private long seen;
        // Guarded by inCall.
        private long toldIndex;
        private CameraState toldState;

        Subscription(FrameListener listener, CameraState state) {
            this.listener = listener;
            this.toldState = state;
        }

        @Override
        public String camera() {
            return camera;
        }

        @Override
        public CameraState state() {
            synchronized (lock) {
                return stateLocked();
            }
        }

        @Override
        public LiveFrame latest() {
            synchronized (lock) {
                if (closed || latest == null) {
                    return null;
                }
                seen = latest.index();
                return latest.open();
            }
        }

        @Override
        public LiveFrame next(long timeout, TimeUnit unit) throws InterruptedException {
            long deadline = System.nanoTime() + unit.toNanos(timeout);
            synchronized (lock) {
                while (!closed) {
                    if (latest != null && latest.index() > seen) {
                        seen = latest.index();
                        return latest.open();
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return null;
                    }
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                }
                return null;
            }
        }

        @Override
        public void close() {
            unsubscribe(this);
        }

        @Override
        public String toString() {
            return "FrameSubscription[" + camera + "]";
        }
    }
}
