package org.obscura.camera.spi.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.obscura.camera.api.CameraDescriptor;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraException.Kind;
import org.obscura.camera.api.Capability;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.Mode;
import org.obscura.camera.api.PixelFormat;
import org.obscura.camera.spi.FrameSink;

class AbstractCameraDeviceTest {

    private static final long WAIT = 20;

    static CameraDescriptor descriptor(double fps) {
        return new CameraDescriptor("cam", null, "test", "", new Mode(PixelFormat.GREY, 4, 4, fps),
                Set.of(Capability.STREAM), false, 0, null, null);
    }

    /** Counts frames and errors; flags any call arriving while {@code closed} is set. */
    static final class Sink implements FrameSink {
        final AtomicInteger frames = new AtomicInteger();
        final List<CameraException> errors = new CopyOnWriteArrayList<>();
        final AtomicBoolean closed = new AtomicBoolean();
        final AtomicBoolean lateCall = new AtomicBoolean();
        final CountDownLatch firstFrame = new CountDownLatch(1);
        final CountDownLatch failed = new CountDownLatch(1);

        @Override
        public void frame(Frame frame) {
            if (closed.get()) {
                lateCall.set(true);
            }
            frames.incrementAndGet();
            firstFrame.countDown();
        }

        @Override
        public void failed(CameraException error) {
            if (closed.get()) {
                lateCall.set(true);
            }
            errors.add(error);
            failed.countDown();
        }
    }

    /** Delivers frames as fast as it can (or at the mode rate when paced) until stopped. */
    static class Busy extends AbstractCameraDevice {
        final boolean paced;

        Busy(double fps, boolean paced) {
            super(AbstractCameraDeviceTest.descriptor(fps));
            this.paced = paced;
        }

        @Override
        protected void stream(Stream stream) throws Exception {
            while (paced ? stream.awaitTick() : stream.active()) {
                Frame f = Frame.of(PixelFormat.GREY, 4, 4, 4, nextSequence(), System.nanoTime(), java.time.Instant.now(),
                        java.nio.ByteBuffer.allocate(16));
                stream.deliver(f);
                f.release();
            }
        }

        @Override
        public Frame captureStill() {
            Frame f = nextFrame(Duration.ofSeconds(WAIT));
            if (f == null) {
                throw new CameraException(Kind.UNAVAILABLE, "not streaming");
            }
            return f;
        }
    }

    @Test
    void noSinkCallAfterStopReturns() throws Exception {
        Busy device = new Busy(0, false);
        for (int round = 0; round < 20; round++) {
            Sink sink = new Sink();
            device.start(sink);
            assertTrue(sink.firstFrame.await(WAIT, TimeUnit.SECONDS));
            device.stop();
            sink.closed.set(true);
            int seen = sink.frames.get();
            Thread.onSpinWait();
            assertFalse(device.streaming());
            assertEquals(seen, sink.frames.get());
            assertFalse(sink.lateCall.get(), "a sink call arrived after stop() returned");
            assertTrue(sink.errors.isEmpty(), "a stop is not a failure: " + sink.errors);
        }
    }

    @Test
    void startTwiceIsAConflictAndRestartWorksAfterStop() throws Exception {
        Busy device = new Busy(50, true);
        Sink sink = new Sink();
        device.start(sink);
        assertEquals(Kind.CONFLICT, assertThrows(CameraException.class, () -> device.start(new Sink())).kind());
        device.stop();
        device.stop(); // idempotent
        Sink again = new Sink();
        device.start(again);
        assertTrue(again.firstFrame.await(WAIT, TimeUnit.SECONDS));
        device.close();
        assertEquals(Kind.UNAVAILABLE, assertThrows(CameraException.class, () -> device.start(new Sink())).kind());
    }

    @Test
    void aThrowingSourceIsReportedOnceWithItsKind() throws Exception {
        AbstractCameraDevice device = new Busy(0, false) {
            @Override
            protected void stream(Stream stream) throws Exception {
                throw new CameraException(Kind.UNAVAILABLE, "unplugged");
            }
        };
        Sink sink = new Sink();
        device.start(sink);
        assertTrue(sink.failed.await(WAIT, TimeUnit.SECONDS));
        assertEquals(Kind.UNAVAILABLE, sink.errors.get(0).kind());
        assertFalse(device.streaming());
        device.stop();
        assertEquals(1, sink.errors.size());
    }

