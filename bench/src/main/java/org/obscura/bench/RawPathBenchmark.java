package org.obscura.bench;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.obscura.camera.api.CameraConfig;
import org.obscura.camera.api.CameraDescriptor;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.FrameListener;
import org.obscura.camera.api.FrameSubscription;
import org.obscura.camera.api.LiveFrame;
import org.obscura.camera.api.Mode;
import org.obscura.camera.api.PixelFormat;
import org.obscura.camera.core.internal.CoreCameraRegistry;
import org.obscura.camera.core.internal.EventPublisher;
import org.obscura.camera.core.internal.hub.HubSettings;
import org.obscura.camera.core.internal.jpeg.TurboJpegCodec;
import org.obscura.camera.spi.support.AbstractCameraDevice;
import org.obscura.camera.spi.support.BufferPool;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One raw 1280x720 frame through the whole live path, as a V4L2 webcam's frames go: a driver-like device built on
 * the driver kit ({@link AbstractCameraDevice}, its own delivery thread, buffers from a {@link BufferPool}, the
 * benchmark frame copied in as a read from the device would) pushes frames into camera-core's real
 * {@link CoreCameraRegistry} and frame hub, whose worker pool tells the one subscriber, which takes each frame's
 * JPEG (libjpeg-turbo, the hub's default quality 80) on the hub's delivery thread and closes it.
 *
 * <p>One operation is one frame, in lock step: the benchmark thread asks the device for a frame and waits until
 * the subscriber has that frame's JPEG, so every frame is encoded exactly once and nothing is skipped. The time
 * is the latency of the whole path (device to JPEG in the viewer's hands); with {@code -prof gc},
 * {@code gc.alloc.rate.norm} is what all threads allocated per frame (JMH counts every live thread: device, hub
 * workers, subscriber), the JPEG's own {@code byte[]} included. The fork prints the JPEG's size
 * ({@code RAWPATH jpeg_bytes=...}), so that the rest can be told apart.
 */
@State(Scope.Benchmark)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx256m"})
public class RawPathBenchmark {

    private static final String CAMERA = "bench";

    @Param({"YUYV"})
    public String format;

    private TurboJpegCodec codec;
    private CoreCameraRegistry registry;
    private PooledDevice device;
    private FrameSubscription subscription;
    private final AtomicLong taken = new AtomicLong();
    private volatile long jpegBytes;
    private volatile Thread waiter;
    private volatile long seen;
    private volatile long skipped;

    @Setup(Level.Trial)
    public void setUp() throws InterruptedException {
        codec = TurboJpegCodec.load();
        Frame source = TestFrames.frame(PixelFormat.valueOf(format));
        // Linger 0: the device stops as soon as the subscription closes at tear-down.
        HubSettings settings = new HubSettings(java.time.Duration.ZERO, 80, true, java.time.Duration.ofSeconds(1),
                java.time.Duration.ofMillis(500), java.time.Duration.ofSeconds(10));
        registry = new CoreCameraRegistry(settings, codec, EventPublisher.NONE);
        device = new PooledDevice(source);
        registry.addDevice(device, Map.of(CameraConfig.CAMERA_NAME, CAMERA));
        subscription = registry.subscribe(CAMERA, new JpegTaker());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!device.streaming()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the device did not start");
            }
            Thread.sleep(10);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        System.out.println("RAWPATH jpeg_bytes=" + jpegBytes + " frames=" + taken.get() + " pool_buffers="
                + device.pool.allocated());
        subscription.close();
        registry.deactivate();
        device.close();
        codec.close();
    }

    /** One frame from the device to the subscriber's JPEG. */
    @Benchmark
    public long frameToJpeg() {
        long target = taken.get() + 1;
        waiter = Thread.currentThread();
        device.request();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (taken.get() < target) {
            LockSupport.parkNanos(this, 1_000_000);
            if (System.nanoTime() > deadline) {
                // Fail loudly rather than hang: a frame got lost between the device and the viewer.
                throw new IllegalStateException("frame " + target + " did not reach the viewer in 10 s; device "
                        + device.requested.get() + " requested, " + device.delivered + " delivered; hub "
                        + registry.camera(CAMERA).orElse(null) + "; viewer saw " + seen + ", skipped " + skipped);
            }
        }
        return target;
    }

    /** The viewer: takes the newest frame's JPEG on the hub's delivery thread, then wakes the benchmark thread. */
    private final class JpegTaker implements FrameListener {
        @Override
        public void frameAvailable(FrameSubscription s) {
            try (LiveFrame frame = s.latest()) {
                if (frame == null || frame.placeholder()) {
                    skipped++;
                    return;
                }
                seen = frame.index();
                jpegBytes = frame.jpeg().remaining();
            }
            taken.incrementAndGet();
            Thread w = waiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
    }

    /**
     * A driver-like device: on its delivery thread, for each requested frame, takes a buffer from its pool,
     * fills it (the copy a read() driver makes; allocation-free), delivers the pooled frame and releases it.
     */
    private static final class PooledDevice extends AbstractCameraDevice {
        private final BufferPool pool = new BufferPool(4);
        private final Frame source;
        private final ByteBuffer pixels;
        private final AtomicLong requested = new AtomicLong();
        private volatile Thread thread;
        /** Frames delivered, over every session (written by the delivery thread only). */
        private volatile long delivered;

        PooledDevice(Frame source) {
            super(new CameraDescriptor(CAMERA, "raw path benchmark", "bench", "memory",
                    new Mode(source.format(), source.width(), source.height(), 30), Set.of(), false, 0, null, Map.of()));
            this.source = source;
            this.pixels = source.data();
        }

        void request() {
            requested.incrementAndGet();
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }

        @Override
        protected void stream(Stream stream) {
            thread = Thread.currentThread();
            int length = pixels.remaining();
            while (stream.active()) {
                if (delivered >= requested.get()) {
                    LockSupport.parkNanos(this, 1_000_000);
                    continue;
                }
                ByteBuffer buffer = pool.acquire(length);
                if (buffer == null) {
                    LockSupport.parkNanos(this, 100_000); // every buffer is still held by the hub or a viewer
                    continue;
                }
                buffer.put(0, pixels, 0, length).position(length);
                Frame frame = pool.frame(buffer, source.format(), source.width(), source.height(), source.stride(),
                        nextSequence(), System.nanoTime(), Instant.now());
                try {
                    stream.deliver(frame);
                } finally {
                    frame.release();
                }
                delivered++;
            }
        }

        @Override
        public Frame captureStill() {
            throw new CameraException(CameraException.Kind.UNSUPPORTED, "no stills");
        }
    }
}
