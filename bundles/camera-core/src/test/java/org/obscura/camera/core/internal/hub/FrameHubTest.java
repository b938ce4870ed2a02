package org.obscura.camera.core.internal.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraState;
import org.obscura.camera.api.FrameListener;
import org.obscura.camera.api.FrameSubscription;
import org.obscura.camera.api.LiveFrame;
import org.obscura.camera.api.PixelFormat;
import org.obscura.camera.core.internal.Await;
import org.obscura.camera.core.internal.FakeCamera;
import org.obscura.camera.core.internal.RecordingEvents;

class FrameHubTest {

    private static final HubSettings SETTINGS = new HubSettings(Duration.ofSeconds(3), 80, true, Duration.ofSeconds(1),
            Duration.ofMillis(500), Duration.ofSeconds(10));

    private final ManualTimer timer = new ManualTimer();
    private final ManualExecutor workers = new ManualExecutor();
    private final CountingEncoder encoder = new CountingEncoder();
    private final RecordingEvents events = new RecordingEvents();
    private final List<FrameHub> idle = new ArrayList<>();
    private final FakeCamera camera = new FakeCamera("cam");
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        camera.stop();
        for (AutoCloseable c : cleanup) {
            c.close();
        }
    }

    /** A hub whose timer and workers only run when the test says so. */
    private FrameHub manualHub() {
        return new FrameHub("cam", new HubEnvironment(() -> SETTINGS, encoder, timer, workers, events), idle::add);
    }

    /** A hub on real threads, for the tests about concurrency. */
    private FrameHub threadedHub() {
        ScheduledExecutorService realTimer = Executors.newSingleThreadScheduledExecutor();
        ExecutorService pool = Executors.newCachedThreadPool();
        cleanup.add(realTimer::shutdownNow);
        cleanup.add(pool::shutdownNow);
        return new FrameHub("cam", new HubEnvironment(() -> SETTINGS, encoder, realTimer, pool, events), idle::add);
    }

    @Test
    void startsOnFirstSubscriptionAndStopsAfterTheLinger() throws Exception {
        FrameHub hub = manualHub();
        hub.attach(camera, camera.descriptor());
        workers.drain();
        assertEquals(0, camera.starts.get(), "no viewer, no stream");
        assertEquals(CameraState.ONLINE, hub.status().state());

        FrameSubscription subscription = hub.subscribe(null);
        workers.drain();
        assertEquals(1, camera.starts.get());
        assertEquals(CameraState.STREAMING, hub.status().state());
        try (LiveFrame frame = subscription.next(10, TimeUnit.SECONDS)) {
            assertNotNull(frame);
        }

        subscription.close();
        workers.drain();
        timer.advance(Duration.ofMillis(2999));
        workers.drain();
        assertEquals(0, camera.stops.get(), "still lingering");
        assertEquals(CameraState.STREAMING, hub.status().state());

        timer.advance(Duration.ofMillis(1));
        workers.drain();
        assertEquals(1, camera.stops.get());
        assertFalse(camera.streaming());
        assertEquals(CameraState.ONLINE, hub.status().state());
        assertNull(subscription.next(1, TimeUnit.MILLISECONDS), "a closed subscription returns nothing");
    }

    @Test
    void aNewSubscriptionWithinTheLingerKeepsTheDeviceStreaming() throws Exception {
        FrameHub hub = manualHub();
        hub.attach(camera, camera.descriptor());
        FrameSubscription first = hub.subscribe(null);
        workers.drain();
        first.close();
        workers.drain();
        timer.advance(Duration.ofSeconds(2));

        FrameSubscription second = hub.subscribe(null);
        workers.drain();
        timer.advance(Duration.ofSeconds(10));
        workers.drain();
        assertEquals(1, camera.starts.get());
        assertEquals(0, camera.stops.get(), "the linger was cancelled");
        try (LiveFrame frame = second.next(10, TimeUnit.SECONDS)) {
            assertNotNull(frame);
        }

        second.close();
        workers.drain();
        timer.advance(Duration.ofSeconds(3));
        workers.drain();
        assertEquals(1, camera.stops.get());
    }

    /**
     * The device's thread marks the hub OFFLINE and only then asks for a reconcile, so the state alone does not
     * say the stop is queued: drain until the failed device has been stopped.
     */
    private void awaitFailureHandled(FrameHub hub, int stops) throws Exception {
        Await.until("the hub stopped the failed device", () -> {
            workers.drain();
            return hub.status().state() == CameraState.OFFLINE && camera.stops.get() >= stops;
        });
    }

    @Test
    void aFailedDeviceIsRestartedWithDoublingBackoffWhileViewersRemain() throws Exception {
        FrameHub hub = manualHub();
        hub.attach(camera, camera.descriptor());
        FrameSubscription subscription = hub.subscribe(null);
        workers.drain();
        long before;
        try (LiveFrame frame = subscription.next(10, TimeUnit.SECONDS)) {
            before = frame.index();
        }

        camera.failFromDevice();
        awaitFailureHandled(hub, 1);
        assertEquals(1, camera.stops.get(), "a failed device is stopped");
        assertEquals("unplugged", hub.status().lastError());

        // Meanwhile viewers get "no signal" pictures, as JPEG at the last frame size, with increasing indexes.
        timer.advance(Duration.ZERO);
        workers.drain();
        long placeholderIndex;
        try (LiveFrame placeholder = subscription.next(10, TimeUnit.SECONDS)) {
            assertTrue(placeholder.placeholder());
            assertTrue(placeholder.index() > before);
            assertEquals(PixelFormat.JPEG, placeholder.frame().format());
            BufferedImage image = decode(placeholder.jpeg());
            assertEquals(64, image.getWidth());
            assertEquals(48, image.getHeight());
            placeholderIndex = placeholder.index();
        }

        timer.advance(Duration.ofMillis(499));
        workers.drain();
        assertEquals(1, camera.starts.get());
        timer.advance(Duration.ofMillis(1));
        workers.drain();
        assertEquals(2, camera.starts.get(), "restarted after 500 ms");
        assertEquals(CameraState.STREAMING, hub.status().state());
        try (LiveFrame frame = subscription.next(10, TimeUnit.SECONDS)) {
            assertFalse(frame.placeholder());
            assertTrue(frame.index() > placeholderIndex, "indexes keep increasing across restarts");
        }

        // Now it fails again and keeps failing to start: 500 ms, then 1 s, then 2 s.
        camera.startFailure = new CameraException(CameraException.Kind.BUSY, "device busy");
        camera.failFromDevice();
        awaitFailureHandled(hub, 2);
        timer.advance(Duration.ofMillis(500));
        workers.drain();
        assertEquals(3, camera.starts.get());
        assertEquals("device busy", hub.status().lastError());
        timer.advance(Duration.ofMillis(999));
        workers.drain();
        assertEquals(3, camera.starts.get());
        timer.advance(Duration.ofMillis(1));
        workers.drain();
        assertEquals(4, camera.starts.get());
        timer.advance(Duration.ofMillis(1999));
        workers.drain();
        assertEquals(4, camera.starts.get());

        camera.startFailure = null;
        timer.advance(Duration.ofMillis(1));
        workers.drain();
        assertEquals(5, camera.starts.get());
        assertEquals(CameraState.STREAMING, hub.status().state());
        assertEquals(camera.starts.get(), camera.stops.get() + 1, "every failed start was followed by a stop");
        assertEquals(List.of("ONLINE", "OFFLINE", "ONLINE", "OFFLINE", "ONLINE"), events.topics("cam"));
        assertTrue(camera.errors.isEmpty(), camera.errors.toString());
        subscription.close();
    }

    @Test
    void noRetryWithoutViewers() {
        FrameHub hub = manualHub();
        camera.startFailure = new CameraException(CameraException.Kind.IO, "no device");
        hub.attach(camera, camera.descriptor());
        FrameSubscription subscription = hub.subscribe(null);
        workers.drain();
        assertEquals(1, camera.starts.get());
        assertEquals(CameraState.OFFLINE, hub.status().state());
        subscription.close();
        workers.drain();
        timer.advance(Duration.ofMinutes(1));
        workers.drain();
        assertEquals(1, camera.starts.get());
    }

    @Test
    void everyFrameIsReleasedExactlyOnce() throws Exception {
        FrameHub hub = manualHub();
        camera.periodMillis = 1;
        hub.attach(camera, camera.descriptor());
        FrameSubscription a = hub.subscribe(null);
        FrameSubscription b = hub.subscribe(null);
        workers.drain();
        LiveFrame kept = a.next(10, TimeUnit.SECONDS);
        for (int i = 0; i < 20; i++) {
            try (LiveFrame frame = (i % 2 == 0 ? a : b).next(10, TimeUnit.SECONDS)) {
                frame.jpeg();
                frame.close(); // closing twice is harmless
            }
        }
        Await.until("frames were replaced in the slot", () -> camera.recycled.get() > 10);
        a.close();
        b.close();
        timer.advance(Duration.ofSeconds(3));
        workers.drain();
        assertEquals(1, camera.stops.get());
        assertEquals(camera.created.get() - 1, camera.recycled.get(), "only the frame still held by a viewer is out");
        kept.close();
        assertEquals(camera.created.get(), camera.recycled.get());
        assertTrue(camera.errors.isEmpty(), camera.errors.toString());
    }

    @Test
    void disposingReleasesTheSlotAndStopsTheDevice() throws Exception {
        FrameHub hub = manualHub();
        hub.attach(camera, camera.descriptor());
        FrameSubscription subscription = hub.subscribe(null);
        workers.drain();
        subscription.next(10, TimeUnit.SECONDS).close();
        hub.dispose();
        workers.drain();
        assertEquals(1, camera.stops.get());
        assertEquals(camera.created.get(), camera.recycled.get());
        assertNull(subscription.next(1, TimeUnit.MILLISECONDS));
        assertThrows(CameraException.class, () -> hub.subscribe(null));
    }

    @Test
    void aDetachedDeviceLeavesViewersWaitingUntilAnotherIsAttached() throws Exception {
        FrameHub hub = manualHub();
        hub.attach(camera, camera.descriptor());
        FrameSubscription subscription = hub.subscribe(null);
        workers.drain();
        long first;
        try (LiveFrame frame = subscription.next(10, TimeUnit.SECONDS)) {
            first = frame.index();
        }

        hub.detach(camera);
        workers.drain();
        assertEquals(1, camera.stops.get());
        assertEquals(CameraState.OFFLINE, subscription.state());
        assertEquals(camera.created.get(), camera.recycled.get(), "no frame of the departed device is kept");
        assertTrue(idle.isEmpty(), "a viewer keeps the hub");

        FakeCamera replacement = new FakeCamera("cam");
        try {
            hub.attach(replacement, replacement.descriptor());
            workers.drain();
            assertEquals(1, replacement.starts.get());
            try (LiveFrame frame = subscription.next(10, TimeUnit.SECONDS)) {
                assertTrue(frame.index() > first);
                assertFalse(frame.placeholder());
            }
            hub.detach(replacement);
            workers.drain();
            subscription.close();
            assertEquals(List.of(hub), idle, "no device and no viewer: the owner may drop the hub");
        } finally {
            replacement.stop();
        }
    }

    @Test
    void eachEncodingIsComputedOncePerFrameForAllViewers() throws Exception {
        FrameHub hub = manualHub();
        camera.framesPerStart = 1;
        hub.attach(camera, camera.descriptor());
        List<FrameSubscription> viewers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            viewers.add(hub.subscribe(null));
        }
        workers.drain();
        List<LiveFrame> frames = new ArrayList<>();
        for (FrameSubscription s : viewers) {
            frames.add(s.next(10, TimeUnit.SECONDS));
        }
        assertEquals(1, frames.stream().map(LiveFrame::index).distinct().count());

        encoder.delayMillis = 100; // so that the other viewers ask while the first is encoding
        ExecutorService pool = Executors.newFixedThreadPool(frames.size());
        CountDownLatch go = new CountDownLatch(1);
        List<Future<byte[]>> results = new ArrayList<>();
        try {
            for (LiveFrame f : frames) {
                results.add(pool.submit(() -> {
                    go.await();
                    return bytes(f.jpeg());
                }));
            }
            go.countDown();
            byte[] first = results.get(0).get(20, TimeUnit.SECONDS);
            for (Future<byte[]> r : results) {
                assertArrayEquals(first, r.get(20, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, encoder.calls.get());
        assertEquals(48, decode(frames.get(3).jpeg()).getHeight());

        encoder.delayMillis = 0;
        frames.get(0).jpeg(50);
        frames.get(5).jpeg(50);
        assertEquals(2, encoder.calls.get(), "one more encoding for another quality");
        CameraException e = assertThrows(CameraException.class, () -> frames.get(1).jpeg(0));
        assertEquals(CameraException.Kind.INVALID_ARGUMENT, e.kind());
        assertEquals("quality", e.field());
        assertThrows(CameraException.class, () -> frames.get(1).jpeg(101));

        frames.forEach(LiveFrame::close);
        assertArrayEquals(bytes(frames.get(0).jpeg(50)), bytes(frames.get(2).jpeg(50)),
                "encodings stay readable after close");
        viewers.forEach(FrameSubscription::close);
    }

    @Test
    void jpegFramesPassThroughUntouched() throws Exception {
        FrameHub hub = manualHub();
        camera.format = PixelFormat.JPEG;
        hub.attach(camera, camera.descriptor());
        FrameSubscription subscription = hub.subscribe(null);
        workers.drain();
        try (LiveFrame frame = subscription.next(10, TimeUnit.SECONDS)) {
            byte[] original = frame.frame().toByteArray();
            assertArrayEquals(original, bytes(frame.jpeg()));
            assertArrayEquals(original, bytes(frame.jpeg(10)));
            assertArrayEquals(original, bytes(frame.jpeg(100)));
            assertTrue(frame.jpeg().isReadOnly());
        }
        assertEquals(0, encoder.calls.get());
        subscription.close();
    }

    @Test
    void aViewerThatNeverReadsDoesNotSlowTheCameraOrOtherViewers() throws Exception {
        FrameHub hub = threadedHub();
        // The camera keeps pushing until the end: counts below that only grow while frames come can then not
        // get stuck because a busy machine left a delivery thread unscheduled while a limited burst went by.
        camera.periodMillis = 1;
        hub.attach(camera, camera.descriptor());

        // One viewer's listener breaks its contract and blocks for good; another subscribes and never reads.
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger stuckCalls = new AtomicInteger();
        FrameSubscription stuck = hub.subscribe(s -> {
            stuckCalls.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        FrameSubscription idleViewer = hub.subscribe(null);
        AtomicInteger notified = new AtomicInteger();
        FrameSubscription fast = hub.subscribe(new FrameListener() {
            @Override
            public void frameAvailable(FrameSubscription subscription) {
                notified.incrementAndGet();
            }
        });

        AtomicInteger received = new AtomicInteger();
        AtomicBoolean ordered = new AtomicBoolean(true);
        Thread reader = new Thread(() -> {
            long last = 0;
            try {
                for (LiveFrame next; (next = fast.next(5, TimeUnit.SECONDS)) != null;) {
                    try (LiveFrame f = next) {
                        if (f.index() <= last) {
                            ordered.set(false);
                        }
                        last = f.index();
                        received.incrementAndGet();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        reader.start();
        try {
            Await.until("the camera pushed 300 frames", () -> camera.pushed.get() >= 300);
            Await.until("the fast viewer got a good share of the frames", () -> received.get() >= 30);
            assertTrue(ordered.get(), "frames arrive in index order");
            // Its first call runs on a pool thread that a busy machine may not have scheduled yet.
            Await.until("the blocked listener was called", () -> stuckCalls.get() >= 1);
            assertEquals(1, stuckCalls.get(), "the blocked listener is not called again while it blocks");
            Await.until("the fast listener was notified", () -> notified.get() >= 10);
            assertTrue(camera.errors.isEmpty(), camera.errors.toString());
            int fastBefore = notified.get();
            release.countDown();
            Await.until("the listener that blocked is told again once it has returned", () -> stuckCalls.get() >= 2);
            Await.until("the others are still told", () -> notified.get() > fastBefore + 10);
        } finally {
            release.countDown();
            fast.close();
            reader.join(10_000);
            stuck.close();
            idleViewer.close();
        }
    }

    @Test
    void listenersAreToldOfStateChanges() throws Exception {
        FrameHub hub = threadedHub();
        hub.attach(camera, camera.descriptor());
        List<CameraState> states = new java.util.concurrent.CopyOnWriteArrayList<>();
        FrameSubscription subscription = hub.subscribe(new FrameListener() {
            @Override
            public void frameAvailable(FrameSubscription s) {
            }

            @Override
            public void stateChanged(FrameSubscription s, CameraState state) {
                states.add(state);
            }
        });
        Await.until("streaming reported", () -> states.contains(CameraState.STREAMING));
        hub.detach(camera);
        Await.until("offline reported", () -> states.contains(CameraState.OFFLINE));
        subscription.close();
    }

    static byte[] bytes(ByteBuffer buffer) {
        byte[] b = new byte[buffer.remaining()];
        buffer.duplicate().get(b);
        return b;
    }

    static BufferedImage decode(ByteBuffer jpeg) throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes(jpeg)));
        assertNotNull(image, "not a JPEG");
        return image;
    }
}
