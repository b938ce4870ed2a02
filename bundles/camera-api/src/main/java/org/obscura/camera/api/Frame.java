package org.obscura.camera.api;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One image from a camera: pixel format, geometry, sequence number, capture timestamps and read-only data.
 *
 * <h2>Buffer ownership</h2>
 * A frame is reference counted so that drivers can recycle their buffers instead of allocating one per
 * frame. A new frame holds one reference, owned by whoever created it. Anyone that keeps the frame beyond
 * the call in which it received it (a frame hub keeping the latest frame, an encoder working on another
 * thread) must {@link #retain()} it first and {@link #release()} it when done. When the last reference is
 * released, the frame's recycler (if any) gets the buffer back, and the data must no longer be read.
 * Frames created without a recycler simply become garbage.
 *
 * <p>A driver therefore typically does: {@code Frame f = Frame.pooled(...); sink.frame(f); f.release();}.
 *
 * <p>{@link #data()} returns a new read-only view each call, positioned at 0; callers never see each
 * other's positions. Frames are otherwise immutable and safe to share between threads.
 */
public final class Frame {

    private final PixelFormat format;
    private final int width;
    private final int height;
    private final int stride;
    private final long sequence;
    private final long monotonicNanos;
    private final Instant timestamp;
    private final ByteBuffer data;
    private final Consumer<ByteBuffer> recycler;
    private final AtomicInteger references = new AtomicInteger(1);

    private Frame(PixelFormat format, int width, int height, int stride, long sequence, long monotonicNanos,
            Instant timestamp, ByteBuffer data, Consumer<ByteBuffer> recycler) {
        this.format = Objects.requireNonNull(format, "format");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("frame size must be positive: " + width + "x" + height);
        }
        if (!format.isCompressed() && stride < width * format.bytesPerPixel()) {
            throw new IllegalArgumentException("stride " + stride + " too small for " + width + " pixels of " + format);
        }
        int needed = format.minimumLength(width, height, stride);
        if (data.remaining() < needed) {
            throw new IllegalArgumentException(
                    "frame data has " + data.remaining() + " bytes, " + format + " " + width + "x" + height + " needs " + needed);
        }
        this.width = width;
        this.height = height;
        this.stride = format.isCompressed() ? 0 : stride;
        this.sequence = sequence;
        this.monotonicNanos = monotonicNanos;
        this.timestamp = Objects.requireNonNull(timestamp, "timestamp");
        this.data = data.slice().asReadOnlyBuffer();
        this.recycler = recycler;
    }

    /**
     * A frame owning its data outright (no recycling).
     *
     * @param format         pixel format
     * @param width          width in pixels, positive
     * @param height         height in pixels, positive
     * @param stride         bytes per row of the first plane (ignored for compressed formats)
     * @param sequence       the device's frame counter, increasing
     * @param monotonicNanos capture time on {@link System#nanoTime()}'s clock, for measuring skew and rates
     * @param timestamp      capture wall-clock time
     * @param data           the bytes from position to limit; the caller must not modify them afterwards
     */
    public static Frame of(PixelFormat format, int width, int height, int stride, long sequence, long monotonicNanos,
            Instant timestamp, ByteBuffer data) {
        return new Frame(format, width, height, stride, sequence, monotonicNanos, timestamp, data, null);
    }

    /** A complete JPEG image as a frame, captured now. */
    public static Frame jpeg(int width, int height, long sequence, byte[] jpeg) {
        return of(PixelFormat.JPEG, width, height, 0, sequence, System.nanoTime(), Instant.now(), ByteBuffer.wrap(jpeg));
    }

    /**
     * A frame whose buffer goes back to {@code recycler} when its last reference is released. The recycler
     * is called exactly once, on the thread that releases the last reference; it must not block.
     */
    public static Frame pooled(PixelFormat format, int width, int height, int stride, long sequence,
            long monotonicNanos, Instant timestamp, ByteBuffer data, Consumer<ByteBuffer> recycler) {
        return new Frame(format, width, height, stride, sequence, monotonicNanos, timestamp, data,
                Objects.requireNonNull(recycler, "recycler"));
    }

    public PixelFormat format() {
        return format;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Bytes per row of the first plane; 0 for compressed formats. */
    public int stride() {
        return stride;
    }

    /** The device's frame counter. Strictly increasing for one device session; may restart after a reopen. */
    public long sequence() {
        return sequence;
    }

    /** Capture time on {@link System#nanoTime()}'s clock. */
    public long monotonicNanos() {
        return monotonicNanos;
    }

    /** Capture wall-clock time. */
    public Instant timestamp() {
        return timestamp;
    }

    /** A new read-only view of the data, position 0, limit = {@link #length()}. */
    public ByteBuffer data() {
        return data.duplicate();
    }

    /** Number of data bytes. */
    public int length() {
        return data.capacity();
    }

    /** A copy of the data as a new array. */
    public byte[] toByteArray() {
        byte[] copy = new byte[data.capacity()];
        data.duplicate().get(copy);
        return copy;
    }

    /**
     * Adds a reference. Must only be called while the caller (or whoever handed it the frame) holds one.
     *
     * @return this frame
     * @throws IllegalStateException if the frame was already fully released
     */
    public Frame retain() {
        int n;
        do {
            n = references.get();
            if (n <= 0) {
                throw new IllegalStateException("frame " + sequence + " already released");
            }
        } while (!references.compareAndSet(n, n + 1));
        return this;
    }

    /**
     * Drops a reference; the last one hands the buffer to the recycler.
     *
     * @throws IllegalStateException if released more often than retained
     */
    public void release() {
        int n = references.decrementAndGet();
        if (n == 0) {
            if (recycler != null) {
                recycler.accept(data);
            }
        } else if (n < 0) {
            references.incrementAndGet();
            throw new IllegalStateException("frame " + sequence + " released more often than retained");
        }
    }

    @Override
    public String toString() {
        return "Frame[" + format + " " + width + "x" + height + " #" + sequence + " " + data.capacity() + " bytes]";
    }
}
