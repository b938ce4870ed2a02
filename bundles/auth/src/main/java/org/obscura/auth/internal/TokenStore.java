package org.obscura.auth.internal;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.obscura.camera.api.AccessControl.Token;

/**
 * Bearer tokens: 256 random bits each, handed out once and kept only as their SHA-256 (a memory dump or log
 * of this map gives no usable token), with an expiry. Tokens live in memory: a restart, or a new administrator
 * password ({@link #revokeAll}), ends them all. At most {@value #MAX_TOKENS} live at once; beyond that the one
 * closest to expiry goes. Thread-safe.
 */
final class TokenStore {

    static final int MAX_TOKENS = 1000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, Instant> expiries = new ConcurrentHashMap<>();
    private final Clock clock;
    private volatile Duration lifetime;

    TokenStore(Clock clock, Duration lifetime) {
        this.clock = clock;
        this.lifetime = lifetime;
    }

    void lifetime(Duration lifetime) {
        this.lifetime = lifetime;
    }

    Token issue() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String value = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Instant now = clock.instant();
        Instant expires = now.plus(lifetime);
        synchronized (this) {
            expiries.values().removeIf(e -> !e.isAfter(now));
            while (expiries.size() >= MAX_TOKENS) {
                expiries.entrySet().stream().min(Map.Entry.comparingByValue())
                        .ifPresent(e -> expiries.remove(e.getKey()));
            }
            expiries.put(key(value), expires);
        }
        return new Token(value, expires);
    }

    /**
     * Whether {@code value} is a token handed out here that has not expired. The lookup is by the token's
     * SHA-256, so its timing tells nothing about the stored tokens.
     */
    boolean valid(String value) {
        if (value == null || value.isEmpty() || value.length() > 256) {
            return false;
        }
        String key = key(value);
        Instant expires = expiries.get(key);
        if (expires == null) {
            return false;
        }
        if (!expires.isAfter(clock.instant())) {
            expiries.remove(key, expires);
            return false;
        }
        return true;
    }

    void revokeAll() {
        expiries.clear();
    }

    int size() {
        return expiries.size();
    }

    private static String key(String value) {
        return HexFormat.of().formatHex(PasswordHash.sha256(value));
    }
}
