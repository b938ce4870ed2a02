package org.obscura.camera.core.internal.hub;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a task on an executor whenever it is requested, never twice at the same time, and folds the requests
 * that arrive while it runs into one more run. {@link #request()} never blocks, so a device's push thread can
 * call it for every frame: a slow run simply covers many requests.
 */
final class CoalescingTask {

    private static final Logger LOG = LoggerFactory.getLogger(CoalescingTask.class);

    private final Executor executor;
    private final Runnable body;
    /** Made once: a task is submitted for nearly every frame. */
    private final Runnable drainTask = this::drain;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile boolean dirty;

    CoalescingTask(Executor executor, Runnable body) {
        this.executor = executor;
        this.body = body;
    }

    void request() {
        dirty = true;
        if (scheduled.compareAndSet(false, true)) {
            submit();
        }
    }

    private void submit() {
        try {
            executor.execute(drainTask);
        } catch (RejectedExecutionException e) {
            scheduled.set(false); // shutting down
        }
    }

    private void drain() {
        try {
            while (dirty) {
                dirty = false;
                try {
                    body.run();
                } catch (RuntimeException e) {
                    LOG.error("hub task failed", e);
                }
            }
        } finally {
            scheduled.set(false);
            // A request that came between the last check of dirty and the reset above found the task
            // still scheduled and did not submit: pick it up here.
            if (dirty && scheduled.compareAndSet(false, true)) {
                submit();
            }
        }
    }
}
