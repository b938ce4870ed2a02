package org.obscura.camera.core.internal.hub;

/**
 * Frame rate over a sliding window, from the arrival times of the most recent frames. Not thread-safe: the hub
 * uses it under its lock.
 */
final class FrameRate {

    private static final long WINDOW = 2_000_000_000L;

    private final long[] arrivals = new long[256];
    private int next;
    private int count;

    void add(long nanos) {
        arrivals[next] = nanos;
        next = (next + 1) % arrivals.length;
        count = Math.min(count + 1, arrivals.length);
    }

    void reset() {
        count = 0;
    }

    /** Frames per second over the last two seconds; 0 with fewer than two frames in that window. */
    double fps(long now) {
        int inWindow = 0;
        long newest = 0;
        long oldest = 0;
        for (int i = 1; i <= count; i++) {
            long t = arrivals[(next - i + arrivals.length) % arrivals.length];
            if (now - t > WINDOW) {
                break;
            }
            if (inWindow == 0) {
                newest = t;
            }
            oldest = t;
            inWindow++;
        }
        if (inWindow < 2 || newest == oldest) {
            return 0;
        }
        return (inWindow - 1) * 1e9 / (newest - oldest);
    }
}
