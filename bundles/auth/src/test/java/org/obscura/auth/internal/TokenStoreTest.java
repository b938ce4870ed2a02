package org.obscura.auth.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.obscura.camera.api.AccessControl.Token;

class TokenStoreTest {

    private final MutableClock clock = new MutableClock();
    private final TokenStore tokens = new TokenStore(clock, Duration.ofHours(12));

    @Test
    void tokensAre256RandomBitsValidUntilTheyExpire() {
        Token t = tokens.issue();
        assertEquals(32, Base64.getUrlDecoder().decode(t.value()).length);
        assertEquals(clock.instant().plus(Duration.ofHours(12)), t.expires());
        assertNotEquals(t.value(), tokens.issue().value());
        assertFalse(t.toString().contains(t.value()), "toString must not reveal the secret");

        assertTrue(tokens.valid(t.value()));
        clock.advance(Duration.ofHours(12).minusSeconds(1));
        assertTrue(tokens.valid(t.value()));
        clock.advance(Duration.ofSeconds(1));
        assertFalse(tokens.valid(t.value()));
    }

    @Test
    void unknownAndRevokedTokensAreRefused() {
        Token t = tokens.issue();
        assertFalse(tokens.valid(t.value() + "x"));
        assertFalse(tokens.valid(""));
        assertFalse(tokens.valid(null));
        assertFalse(tokens.valid("a".repeat(10_000)));
        tokens.revokeAll();
        assertFalse(tokens.valid(t.value()));
    }

    @Test
    void expiredTokensArePurgedAndTheStoreIsBounded() {
        tokens.issue();
        clock.advance(Duration.ofHours(13));
        tokens.issue();
        assertEquals(1, tokens.size());
        for (int i = 0; i < TokenStore.MAX_TOKENS + 10; i++) {
            tokens.issue();
        }
        assertEquals(TokenStore.MAX_TOKENS, tokens.size());
    }

    @Test
    void aShorterLifetimeAppliesToNewTokens() {
        tokens.lifetime(Duration.ofHours(1));
        Token t = tokens.issue();
        clock.advance(Duration.ofMinutes(61));
        assertFalse(tokens.valid(t.value()));
    }
}
