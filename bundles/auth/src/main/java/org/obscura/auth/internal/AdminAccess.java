package org.obscura.auth.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.obscura.camera.api.AccessControl;

/**
 * The access rules and credential checks, without OSGi: the administrator's {@link PasswordHash}, the
 * {@link TokenStore} and the {@link LoginThrottle}, plus the current {@link Rules}. {@link AuthService} feeds it
 * the configuration.
 *
 * <p>Basic credentials are verified with the (slow, on purpose) password hash once; after that, the same
 * header is recognised by an HMAC under a key that exists only in this process, so that a client sending
 * Basic on every request (a script, a stream viewer) does not cost a PBKDF2 run each time. That cache is
 * cleared whenever the password changes, as are all tokens. Thread-safe.
 */
final class AdminAccess implements AccessControl {

    /** The configurable part: whom anonymous callers may be, and the CORS origins. */
    record Rules(boolean viewingOpen, boolean captureNeedsAdmin, List<String> corsOrigins) {
        static final Rules DEFAULT = new Rules(true, false, List.of());

        Rules {
            corsOrigins = List.copyOf(corsOrigins);
        }
    }

    static final String WRONG_CREDENTIALS = "wrong user name or password";
    static final String BAD_TOKEN = "token unknown or expired";
    private static final int MAX_REMEMBERED_HEADERS = 64;

    private final TokenStore tokens;
    private final LoginThrottle throttle;
    private final Set<String> verifiedHeaders = ConcurrentHashMap.newKeySet();
    private final byte[] headerKey = new byte[32];
    private volatile PasswordHash password;
    private volatile Rules rules = Rules.DEFAULT;

    AdminAccess(PasswordHash password, Clock clock, Duration tokenLifetime, int failuresPerMinute) {
        new SecureRandom().nextBytes(headerKey);
        this.password = password;
        this.tokens = new TokenStore(clock, tokenLifetime);
        this.throttle = new LoginThrottle(clock, failuresPerMinute);
    }

    /** A new password: every token and remembered Basic header stops working. No-op when it is the same. */
    synchronized void password(PasswordHash next) {
        if (next.stored().equals(password.stored())) {
            return;
        }
        password = next;
        verifiedHeaders.clear();
        tokens.revokeAll();
    }

    void rules(Rules next, Duration tokenLifetime, int failuresPerMinute) {
        rules = next;
        tokens.lifetime(tokenLifetime);
        throttle.limit(failuresPerMinute);
    }

    @Override
    public Caller check(String authorization, String token, String remote) {
        if (authorization != null && !authorization.isBlank()) {
            return checkHeader(authorization.strip(), remote);
        }
        if (token != null && !token.isEmpty()) {
            return tokens.valid(token) ? Caller.ADMINISTRATOR : new Caller(null, BAD_TOKEN);
        }
        return Caller.ANONYMOUS;
    }

    @Override
    public Optional<Token> issue(String authorization, String remote) {
        if (authorization == null || !scheme(authorization.strip()).equals("basic")) {
            return Optional.empty();
        }
        return check(authorization, null, remote).admin() ? Optional.of(tokens.issue()) : Optional.empty();
    }

    @Override
    public boolean viewingOpen() {
        return rules.viewingOpen();
    }

    @Override
    public boolean captureNeedsAdmin() {
        return rules.captureNeedsAdmin();
    }

    @Override
    public List<String> corsOrigins() {
        return rules.corsOrigins();
    }

    int liveTokens() {
        return tokens.size();
    }

    private Caller checkHeader(String header, String remote) {
        String scheme = scheme(header);
        String credentials = header.substring(Math.min(header.length(), scheme.length() + 1)).strip();
        if (scheme.equals("bearer")) {
            return tokens.valid(credentials) ? Caller.ADMINISTRATOR : new Caller(null, BAD_TOKEN);
        }
        if (!scheme.equals("basic")) {
            return new Caller(null, "unsupported authorization scheme: use Basic or Bearer");
        }
        Duration blocked = throttle.blockedFor(remote);
        if (!blocked.isZero()) {
            return new Caller(null, "too many failed logins from this address; try again in "
                    + Math.max(1, blocked.toSeconds()) + " s");
        }
        String remembered = mac(header);
        if (verifiedHeaders.contains(remembered)) {
            return Caller.ADMINISTRATOR;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(credentials), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throttle.failed(remote);
            return new Caller(null, "malformed Basic credentials: expected base64 of user:password");
        }
        int colon = decoded.indexOf(':');
        String user = colon < 0 ? decoded : decoded.substring(0, colon);
        String given = colon < 0 ? "" : decoded.substring(colon + 1);
        PasswordHash current = password;
        // Verify the password even for a wrong user name, so that the answer time does not tell which was wrong.
        boolean passwordOk = current.matches(given);
        if (!passwordOk || !ADMIN.equals(user)) {
            throttle.failed(remote);
            return new Caller(null, WRONG_CREDENTIALS);
        }
        remember(current, remembered);
        return Caller.ADMINISTRATOR;
    }

    /** Remembers a verified header, unless the password changed meanwhile (then it was checked against the old one). */
    private synchronized void remember(PasswordHash checkedAgainst, String header) {
        if (checkedAgainst == password) {
            if (verifiedHeaders.size() >= MAX_REMEMBERED_HEADERS) {
                verifiedHeaders.clear();
            }
            verifiedHeaders.add(header);
        }
    }

    private static String scheme(String header) {
        int space = header.indexOf(' ');
        return (space < 0 ? header : header.substring(0, space)).toLowerCase(Locale.ROOT);
    }

    private String mac(String header) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(headerKey, "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(header.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
