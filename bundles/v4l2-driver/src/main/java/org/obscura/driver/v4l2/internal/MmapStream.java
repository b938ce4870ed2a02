package org.obscura.driver.v4l2.internal;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

import org.obscura.camera.api.Frame;
import org.obscura.camera.api.PixelFormat;

/**
 * Memory-mapped streaming on an open node: REQBUFS, QUERYBUF + mmap, QBUF, STREAMON, then one frame per
 * {@link #next} call.
 *
 * <h2>Buffer ownership</h2>
 * A dequeued buffer is handed out without copying, as a {@link Frame#pooled pooled} frame whose recycler
 * queues the buffer back to the driver when the last reference is released (on whatever thread that is).
 * Viewers may hold frames (the hub keeps the newest one) while the next DQBUF happens; as long as at least
 * {@link #MIN_QUEUED} buffers (one, for a stream of only two) remain with the driver, that costs nothing. When
 * consumers hold more than that, the frame is copied into a pooled direct buffer instead and the mmap buffer
 * goes back at once, so the device never starves and frames keep flowing.
 *
 * <p>{@link #close} may run while frames are still held. A held buffer's device mapping is then replaced, in
 * one {@code mremap}, by an anonymous private copy of its bytes at the same address: holders keep reading
 * valid memory (never an unmapped page, which would crash the JVM), the device's buffers are freed so the
 * node can be reconfigured or reopened at once, and the copy is unmapped when the last holder releases it.
 *
 * <p>{@link #next} is called by one capture thread; the recycler and {@link #close} may run on any thread.
 */
final class MmapStream implements AutoCloseable {

    /** Buffers asked of the driver for streaming. Enough for the hub's newest frame, an encoder's, and two in flight. */
    static final int BUFFERS = 5;
    /**
     * Buffers asked for a single frame (a still from an idle device): the fewest V4L2 streams with. Each buffer
     * costs the driver an allocation the size of a frame, zeroed, and the caller a QUERYBUF, an mmap and a QBUF;
     * drivers that need more queued to start raise the count themselves (vb2's minimum).
     */
    static final int SINGLE_FRAME_BUFFERS = 2;
    /** Zero-copy hand-out only while at least this many buffers stay queued with the driver. */
    static final int MIN_QUEUED = 2;

    private static final class Slot {
        final int index;
        final Pointer address;
        final long length;
        boolean outstanding; // dequeued and not back yet: held by a frame, or being copied out
        boolean orphaned;
        boolean unmapped;

        Slot(int index, Pointer address, long length) {
            this.index = index;
            this.address = address;
            this.length = length;
        }
    }

    private final V4l2Node node;
    private final LibC libc;
    private final PixelFormat format;
    private final int width;
    private final int height;
    private final int stride;
    private final Slot[] slots;
    /** Hand frames out without copying only while this many buffers stay queued: MIN_QUEUED, less for tiny streams. */
    private final int minQueued;
    private final Object lock = new Object();
    private final Deque<ByteBuffer> copies = new ArrayDeque<>();
    private int queued;
    private boolean open;
    private long zeroCopyFrames;
    private long copiedFrames;

    private MmapStream(V4l2Node node, PixelFormat format, int width, int height, int stride, Slot[] slots) {
        this.node = node;
        this.libc = node.libc();
        this.format = format;
        this.width = width;
        this.height = height;
        this.stride = stride;
        this.slots = slots;
        this.minQueued = Math.min(MIN_QUEUED, slots.length - 1);
    }

    /**
     * Allocates and maps buffers for the node's current format, queues them all and starts streaming. On
     * failure everything done so far is undone and the exception rethrown.
     *
     * @param buffers how many buffers to ask for ({@link #BUFFERS} to stream, {@link #SINGLE_FRAME_BUFFERS} for
     *                one frame); the driver may grant more
     */
    static MmapStream start(V4l2Node node, PixelFormat format, int width, int height, int stride, int buffers) {
        int count = node.requestBuffers(buffers);
        if (count < 2) {
            node.requestBuffers(0);
            throw new ErrnoException("VIDIOC_REQBUFS " + node.path() + " granted " + count + " buffers", LibC.EIO,
                    "too few buffers");
        }
        Slot[] slots = new Slot[count];
        MmapStream stream = new MmapStream(node, format, width, height, stride, slots);
        try {
            for (int i = 0; i < count; i++) {
                Videodev2.Buffer b = node.queryBuffer(i);
                Pointer address;
                try {
                    address = node.libc().mmap(null, new LibC.SizeT(b.length), LibC.PROT_READ | LibC.PROT_WRITE,
                            LibC.MAP_SHARED, node.fd(), new NativeLong(b.m.offset & 0xFFFF_FFFFL));
                } catch (LastErrorException e) {
                    throw new ErrnoException("mmap " + node.path() + " buffer " + i, e.getErrorCode(),
                            node.libc().strerror(e.getErrorCode()));
                }
                slots[i] = new Slot(i, address, b.length);
            }
            synchronized (stream.lock) {
                stream.open = true;
                for (int i = 0; i < count; i++) {
                    node.queueBuffer(i);
                    stream.queued++;
                }
            }
            node.streamOn();
            return stream;
        } catch (RuntimeException e) {
            stream.close();
            throw e;
        }
    }

