package org.obscura.rest.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the MJPEG streams' write steps on a shared pool with one hand-off per burst rather than one per viewer:
 * steps wait in a queue, and one drain task at a time works through all of them. When a frame arrives for N
 * viewers, the pool is woken once and writes the N parts in a row, instead of N tasks each waking a thread.
 *
 * <p>A write step never waits for a socket (writes are non-blocking); it may wait a few milliseconds for the
 * hub to encode a frame, which the other viewers of that frame would wait for anyway. Rate-cap wake-ups are
 * timed tasks on the same pool, which has more than one thread so that they are not held up by a drain.
 *
 * <p>Threading: {@link #execute} and {@link #schedule} from any thread, never blocking.
 */
final class MjpegWriters {

    private static final Logger LOG = LoggerFactory.getLogger(MjpegWriters.class);

    private final ScheduledExecutorService pool;
    private final ConcurrentLinkedQueue<Runnable> steps = new ConcurrentLinkedQueue<>();
    /** Set while a drain task is queued or running; whoever sets it submits one. */
    private final AtomicBoolean draining = new AtomicBoolean();

    MjpegWriters(ScheduledExecutorService pool) {
        this.pool = pool;
    }

    /**
     * Runs {@code step} soon, after the steps already waiting.
     *
     * @throws RejectedExecutionException when the pool is shut down (the API is going away)
     */
    void execute(Runnable step) {
        steps.add(step);
        if (draining.compareAndSet(false, true)) {
            try {
                pool.execute(this::drain);
            } catch (RejectedExecutionException e) {
                draining.set(false);
                steps.remove(step);
                throw e;
            }
        }
    }

    /**
     * Runs {@code task} on the pool after the delay.
     *
     * @throws RejectedExecutionException when the pool is shut down
     */
    void schedule(Runnable task, long delayNanos) {
        pool.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void drain() {
        do {
            try {
                Runnable step;
                while ((step = steps.poll()) != null) {
                    try {
                        step.run();
                    } catch (RuntimeException e) {
                        LOG.error("MJPEG write step failed", e);
                    }
                }
            } finally {
                draining.set(false); // also when an Error ends this thread: the next execute() submits again
            }
            // A step added after the last poll saw draining set and left it to this task.
        } while (!steps.isEmpty() && draining.compareAndSet(false, true));
    }
}
