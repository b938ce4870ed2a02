package org.obscura.rest.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.obscura.camera.api.LiveFrame;

/**
 * The multipart parts of the MJPEG streams, built once per frame and shared by every viewer of the same camera
 * at the same quality: boundary line, part headers, JPEG and CRLF in one direct buffer. A viewer writes its
 * part as one write straight from that buffer to its socket: no copy per viewer, and no copy into a temporary
 * direct buffer by the socket channel, which is where a heap array would go first.
 *
 * <p><b>Buffer ownership.</b> A {@link Part} is reference counted: its {@link Slot} holds one reference while
 * the part is the slot's newest, each viewer one from {@link Slot#part} until its write of the part has
 * completed ({@link Part#release()}). When the count reaches zero, the buffer goes back to a small free list
 * and is reused for a later frame. A viewer that ends while its write may still be in progress must simply
 * drop its reference without releasing it: the container may still read the buffer, so it is never reused
 * and the garbage collector frees it.
 *
 * <p>Threading: every method may be called from any thread. A slot builds a frame's part under its own lock,
 * so concurrent viewers of the same frame wait for one build (a copy of the JPEG) rather than repeat it.
 */
final class MjpegParts {

    static final String BOUNDARY = "frame";

    /** Free buffers kept for reuse; more than this go to the garbage collector. */
    private static final int FREE_MAX = 6;
    /** Buffers are allocated in steps of this, with room to spare, so that a slightly larger frame fits. */
    private static final int ALLOCATION_STEP = 16 * 1024;
    private static final byte[] CRLF = {'\r', '\n'};

    private final Object lock = new Object();
    // Guarded by lock.
    private final Map<Key, Slot> slots = new HashMap<>();
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();

    private record Key(String camera, int quality) {
    }

    /**
     * The slot for a camera's parts at one quality (0: the hub's default), shared with the other viewers that
     * asked for the same; {@link Slot#close()} it once when the viewer ends.
     */
    Slot open(String camera, int quality) {
        synchronized (lock) {
            Slot s = slots.computeIfAbsent(new Key(camera, quality), Slot::new);
            s.users++;
            return s;
        }
    }

    /** Buffers waiting for reuse now (for tests). */
    int freeBuffers() {
        synchronized (lock) {
            return free.size();
        }
    }

    /** Slots in use now (for tests). */
    int openSlots() {
        synchronized (lock) {
            return slots.size();
        }
    }

    private ByteBuffer take(int size) {
        synchronized (lock) {
            for (Iterator<ByteBuffer> i = free.iterator(); i.hasNext(); ) {
                ByteBuffer b = i.next();
                if (b.capacity() >= size) {
                    i.remove();
                    return b.clear();
                }
            }
        }
        int capacity = (size + size / 8 + ALLOCATION_STEP - 1) / ALLOCATION_STEP * ALLOCATION_STEP;
        try {
            return ByteBuffer.allocateDirect(capacity);
        } catch (OutOfMemoryError e) {
            // The direct memory limit (-XX:MaxDirectMemorySize, by default the heap's maximum) is reached, e.g. by
            // many slow viewers each holding an older part: a heap buffer works too, at the cost of a copy per write.
            return ByteBuffer.allocate(capacity);
        }
    }

    private void recycle(ByteBuffer b) {
        synchronized (lock) {
            if (free.size() >= FREE_MAX) {
                // Drop the smallest: frames of the cameras viewed now are what the next builds need.
                ByteBuffer smallest = b;
                for (ByteBuffer f : free) {
                    if (f.capacity() < smallest.capacity()) {
                        smallest = f;
                    }
                }
                if (smallest == b) {
                    return;
                }
                free.remove(smallest);
            }
            free.push(b);
        }
    }

    /** One camera's newest part at one quality. */
    final class Slot implements AutoCloseable {

        private final Key key;
        // Guarded by MjpegParts.this.lock.
        private int users;
        // Guarded by this.
        private Part newest;
        private boolean closed;

        private Slot(Key key) {
            this.key = key;
        }

        /** JPEG quality of this slot's parts, 0 for the hub's default. */
        int quality() {
            return key.quality;
        }

        /**
         * The part of {@code frame} with one reference for the caller, who must {@link Part#release()} it once its
         * write has completed. Built here if it is not the slot's newest part already.
         *
         * @param jpeg the frame's JPEG at this slot's quality ({@link LiveFrame#jpeg}); read, not consumed
         */
        synchronized Part part(LiveFrame frame, ByteBuffer jpeg) {
            Instant timestamp = frame.frame().timestamp();
            Part p = newest;
            if (p != null && p.index == frame.index() && p.timestamp.equals(timestamp) && p.placeholder == frame.placeholder()) {
                p.refs.incrementAndGet(); // the slot's own reference keeps it above zero here
                return p;
            }
            byte[] head = head(jpeg.remaining(), timestamp, frame.index(), frame.placeholder());
            ByteBuffer bytes = take(head.length + jpeg.remaining() + CRLF.length);
            bytes.put(head).put(jpeg.duplicate()).put(CRLF).flip();
            Part built = new Part(frame.index(), timestamp, frame.placeholder(), bytes);
            if (closed) {
                return built; // a viewer ending meanwhile: the slot keeps nothing any more
            }
            newest = built;
            if (p != null) {
                p.release();
            }
            built.refs.incrementAndGet();
            return built;
        }

        /** This viewer no longer uses the slot; the last one out drops the slot and its newest part. */
        @Override
        public void close() {
            boolean last;
            synchronized (lock) {
                last = --users == 0;
                if (last) {
                    slots.remove(key, this);
                }
            }
            if (last) {
                Part p;
                synchronized (this) {
                    p = newest;
                    newest = null;
                    closed = true;
                }
                if (p != null) {
                    p.release();
                }
            }
        }
    }

    /** A frame's whole part, read-only for everybody; see the class comment for its references. */
    final class Part {

        final long index;
        private final Instant timestamp;
        private final boolean placeholder;
        private final ByteBuffer bytes;
        /** The slot's reference while it is the slot's newest, plus one per viewer writing it. */
        private final AtomicInteger refs = new AtomicInteger(1);

        private Part(long index, Instant timestamp, boolean placeholder, ByteBuffer bytes) {
            this.index = index;
            this.timestamp = timestamp;
            this.placeholder = placeholder;
            this.bytes = bytes;
        }

        /** A view of the whole part for one write: its own position and limit, the shared bytes (direct as a rule). */
        ByteBuffer view() {
            return bytes.asReadOnlyBuffer();
        }

        /** Gives one reference back; the last one returns the buffer for reuse. */
        void release() {
            int left = refs.decrementAndGet();
            if (left == 0) {
                recycle(bytes);
            } else if (left < 0) {
                throw new IllegalStateException("part of frame " + index + " released once too often");
            }
        }
    }

    /** The part headers, boundary line first, blank line last. */
    static byte[] head(int length, Instant timestamp, long index, boolean placeholder) {
        return ("--" + BOUNDARY + "\r\n"
                + "Content-Type: image/jpeg\r\n"
                + "Content-Length: " + length + "\r\n"
                + "X-Timestamp: " + timestamp + "\r\n"
                + "X-Frame-Index: " + index + "\r\n"
                + (placeholder ? "X-Placeholder: true\r\n" : "")
                + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] crlf() {
        return CRLF.clone();
    }
}
