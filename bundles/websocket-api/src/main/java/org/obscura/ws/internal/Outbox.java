package org.obscura.ws.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The messages waiting to go out on one socket. Exactly one message is on the wire at a time (the transport
 * is asynchronous: {@link Transport#send} returns at once and reports completion later), responses and
 * pushed messages go out in the order they were queued, and liveview frames have a single slot of their own
 * that is filled only when the sender is ready for the next frame, so a slow client skips frames instead of
 * piling them up.
 *
 * <p>Thread-safe; no method blocks. A client that stops reading while its queue holds {@link #MAX_QUEUED}
 * messages is disconnected; pushed events are dropped earlier, at {@link #MAX_QUEUED_DROPPABLE}.
 */
final class Outbox {

    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

    /** Queued messages at which a client is considered gone and disconnected. */
    static final int MAX_QUEUED = 512;
    /** Queued messages beyond which pushed events for this client are dropped. */
    static final int MAX_QUEUED_DROPPABLE = 64;

    /** Where the messages go: a WebSocket session, or a recorder in tests. */
    interface Transport {
        /**
         * Starts sending one text message; must not block. Exactly one of the callbacks runs, on any thread,
         * possibly before this method returns.
         */
        void send(String text, Runnable sent, Consumer<Throwable> failed);

        /** Closes the connection with a WebSocket close code and reason; must not block. */
        void close(int code, String reason);
    }

    private record Item(String text, Runnable after) {
    }

    private final Transport transport;
    private final Deque<Item> queue = new ArrayDeque<>(); // guarded by this
    private Item frame; // guarded by this: the one liveview frame waiting to go
    private boolean sending; // guarded by this: a message is on the wire
    private boolean pumping; // guarded by this: a thread is in pump()'s loop
    private boolean closed; // guarded by this

    Outbox(Transport transport) {
        this.transport = transport;
    }

    /** Queues a response or progress message. Disconnects the client when its queue is full. */
    void send(String text) {
        boolean overflow;
        synchronized (this) {
            if (closed) {
                return;
            }
            overflow = queue.size() >= MAX_QUEUED;
            if (!overflow) {
                queue.add(new Item(text, null));
            }
        }
        if (overflow) {
            LOG.info("WebSocket client does not read its messages ({} queued): disconnecting it", MAX_QUEUED);
            disconnect(1008, "client is not reading its messages");
            return;
        }
        pump();
    }

    /**
     * Queues a message that may be lost (an event) when the client is behind.
     *
     * @return whether it was queued
     */
    boolean sendDroppable(String text) {
        synchronized (this) {
            if (closed || queue.size() >= MAX_QUEUED_DROPPABLE) {
                return false;
            }
            queue.add(new Item(text, null));
        }
        pump();
        return true;
    }

    /**
     * Puts a liveview frame in the frame slot; it goes out once the queued messages have. {@code after} runs
     * once the frame has been sent, or dropped (outbox closed, send failed, frame replaced), so the caller can
     * offer the next one.
     */
    void offerFrame(String text, Runnable after) {
        Item replaced;
        boolean dropped;
        synchronized (this) {
            dropped = closed;
            replaced = dropped ? null : frame;
            if (!dropped) {
                frame = new Item(text, after);
            }
        }
        if (dropped) {
            after.run();
            return;
        }
        if (replaced != null) {
            replaced.after.run();
        }
        pump();
    }

    /** Drops everything queued; later messages are ignored. Does not close the transport. */
    void close() {
        Item droppedFrame;
        synchronized (this) {
            closed = true;
            queue.clear();
            droppedFrame = frame;
            frame = null;
        }
        if (droppedFrame != null) {
            droppedFrame.after.run();
        }
    }

    /** Drops everything queued and closes the connection with a WebSocket close code. */
    void disconnect(int code, String reason) {
        close();
        transport.close(code, reason);
    }

    synchronized boolean closed() {
        return closed;
    }

    /** Messages waiting, not counting the one on the wire nor the frame slot. */
    synchronized int queued() {
        return queue.size();
    }

    /*
     * Sends the next message when none is on the wire. A transport may complete a send on the calling thread;
     * the completion then finds 'pumping' set and leaves the next send to this loop instead of recursing.
     */
    private void pump() {
        synchronized (this) {
            if (pumping) {
                return;
            }
            pumping = true;
        }
        while (true) {
            Item item;
            synchronized (this) {
                if (sending || closed) {
                    pumping = false;
                    return;
                }
                item = queue.poll();
                if (item == null) {
                    item = frame;
                    frame = null;
                }
                if (item == null) {
                    pumping = false;
                    return;
                }
                sending = true;
            }
            Item current = item;
            try {
                transport.send(current.text, () -> completed(current), failure -> failed(current, failure));
            } catch (RuntimeException e) {
                failed(current, e);
            }
        }
    }

    private void completed(Item item) {
        synchronized (this) {
            sending = false;
        }
        if (item.after != null) {
            item.after.run();
        }
        pump();
    }

    private void failed(Item item, Throwable failure) {
        LOG.debug("WebSocket send failed: {}", failure.toString());
        synchronized (this) {
            sending = false;
        }
        close();
        if (item.after != null) {
            item.after.run();
        }
    }
}
