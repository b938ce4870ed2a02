package org.obscura.camera.core.internal.hub;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicBoolean;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.LiveFrame;
import org.obscura.camera.core.internal.jpeg.JpegEncoder;

/**
 * One frame as a hub holds it: the device's frame, its position in the hub, and its encodings, shared by every
 * viewer. The hub's slot owns one reference to the frame ({@link #releaseSlot()}); every {@link Handle} given to
 * a viewer owns another, so the buffer goes back to the driver only when the slot has moved on and every viewer
 * has closed its handle.
 *
 * <p>Encodings are computed on the first request, on the requesting thread (which holds a handle, so the data is
 * alive), and cached per quality; concurrent requests for the same encoding wait for that one computation. A
 * JPEG frame is its own encoding at every quality: its bytes are copied once to the heap (a pooled buffer must
 * not outlive the frame) and never re-encoded.
 *
 * <p>A hub makes one of these per frame, so the common case allocates little: the encoding at the hub's default
 * quality (or the pass-through copy), which is nearly every request, lives in fields guarded by this object's
 * monitor; only other qualities go through a map of futures, made when first needed.
 */
final class HubFrame {

    private static final int PASS_THROUGH = 0;

    private final Frame frame;
    private final long index;
    private final boolean placeholder;
    private final Object origin;
    private final int defaultQuality;
    private final JpegEncoder encoder;
    /** The key of the encoding kept in fields: {@link #PASS_THROUGH} for compressed frames, else the default quality. */
    private final int firstKey;
    // The first key's encoding; guarded by this.
    private boolean firstStarted;
    private ByteBuffer firstJpeg;
    private CameraException firstFailure;
    /** Every other quality's encoding; made on first use. */
    private volatile ConcurrentMap<Integer, Future<ByteBuffer>> others;

    /**
     * @param frame  a frame whose reference now belongs to this object's slot
     * @param origin the device session that delivered it, or {@code null} for a placeholder
     */
    HubFrame(Frame frame, long index, boolean placeholder, Object origin, int defaultQuality, JpegEncoder encoder) {
        this.frame = frame;
        this.index = index;
        this.placeholder = placeholder;
        this.origin = origin;
        this.defaultQuality = defaultQuality;
        this.encoder = encoder;
        this.firstKey = frame.format().isCompressed() ? PASS_THROUGH : defaultQuality;
    }

    long index() {
        return index;
    }

    Object origin() {
        return origin;
    }

    int width() {
        return frame.width();
    }

    int height() {
        return frame.height();
    }

    /** A new handle holding its own reference. Only while the slot still holds this frame (under the hub's lock). */
    Handle open() {
        frame.retain();
        return new Handle();
    }

    /** Drops the slot's reference, when the hub replaces or drops this frame. */
    void releaseSlot() {
        frame.release();
    }

    private ByteBuffer jpeg(int quality, boolean open) {
        if (quality < 1 || quality > 100) {
            throw CameraException.invalid("quality", "quality must be between 1 and 100, got " + quality);
        }
        int key = frame.format().isCompressed() ? PASS_THROUGH : quality;
        return key == firstKey ? first(open) : other(key, open);
    }

    /** The first key's encoding: computed by the first caller, waited for by the others. */
    private ByteBuffer first(boolean open) {
        synchronized (this) {
            while (firstStarted) {
                if (firstJpeg != null) {
                    return firstJpeg.duplicate();
                }
                if (firstFailure != null) {
                    throw firstFailure;
                }
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CameraException(CameraException.Kind.IO, "interrupted while waiting for frame " + index
                            + "'s JPEG", e);
                }
            }
            if (!open) {
                throw new IllegalStateException("frame " + index + " is closed");
            }
            firstStarted = true;
        }
        ByteBuffer jpeg = null;
        CameraException failure = null;
        try {
            jpeg = encode(firstKey);
        } catch (CameraException e) {
            failure = e;
        } catch (RuntimeException | Error e) {
            failure = new CameraException(CameraException.Kind.IO, "could not encode frame " + index + ": " + e, e);
        }
        synchronized (this) {
            firstJpeg = jpeg;
            firstFailure = failure;
            notifyAll();
        }
        if (failure != null) {
            throw failure;
        }
        return jpeg.duplicate();
    }

    private ByteBuffer other(int key, boolean open) {
        ConcurrentMap<Integer, Future<ByteBuffer>> map = others;
        if (map == null) {
            synchronized (this) {
                map = others;
                if (map == null) {
                    map = new ConcurrentHashMap<>(2);
                    others = map;
                }
            }
        }
        Future<ByteBuffer> result = map.get(key);
        if (result == null) {
            if (!open) {
                throw new IllegalStateException("frame " + index + " is closed");
            }
            FutureTask<ByteBuffer> task = new FutureTask<>(() -> encode(key));
            result = map.putIfAbsent(key, task);
            if (result == null) {
                result = task;
                task.run();
            }
        }
        try {
            return result.get().duplicate();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof CameraException ce) {
                throw ce;
            }
            throw new CameraException(CameraException.Kind.IO, "could not encode frame " + index + ": " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CameraException(CameraException.Kind.IO, "interrupted while waiting for frame " + index + "'s JPEG", e);
        }
    }

    private ByteBuffer encode(int quality) {
        byte[] bytes = quality == PASS_THROUGH ? frame.toByteArray() : encoder.encode(frame, quality);
        return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    }

    /** A viewer's reference to this frame. */
    final class Handle implements LiveFrame {

        private final AtomicBoolean closed = new AtomicBoolean();

        @Override
        public Frame frame() {
            return frame;
        }

        @Override
        public long index() {
            return index;
        }

        @Override
        public boolean placeholder() {
            return placeholder;
        }

        @Override
        public ByteBuffer jpeg() {
            return jpeg(defaultQuality);
        }

        @Override
        public ByteBuffer jpeg(int quality) {
            return HubFrame.this.jpeg(quality, !closed.get());
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                frame.release();
            }
        }

        @Override
        public String toString() {
            return "LiveFrame[#" + index + (placeholder ? " placeholder " : " ") + frame + "]";
        }
    }
}
