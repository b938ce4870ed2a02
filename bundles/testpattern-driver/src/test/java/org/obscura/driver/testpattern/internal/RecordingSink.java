package org.obscura.driver.testpattern.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.PixelFormat;
import org.obscura.camera.spi.FrameSink;

/**
 * A FrameSink that copies what it receives (the frame's buffer may be recycled once the call returns),
 * notes the thread and the arrival time, and counts calls made after {@link #markStopped()}.
 */
final class RecordingSink implements FrameSink {

    /** What arrived: a copy of one frame. */
    record Received(PixelFormat format, int width, int height, int stride, long sequence, long monotonicNanos,
            byte[] data, long arrivedNanos, Thread thread) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<Received> frames = new ArrayList<>();
    private final List<CameraException> failures = new ArrayList<>();
    private final int keep;
    private volatile boolean stopped;
    private volatile int callsAfterStop;
    private int count; // guarded by lock

    /** @param keep how many frames to keep copies of (all are counted) */
    RecordingSink(int keep) {
        this.keep = keep;
    }

    @Override
    public void frame(Frame frame) {
        if (stopped) {
            callsAfterStop++;
        }
        byte[] copy = frame.toByteArray();
        Received r = new Received(frame.format(), frame.width(), frame.height(), frame.stride(), frame.sequence(),
                frame.monotonicNanos(), copy, System.nanoTime(), Thread.currentThread());
        lock.lock();
        try {
            count++;
            if (frames.size() < keep) {
                frames.add(r);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void failed(CameraException error) {
        if (stopped) {
            callsAfterStop++;
        }
        lock.lock();
        try {
            failures.add(error);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until {@code n} frames have arrived; fails the test after {@code timeout}. */
    List<Received> awaitFrames(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (count < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("only " + count + " of " + n + " frames within " + timeout);
                }
                changed.awaitNanos(left);
            }
            return List.copyOf(frames);
        } finally {
            lock.unlock();
        }
    }

    /** Waits for the first failure report; fails the test after {@code timeout}. */
    CameraException awaitFailure(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (failures.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no failure reported within " + timeout);
                }
                changed.awaitNanos(left);
            }
            return failures.get(0);
        } finally {
            lock.unlock();
        }
    }

    int count() {
        lock.lock();
        try {
            return count;
        } finally {
            lock.unlock();
        }
    }

    /** Call right after {@code stop()} returned: any later call is a contract violation. */
    void markStopped() {
        stopped = true;
    }

    int callsAfterStop() {
        return callsAfterStop;
    }
}
