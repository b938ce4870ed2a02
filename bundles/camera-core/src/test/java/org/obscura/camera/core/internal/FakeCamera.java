package org.obscura.camera.core.internal;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.obscura.camera.api.CameraDescriptor;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.Capability;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.Mode;
import org.obscura.camera.api.PixelFormat;
import org.obscura.camera.api.Setting;
import org.obscura.camera.spi.CameraDevice;
import org.obscura.camera.spi.FrameSink;

/**
 * A camera for tests: a thread pushing pooled frames (every buffer's return is counted) at a fixed period,
 * optionally a limited number per start; start failures, reported failures and stills on demand.
 */
public final class FakeCamera implements CameraDevice {

    public final AtomicInteger starts = new AtomicInteger();
    public final AtomicInteger stops = new AtomicInteger();
    public final AtomicInteger created = new AtomicInteger();
    public final AtomicInteger recycled = new AtomicInteger();
    public final AtomicInteger pushed = new AtomicInteger();
    public final AtomicInteger stills = new AtomicInteger();
    public final List<Throwable> errors = new CopyOnWriteArrayList<>();

    public volatile CameraDescriptor descriptor;
    public volatile PixelFormat format = PixelFormat.YUYV;
    public volatile int width = 64;
    public volatile int height = 48;
    public volatile long periodMillis = 5;
    public volatile int framesPerStart = Integer.MAX_VALUE;
    public volatile RuntimeException startFailure;
    public volatile Supplier<Frame> still;
    public volatile List<Setting> settings = List.of();
    public volatile RuntimeException settingsFailure;
    /** Answers {@link #captureOnDevice}; {@code null}: the SPI's default (UNSUPPORTED). */
    public volatile Supplier<String> onDevice;
    /** Runs on {@link #reset}; {@code null}: the SPI's default (UNSUPPORTED). */
    public volatile Runnable resetAction;
    public final AtomicInteger resets = new AtomicInteger();

    private final Object lock = new Object();
    private Thread pusher;
    private volatile boolean running;
    private volatile boolean failRequested;
    private long sequence;

    public FakeCamera(String name) {
        this(name, "fake", false, 0, null);
    }

    public FakeCamera(String name, String driver, boolean stereo, int stereoOrder, String interruptService) {
        descriptor = new CameraDescriptor(name, null, driver, "/dev/fake-" + name, new Mode(PixelFormat.YUYV, 64, 48, 30),
                Set.of(Capability.STREAM, Capability.STILL, Capability.SETTINGS), stereo, stereoOrder, interruptService,
                Map.of());
    }

    @Override
    public CameraDescriptor descriptor() {
        return descriptor;
    }

    @Override
    public void start(FrameSink sink) {
        starts.incrementAndGet();
        RuntimeException failure = startFailure;
        if (failure != null) {
            throw failure;
        }
        synchronized (lock) {
            if (pusher != null) {
                errors.add(new IllegalStateException("started twice without stop"));
            }
            running = true;
            failRequested = false;
            int limit = framesPerStart;
            pusher = new Thread(() -> push(sink, limit), "fake-" + descriptor.name());
            pusher.setDaemon(true);
            pusher.start();
        }
    }

    private void push(FrameSink sink, int limit) {
        try {
            for (int n = 0; running && n < limit; n++) {
                if (failRequested) {
                    sink.failed(new CameraException(CameraException.Kind.IO, "unplugged"));
                    return;
                }
                Frame f = frame();
                sink.frame(f);
                f.release();
                pushed.incrementAndGet();
                if (periodMillis > 0) {
                    Thread.sleep(periodMillis);
                }
            }
            while (running && !failRequested) {
                Thread.sleep(2);
            }
            if (running && failRequested) {
                sink.failed(new CameraException(CameraException.Kind.IO, "unplugged"));
            }
        } catch (InterruptedException e) {
            // stop
        } catch (Throwable e) {
            errors.add(e);
        }
    }

    /** A new pooled frame of the configured format; its buffer's return is counted in {@link #recycled}. */
    public Frame frame() {
        int stride = format.isCompressed() ? 0 : width * format.bytesPerPixel();
        byte[] data = format.isCompressed() ? new byte[] {(byte) 0xff, (byte) 0xd8, 1, 2, 3, (byte) 0xff, (byte) 0xd9}
                : new byte[format.minimumLength(width, height, stride)];
        if (format == PixelFormat.YUYV) {
            for (int i = 0; i < data.length; i += 2) {
                data[i] = (byte) 128;
                data[i + 1] = (byte) 128;
            }
        }
        created.incrementAndGet();
        return Frame.pooled(format, width, height, stride, ++sequence, System.nanoTime(), Instant.now(),
                ByteBuffer.wrap(data), b -> recycled.incrementAndGet());
    }

    /** Makes the pushing thread report a failure (as an unplugged device would) and stop pushing. */
    public void failFromDevice() {
        failRequested = true;
    }

    @Override
    public void stop() {
        stops.incrementAndGet();
        Thread t;
        synchronized (lock) {
            running = false;
            t = pusher;
            pusher = null;
        }
        if (t != null && t != Thread.currentThread()) {
            t.interrupt();
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public boolean streaming() {
        synchronized (lock) {
            return pusher != null;
        }
    }

    @Override
    public Frame captureStill() {
        stills.incrementAndGet();
        Supplier<Frame> s = still;
        return s != null ? s.get() : frame();
    }

    @Override
    public String captureOnDevice() {
        Supplier<String> s = onDevice;
        if (s == null) {
            return CameraDevice.super.captureOnDevice();
        }
        stills.incrementAndGet();
        return s.get();
    }

    @Override
    public void reset() {
        Runnable r = resetAction;
        if (r == null) {
            CameraDevice.super.reset();
            return;
        }
        resets.incrementAndGet();
        r.run();
    }

    @Override
    public List<Setting> settings() {
        RuntimeException failure = settingsFailure;
        if (failure != null) {
            throw failure;
        }
        return settings;
    }

    @Override
    public String toString() {
        return "FakeCamera[" + descriptor.name() + "]";
    }
}
