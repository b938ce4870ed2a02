package org.obscura.auth.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts failed logins per remote address in one-minute windows: once an address has failed {@code limit}
 * times within a minute it is refused (also with the right password) until that minute is over. Guessing the
 * password over the network thus costs at least a minute per {@code limit} tries. Addresses are forgotten
 * when their window ends; at most {@value #MAX_ADDRESSES} are tracked (beyond that, ended windows are purged
 * and then the oldest go). Thread-safe.
 */
final class LoginThrottle {

    static final Duration WINDOW = Duration.ofMinutes(1);
    static final int MAX_ADDRESSES = 10_000;

    private record Window(Instant start, int failures) {
    }

    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private final Clock clock;
    private volatile int limit;

    /** @param limit failures allowed per address and minute; 0 turns the throttle off */
    LoginThrottle(Clock clock, int limit) {
        this.clock = clock;
        this.limit = limit;
    }

    void limit(int limit) {
        this.limit = limit;
    }

    /** How long {@code remote} is still refused, or {@link Duration#ZERO} when it may try. */
    Duration blockedFor(String remote) {
        int max = limit;
        if (max <= 0 || remote == null) {
            return Duration.ZERO;
        }
        Window w = windows.get(remote);
        Instant now = clock.instant();
        if (w == null || w.failures() < max) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(now, w.start().plus(WINDOW));
        return left.isNegative() || left.isZero() ? Duration.ZERO : left;
    }

    void failed(String remote) {
        if (limit <= 0 || remote == null) {
            return;
        }
        Instant now = clock.instant();
        if (windows.size() >= MAX_ADDRESSES) {
            windows.values().removeIf(w -> !w.start().plus(WINDOW).isAfter(now));
            if (windows.size() >= MAX_ADDRESSES) {
                windows.clear();
            }
        }
        windows.compute(remote, (k, w) -> w == null || !w.start().plus(WINDOW).isAfter(now)
                ? new Window(now, 1) : new Window(w.start(), w.failures() + 1));
    }
}
