package org.obscura.camera.spi.support;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.obscura.camera.api.Frame;
import org.obscura.camera.api.PixelFormat;

/**
 * A bounded set of reusable direct buffers for one stream, and the pooled frames made from them: the
 * buffer goes back to the pool when the frame's last reference is released.
 *
 * <p>At most {@code capacity} buffers exist at once. When viewers hold all of them, {@link #acquire} answers
 * {@code null} and the stream skips that frame instead of allocating more, so memory stays bounded however
 * slow the consumers are. Buffers grow to the largest size asked for (JPEG frames vary in size): a free
 * buffer that is too small is dropped and a bigger one allocated in its place.
 *
 * <p>{@link #acquire} and {@link #frame} are called by the delivery thread; buffers come back on whatever
 * thread releases a frame, without blocking.
 */
public final class BufferPool {

    private final int capacity;
    private final Queue<ByteBuffer> free = new ConcurrentLinkedQueue<>();
    private final AtomicInteger allocated = new AtomicInteger();

    /** @param capacity the most buffers in use at once; 3 to 4 suit a stream (one filling, one held, one encoding) */
    public BufferPool(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * A cleared buffer of at least {@code size} bytes, limit = capacity, or {@code null} when every buffer
     * is in use.
     */
    public ByteBuffer acquire(int size) {
        ByteBuffer buffer = free.poll();
        if (buffer != null && buffer.capacity() >= size) {
            return buffer.clear();
        }
        if (buffer == null) {
            if (allocated.incrementAndGet() > capacity) {
                allocated.decrementAndGet();
                return null;
            }
        }
        // a new buffer, or a bigger one replacing a free one that was too small (the count stays)
        return ByteBuffer.allocateDirect(size);
    }

    /**
     * A pooled frame over {@code buffer} (from {@link #acquire}), from 0 to its position: the caller has
     * filled it with relative puts. The buffer returns to the pool when the frame is fully released.
     */
    public Frame frame(ByteBuffer buffer, PixelFormat format, int width, int height, int stride, long sequence,
            long monotonicNanos, Instant timestamp) {
        ByteBuffer filled = buffer.duplicate().flip();
        return Frame.pooled(format, width, height, stride, sequence, monotonicNanos, timestamp, filled,
                view -> recycle(buffer));
    }

    /** Gives back a buffer from {@link #acquire} that did not become a frame. */
    public void recycle(ByteBuffer buffer) {
        free.offer(buffer);
    }

    /** How many buffers exist now (free or in use). */
    public int allocated() {
        return allocated.get();
    }

    /** The most buffers that may exist at once. */
    public int capacity() {
        return capacity;
    }
}
