package org.obscura.camera.core.internal.hub;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/** Queues tasks until the test runs them with {@link #drain()}, on the test's thread. */
final class ManualExecutor implements Executor {

    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

    @Override
    public synchronized void execute(Runnable command) {
        tasks.add(command);
    }

    /** Runs queued tasks, and the tasks they queue, until none is left. */
    void drain() {
        while (true) {
            Runnable next;
            synchronized (this) {
                next = tasks.poll();
            }
            if (next == null) {
                return;
            }
            next.run();
        }
    }
}