    @Test
    void otherExceptionsAndAnEndedSourceAreIoFailures() throws Exception {
        AbstractCameraDevice throwing = new Busy(0, false) {
            @Override
            protected void stream(Stream stream) throws Exception {
                throw new IOException("connection reset");
            }
        };
        Sink sink = new Sink();
        throwing.start(sink);
        assertTrue(sink.failed.await(WAIT, TimeUnit.SECONDS));
        assertEquals(Kind.IO, sink.errors.get(0).kind());
        assertTrue(sink.errors.get(0).getMessage().contains("connection reset"));

        AbstractCameraDevice ending = new Busy(0, false) {
            @Override
            protected void stream(Stream stream) {
                // the source hung up at once
            }
        };
        Sink ended = new Sink();
        ending.start(ended);
        assertTrue(ended.failed.await(WAIT, TimeUnit.SECONDS));
        assertEquals(Kind.IO, ended.errors.get(0).kind());
        // the core restarts a failed camera without necessarily stopping it first
        Sink restarted = new Sink();
        ending.start(restarted);
        assertTrue(restarted.failed.await(WAIT, TimeUnit.SECONDS));
    }

    @Test
    void stopClosesWhatABlockedReadWaitsOn() throws Exception {
        CountDownLatch blocked = new CountDownLatch(1);
        AtomicBoolean resourceClosed = new AtomicBoolean();
        AbstractCameraDevice device = new Busy(0, false) {
            @Override
            protected void stream(Stream stream) throws Exception {
                CountDownLatch never = new CountDownLatch(1);
                stream.closeOnStop(() -> resourceClosed.set(true));
                blocked.countDown();
                while (!never.await(1, TimeUnit.SECONDS)) {
                    Thread.onSpinWait(); // a read that only ends when interrupted
                }
            }
        };
        Sink sink = new Sink();
        device.start(sink);
        assertTrue(blocked.await(WAIT, TimeUnit.SECONDS));
        device.stop();
        assertTrue(resourceClosed.get());
        assertTrue(sink.errors.isEmpty(), "the interrupt caused by stop is not reported: " + sink.errors);
    }

    @Test
    void aSinkMayStopTheDeviceFromInsideAFrameCall() throws Exception {
        Busy device = new Busy(0, false);
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicInteger frames = new AtomicInteger();
        device.start(new FrameSink() {
            @Override
            public void frame(Frame frame) {
                frames.incrementAndGet();
                device.stop();
                stopped.countDown();
            }

            @Override
            public void failed(CameraException error) {
            }
        });
        assertTrue(stopped.await(WAIT, TimeUnit.SECONDS));
        assertEquals(1, frames.get());
    }

    @Test
    void nextFrameHandsTheCallerARetainedFrame() throws Exception {
        Busy device = new Busy(100, true);
        assertNull(device.nextFrame(Duration.ofMillis(10)), "not streaming");
        device.start(new Sink());
        Frame still = device.captureStill();
        assertNotNull(still);
        // Stopping joins the delivery thread, which releases its own reference after delivering: the caller's
        // is then the only one left (before, the delivery thread could still hold the frame at this point).
        device.close();
        still.release(); // the caller's reference; a second release would be one too many
        assertThrows(IllegalStateException.class, still::release);
    }

    @Test
    void pacingKeepsTheModeRate() throws Exception {
        Busy device = new Busy(20, true);
        Sink sink = new Sink();
        long t0 = System.nanoTime();
        device.start(sink);
        while (sink.frames.get() < 10) {
            TimeUnit.MILLISECONDS.sleep(10);
        }
        long elapsed = System.nanoTime() - t0;
        device.stop();
        // 10 frames at 20 fps need at least 9 periods (450 ms); an unpaced loop would take microseconds
        assertTrue(elapsed >= TimeUnit.MILLISECONDS.toNanos(440), "elapsed " + elapsed / 1_000_000 + " ms");
    }
}
