package org.obscura.camera.core.internal.hub;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler whose clock only moves when a test calls {@link #advance}; due tasks then run on the test's
 * thread. Makes linger, backoff and placeholder timing deterministic.
 */
final class ManualTimer extends AbstractExecutorService implements ScheduledExecutorService {

    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private long now;
    private long order;

    /** Moves the clock forward, running every task that falls due, in time order. */
    void advance(Duration by) {
        long target;
        synchronized (this) {
            target = now + by.toNanos();
        }
        while (true) {
            Task task;
            synchronized (this) {
                task = queue.peek();
                if (task == null || task.time > target) {
                    now = target;
                    return;
                }
                queue.poll();
                now = task.time;
            }
            if (!task.cancelled) {
                task.command.run();
                if (task.period > 0 && !task.cancelled) {
                    synchronized (this) {
                        task.time = now + task.period;
                        task.seq = order++;
                        queue.add(task);
                    }
                }
            }
        }
    }

    synchronized int pending() {
        return (int) queue.stream().filter(t -> !t.cancelled).count();
    }

    private synchronized Task add(Runnable command, long delay, long period, TimeUnit unit) {
        Task t = new Task(command, now + unit.toNanos(Math.max(0, delay)), unit.toNanos(period), order++);
        queue.add(t);
        return t;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return add(command, delay, 0, unit);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return add(command, initialDelay, period, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return add(command, initialDelay, delay, unit);
    }

    @Override
    public void execute(Runnable command) {
        command.run();
    }

    @Override
    public void shutdown() {
    }

    @Override
    public List<Runnable> shutdownNow() {
        return new ArrayList<>();
    }

    @Override
    public boolean isShutdown() {
        return false;
    }

    @Override
    public boolean isTerminated() {
        return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return true;
    }

    private final class Task implements ScheduledFuture<Object> {
        final Runnable command;
        final long period;
        long time;
        long seq;
        volatile boolean cancelled;

        Task(Runnable command, long time, long period, long seq) {
            this.command = command;
            this.time = time;
            this.period = period;
            this.seq = seq;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            synchronized (ManualTimer.this) {
                return unit.convert(time - now, TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public int compareTo(Delayed o) {
            Task other = (Task) o;
            return time != other.time ? Long.compare(time, other.time) : Long.compare(seq, other.seq);
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            cancelled = true;
            return true;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return cancelled;
        }

        @Override
        public Object get() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            throw new UnsupportedOperationException();
        }
    }
}
