package org.obscura.auth.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;

import org.junit.jupiter.api.Test;

class PasswordHashTest {

    @Test
    void newHashesAreSaltedPbkdf2WithEnoughIterations() {
        PasswordHash a = PasswordHash.of("correct horse");
        PasswordHash b = PasswordHash.of("correct horse");
        assertTrue(a.stored().startsWith("{pbkdf2-sha256}"), a.stored());
        String[] parts = a.stored().substring("{pbkdf2-sha256}".length()).split("\\$");
        assertEquals(3, parts.length);
        assertTrue(Integer.parseInt(parts[0]) >= 100_000);
        assertEquals(16, Base64.getDecoder().decode(parts[1]).length);
        assertEquals(32, Base64.getDecoder().decode(parts[2]).length);
        assertNotEquals(a.stored(), b.stored(), "each hash has its own salt");
        assertFalse(a.stored().contains("correct horse"));
        assertFalse(a.weak());
    }

    @Test
    void verifiesOnlyTheRightPassword() {
        PasswordHash h = PasswordHash.parse(PasswordHash.of("s3cret-Pass").stored());
        assertTrue(h.matches("s3cret-Pass"));
        assertFalse(h.matches("s3cret-pass"));
        assertFalse(h.matches(""));
        assertFalse(h.matches(null));
    }

    @Test
    void acceptsTheWebConsoleShaFormAndPlainText() {
        String sha = "{sha-256}" + Base64.getEncoder().encodeToString(PasswordHash.sha256("console"));
        PasswordHash h = PasswordHash.parse(sha);
        assertTrue(h.matches("console"));
        assertFalse(h.matches("Console"));
        assertTrue(h.weak());
        assertFalse(h.plain());

        PasswordHash plain = PasswordHash.parse("just-text");
        assertTrue(plain.plain());
        assertTrue(plain.matches("just-text"));
        assertFalse(plain.matches("just-tex"));
    }

    @Test
    void refusesMalformedHashesWithoutEchoingThem() {
        for (String bad : new String[] {"{pbkdf2-sha256}x$y$z", "{pbkdf2-sha256}1000$$", "{pbkdf2-sha256}1000$AAAA",
                "{sha-256}not base64!", "{sha-256}AAAA", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PasswordHash.parse(bad), bad);
            if (!bad.isEmpty()) {
                assertFalse(e.getMessage().contains(bad), e.getMessage());
            }
        }
        assertThrows(IllegalArgumentException.class, () -> PasswordHash.parse(null));
    }
}
