package org.obscura.driver.gphoto2.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.PixelFormat;
import org.obscura.camera.spi.FrameSink;

/**
 * A frame sink that keeps copies of what it receives and notices calls that break the contract: frames
 * after {@link #markStopped()} (called right after {@code stop()} returned), or from several threads.
 */
final class RecordingSink implements FrameSink {

    record Received(byte[] jpeg, int width, int height, long sequence, PixelFormat format) {
    }

    private final List<Received> frames = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private CameraException failure;
    private boolean stopped;
    private Thread caller;

    @Override
    public synchronized void frame(Frame frame) {
        check("frame");
        frames.add(new Received(frame.toByteArray(), frame.width(), frame.height(), frame.sequence(),
                frame.format()));
        notifyAll();
    }

    @Override
    public synchronized void failed(CameraException error) {
        check("failed");
        failure = error;
        notifyAll();
    }

    private void check(String call) {
        if (stopped) {
            violations.add(call + " after stop() returned");
        }
        if (caller != null && caller != Thread.currentThread()) {
            violations.add(call + " from a second thread " + Thread.currentThread().getName());
        }
        caller = Thread.currentThread();
    }

    synchronized void markStopped() {
        stopped = true;
    }

    synchronized List<Received> frames() {
        return List.copyOf(frames);
    }

    synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    /** Waits until at least {@code count} frames arrived; false on timeout or failure. */
    synchronized boolean awaitFrames(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (frames.size() < count && failure == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return frames.size() >= count;
    }

    /** Waits for {@link #failed}; the error, or {@code null} on timeout. */
    synchronized CameraException awaitFailure(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (failure == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return failure;
    }
}
