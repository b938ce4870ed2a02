package org.obscura.driver.testpattern.internal;

import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded set of equal, direct frame buffers for one stream. Steady state needs about three (the one
 * being filled, the hub's latest frame, one an encoder is reading); when viewers hold all of them, the
 * stream skips a tick instead of allocating more, so memory stays bounded however slow the consumers.
 *
 * <p>{@link #acquire} is called by the stream thread only; {@link #recycle} by whichever thread releases a
 * frame's last reference, without blocking.
 */
final class FramePool {

    private final int bufferSize;
    private final int capacity;
    private final Queue<ByteBuffer> free = new ConcurrentLinkedQueue<>();
    private final AtomicInteger allocated = new AtomicInteger();

    FramePool(int bufferSize, int capacity) {
        this.bufferSize = bufferSize;
        this.capacity = capacity;
    }

    /** A cleared buffer of the pool's size, or {@code null} when all {@code capacity} buffers are in use. */
    ByteBuffer acquire() {
        ByteBuffer buffer = free.poll();
        if (buffer == null) {
            if (allocated.get() >= capacity) {
                return null;
            }
            allocated.incrementAndGet();
            buffer = ByteBuffer.allocateDirect(bufferSize);
        }
        return buffer.clear();
    }

    /** Gives a buffer from {@link #acquire} back. */
    void recycle(ByteBuffer buffer) {
        free.offer(buffer);
    }

    /** How many buffers this pool has allocated so far. */
    int allocated() {
        return allocated.get();
    }
}
