package org.obscura.ws.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;

import org.obscura.camera.api.CameraRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of one WebSocket connection: its selected camera, its liveview, whether it wants events, its
 * outgoing messages, and its requests, which run one after the other (in arrival order) on a shared pool so
 * that a request may block on a device without holding a network thread, and a SELECT_CAMERA is always
 * applied before the GET_CONFIG sent after it.
 *
 * <p>Thread-safe.
 */
final class ClientSession {

    private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);

    private final Outbox outbox;
    private final Executor requests;
    private final ScheduledExecutorService scheduler;
    private final long liveviewIntervalNanos;
    private final int maxPending;
    private final String remote;
    private final String authorization;

    private final Deque<Runnable> tasks = new ArrayDeque<>(); // guarded by itself
    private boolean running; // guarded by tasks
    private volatile boolean closed;

    private volatile String token;
    private volatile String selected;
    private volatile boolean events;
    private LiveviewStream liveview; // guarded by this

    /**
     * @param outbox                where this socket's messages go
     * @param requests              pool that runs requests (each session uses at most one of its threads at a time)
     * @param scheduler             paces and encodes liveview frames
     * @param liveviewIntervalNanos shortest time between two liveview frames
     * @param maxPending            requests that may wait behind the running one before new ones are refused
     * @param remote                the client's address, for logs and the access policy
     * @param authorization         the upgrade request's {@code Authorization} header, or {@code null}
     */
    ClientSession(Outbox outbox, Executor requests, ScheduledExecutorService scheduler, long liveviewIntervalNanos,
            int maxPending, String remote, String authorization) {
        this.outbox = outbox;
        this.requests = requests;
        this.scheduler = scheduler;
        this.liveviewIntervalNanos = liveviewIntervalNanos;
        this.maxPending = maxPending;
        this.remote = remote;
        this.authorization = authorization;
    }

    Outbox outbox() {
        return outbox;
    }

    String remote() {
        return remote;
    }

    /** The upgrade request's {@code Authorization} header, or {@code null}: for the {@link AccessPolicy}. */
    String authorization() {
        return authorization;
    }

    /** The token of the last accepted AUTH action, or {@code null}: for the {@link AccessPolicy}. */
    String token() {
        return token;
    }

    void token(String token) {
        this.token = token;
    }

    /** The selected camera's name, or {@code null}. */
    String selected() {
        return selected;
    }

    /** Selects a camera (or none); a liveview of another camera is stopped. */
    void select(String camera) {
        synchronized (this) {
            if (liveview != null && !liveview.camera().equals(camera)) {
                liveview.close();
                liveview = null;
            }
            selected = camera;
        }
    }

    boolean eventsSubscribed() {
        return events;
    }

    void subscribeEvents(boolean on) {
        events = on;
    }

    /**
     * Starts the liveview of a camera, replacing a liveview of another one.
     *
     * @return {@code false} when this camera's liveview was already running
     * @throws org.obscura.camera.api.CameraException when the camera cannot be subscribed to
     */
    synchronized boolean startLiveview(String camera, CameraRegistry registry) {
        if (closed) {
            return false;
        }
        if (liveview != null) {
            if (liveview.camera().equals(camera)) {
                return false;
            }
            liveview.close();
            liveview = null;
        }
        LiveviewStream stream = new LiveviewStream(camera, outbox, scheduler, liveviewIntervalNanos);
        stream.open(registry);
        liveview = stream;
        return true;
    }

    /** @return whether a liveview was running */
    synchronized boolean stopLiveview() {
        if (liveview == null) {
            return false;
        }
        liveview.close();
        liveview = null;
        return true;
    }

    synchronized boolean liveviewActive() {
        return liveview != null;
    }

    /**
     * Queues a request behind this socket's earlier ones.
     *
     * @return {@code false} when too many requests are waiting (or the socket is closed): the caller answers
     *         with an error instead
     */
    boolean submit(Runnable request) {
        synchronized (tasks) {
            if (closed || tasks.size() >= maxPending) {
                return false;
            }
            tasks.add(request);
            if (running) {
                return true;
            }
            running = true;
        }
        try {
            requests.execute(this::drain);
        } catch (RejectedExecutionException e) {
            synchronized (tasks) {
                tasks.clear();
                running = false;
            }
            return false;
        }
        return true;
    }

    private void drain() {
        while (true) {
            Runnable task;
            synchronized (tasks) {
                task = closed ? null : tasks.poll();
                if (task == null) {
                    tasks.clear();
                    running = false;
                    return;
                }
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("WebSocket request from {} failed", remote, e);
            }
        }
    }

    /** The connection is gone: stops the liveview, drops queued requests and messages. Idempotent. */
    void close() {
        closed = true;
        synchronized (tasks) {
            tasks.clear();
        }
        stopLiveview();
        outbox.close();
    }

    boolean closed() {
        return closed;
    }
}
