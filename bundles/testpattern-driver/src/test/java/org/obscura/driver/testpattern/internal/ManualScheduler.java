package org.obscura.driver.testpattern.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A scheduler on virtual time: tasks run on the test's thread, in {@link #advance}. */
final class ManualScheduler implements BuiltinCamera.Scheduler {

    private static final class Task {
        final long due;
        final long order;
        final Runnable body;
        boolean cancelled;

        Task(long due, long order, Runnable body) {
            this.due = due;
            this.order = order;
            this.body = body;
        }
    }

    private final List<Task> tasks = new ArrayList<>();
    private long now;
    private long scheduled;
    private boolean closed;

    @Override
    public synchronized Runnable schedule(Runnable body, long delayMillis) {
        if (closed) {
            throw new IllegalStateException("scheduler closed");
        }
        Task task = new Task(now + delayMillis, scheduled++, body);
        tasks.add(task);
        return () -> {
            synchronized (this) {
                task.cancelled = true;
            }
        };
    }

    @Override
    public synchronized void close() {
        closed = true;
        tasks.clear();
    }

    /** Moves the clock on by {@code millis} and runs every task that came due, in order. */
    void advance(long millis) {
        long target;
        synchronized (this) {
            target = now + millis;
        }
        while (true) {
            Task next;
            synchronized (this) {
                tasks.removeIf(t -> t.cancelled);
                next = tasks.stream().filter(t -> t.due <= target)
                        .min(Comparator.<Task>comparingLong(t -> t.due).thenComparingLong(t -> t.order)).orElse(null);
                if (next == null) {
                    now = target;
                    return;
                }
                tasks.remove(next);
                now = Math.max(now, next.due);
            }
            next.body.run();
        }
    }

    synchronized int waiting() {
        tasks.removeIf(t -> t.cancelled);
        return tasks.size();
    }
}