    /**
     * Waits up to {@code timeoutMillis} for the next frame. Returns {@code null} on timeout or when the
     * driver returned a buffer marked as corrupt (it is queued again). The caller owns the returned frame's
     * reference and must release it.
     *
     * @throws ErrnoException when the device fails (gone: {@link ErrnoException#deviceGone()})
     */
    Frame next(int timeoutMillis) throws InterruptedException {
        synchronized (lock) {
            if (queued == 0) {
                // Every buffer is held by consumers; poll would only say POLLERR. Wait for a release.
                lock.wait(timeoutMillis);
                if (queued == 0) {
                    return null;
                }
            }
        }
        if (!node.awaitFrame(timeoutMillis)) {
            return null;
        }
        Videodev2.Buffer b;
        Slot slot;
        boolean zeroCopy;
        synchronized (lock) {
            if (!open) {
                return null;
            }
            b = node.dequeueBuffer().orElse(null);
            if (b == null) {
                return null;
            }
            queued--;
            slot = slots[b.index];
            if ((b.flags & Videodev2.V4L2_BUF_FLAG_ERROR) != 0 || b.bytesused <= 0
                    || b.bytesused < format.minimumLength(width, height, stride)) {
                requeue(slot);
                return null;
            }
            zeroCopy = queued >= minQueued;
            // Outstanding while copied out too, so that a close() meanwhile orphans it rather than unmapping it.
            slot.outstanding = true;
        }
        long nanos;
        Instant wall;
        if ((b.flags & Videodev2.V4L2_BUF_FLAG_TIMESTAMP_MASK) == Videodev2.V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC) {
            // CLOCK_MONOTONIC, the clock System.nanoTime() reads on Linux: the capture time itself.
            nanos = b.timestamp_sec.longValue() * 1_000_000_000L + b.timestamp_usec.longValue() * 1_000L;
            long age = Math.max(0, System.nanoTime() - nanos);
            wall = Instant.now().minusNanos(age);
        } else {
            nanos = System.nanoTime();
            wall = Instant.now();
        }
        long sequence = b.sequence & 0xFFFF_FFFFL;
        ByteBuffer view = slot.address.getByteBuffer(0, b.bytesused);
        if (zeroCopy) {
            zeroCopyFrames++;
            return Frame.pooled(format, width, height, stride, sequence, nanos, wall, view, data -> recycle(slot));
        }
        ByteBuffer copy = takeCopyBuffer(b.bytesused);
        copy.put(view).flip();
        recycle(slot);
        copiedFrames++;
        return Frame.pooled(format, width, height, stride, sequence, nanos, wall, copy,
                released -> returnCopyBuffer(copy));
    }

    /** Frames handed out without copying so far (capture thread's view; for tests and diagnostics). */
    long zeroCopyFrames() {
        return zeroCopyFrames;
    }

    /** Frames that had to be copied because consumers held too many buffers. */
    long copiedFrames() {
        return copiedFrames;
    }

    int bufferCount() {
        return slots.length;
    }

    /** Stops streaming and releases the buffers (see the class comment for held ones). Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            if (open) {
                open = false;
                try {
                    node.streamOff();
                } catch (ErrnoException e) {
                    // A gone device cannot stream anyway; the buffers are released below regardless.
                }
            }
            for (Slot slot : slots) {
                if (slot == null || slot.orphaned || slot.unmapped) {
                    continue;
                }
                if (slot.outstanding) {
                    orphan(slot);
                } else {
                    unmap(slot);
                }
            }
            try {
                node.requestBuffers(0);
            } catch (ErrnoException e) {
                // Freed with the file descriptor anyway.
            }
            lock.notifyAll();
        }
    }

    private void recycle(Slot slot) {
        synchronized (lock) {
            slot.outstanding = false;
            if (slot.orphaned) {
                unmap(slot);
            } else if (open) {
                requeue(slot);
            }
        }
    }

    /** Hands a buffer back to the driver. Caller holds the lock. */
    private void requeue(Slot slot) {
        try {
            node.queueBuffer(slot.index);
            queued++;
            lock.notifyAll();
        } catch (ErrnoException e) {
            // The device failed or went away; the capture thread learns it from poll/DQBUF and reports it.
        }
    }

    /** Replaces a held buffer's device mapping by a private copy at the same address. Caller holds the lock. */
    private void orphan(Slot slot) {
        LibC.SizeT length = new LibC.SizeT(slot.length);
        try {
            Pointer copy = libc.mmap(null, length, LibC.PROT_READ | LibC.PROT_WRITE,
                    LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, -1, new NativeLong(0));
            copy.getByteBuffer(0, slot.length).put(slot.address.getByteBuffer(0, slot.length));
            libc.mremap(copy, length, length, LibC.MREMAP_MAYMOVE | LibC.MREMAP_FIXED, slot.address);
            slot.orphaned = true;
        } catch (LastErrorException e) {
            // Out of memory for the copy: keep the device mapping (the device stays allocated until release).
            slot.orphaned = true;
        }
    }

    /**
     * Unmaps a slot's memory, once: its address range may belong to another mapping (the heap, a thread stack,
     * another stream's buffer) as soon as it is unmapped, so a second munmap would pull memory out from under
     * unrelated code. Caller holds the lock.
     */
    private void unmap(Slot slot) {
        if (slot.unmapped) {
            return;
        }
        slot.unmapped = true;
        try {
            libc.munmap(slot.address, new LibC.SizeT(slot.length));
        } catch (LastErrorException e) {
            // Only fails for invalid arguments, which would be a bug here; nothing to recover.
        }
    }

    private ByteBuffer takeCopyBuffer(int length) {
        synchronized (copies) {
            ByteBuffer b = copies.poll();
            if (b != null && b.capacity() >= length) {
                return b.clear().limit(length);
            }
        }
        return ByteBuffer.allocateDirect(length);
    }

    /** Takes back a copy buffer (the writable original, not the frame's read-only view of it). */
    private void returnCopyBuffer(ByteBuffer buffer) {
        synchronized (copies) {
            if (copies.size() < slots.length) {
                copies.push(buffer);
            }
        }
    }
}
