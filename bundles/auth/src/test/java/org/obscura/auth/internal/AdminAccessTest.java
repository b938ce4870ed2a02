package org.obscura.auth.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.obscura.camera.api.AccessControl.Caller;
import org.obscura.camera.api.AccessControl.Token;

class AdminAccessTest {

    static final String PASSWORD = "Tr1cky:pass w0rd";
    // One hash for the class: PBKDF2 is slow on purpose.
    private static final PasswordHash HASH = PasswordHash.of(PASSWORD);

    private final MutableClock clock = new MutableClock();
    private final AdminAccess access = new AdminAccess(HASH, clock, Duration.ofHours(12), 10);

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void basicWithTheAdminPasswordIsTheAdministrator() {
        Caller c = access.check(basic("admin", PASSWORD), null, "10.0.0.1");
        assertTrue(c.admin());
        assertNull(c.rejection());
        // Again (answered from the verified-header memory), and with the scheme in another case.
        assertTrue(access.check(basic("admin", PASSWORD), null, "10.0.0.1").admin());
        assertTrue(access.check(basic("admin", PASSWORD).replace("Basic", "basic"), null, "10.0.0.1").admin());
    }

    @Test
    void wrongOrMalformedCredentialsAreAnonymousWithAReason() {
        assertEquals(new Caller(null, AdminAccess.WRONG_CREDENTIALS), access.check(basic("admin", "nope"), null, "a"));
        assertEquals(new Caller(null, AdminAccess.WRONG_CREDENTIALS), access.check(basic("root", PASSWORD), null, "a"));
        assertFalse(access.check("Basic %%%", null, "a").admin());
        assertFalse(access.check("Basic", null, "a").admin());
        assertFalse(access.check("Digest x", null, "a").admin());
        assertFalse(access.check("Bearer nope", null, "a").admin());
        assertEquals(Caller.ANONYMOUS, access.check(null, null, "a"));
        assertEquals(Caller.ANONYMOUS, access.check(" ", "", "a"));
        assertFalse(access.check(null, "nope", "a").admin());
    }

    @Test
    void tokensComeOnlyForBasicAdminCredentialsAndWorkAsBearerOrParameter() {
        assertTrue(access.issue(basic("admin", "wrong"), "a").isEmpty());
        assertTrue(access.issue(null, "a").isEmpty());
        Token t = access.issue(basic("admin", PASSWORD), "a").orElseThrow();
        assertTrue(access.issue("Bearer " + t.value(), "a").isEmpty(), "a token does not buy another token");
        assertTrue(access.check("Bearer " + t.value(), null, "b").admin());
        assertTrue(access.check(null, t.value(), "b").admin());
        clock.advance(Duration.ofHours(12));
        assertEquals(new Caller(null, AdminAccess.BAD_TOKEN), access.check("Bearer " + t.value(), null, "b"));
        assertFalse(access.check(null, t.value(), "b").admin());
    }

    @Test
    void tooManyFailuresLockTheAddressOutForTheRestOfTheMinute() {
        for (int i = 0; i < 10; i++) {
            assertEquals(AdminAccess.WRONG_CREDENTIALS, access.check(basic("admin", "guess" + i), null, "10.0.0.9").rejection());
        }
        Caller locked = access.check(basic("admin", PASSWORD), null, "10.0.0.9");
        assertFalse(locked.admin(), "the right password is refused while the address is locked out");
        assertTrue(locked.rejection().startsWith("too many failed logins"), locked.rejection());
        assertTrue(access.issue(basic("admin", PASSWORD), "10.0.0.9").isEmpty());
        assertTrue(access.check(basic("admin", PASSWORD), null, "10.0.0.10").admin(), "other addresses are not affected");
        clock.advance(LoginThrottle.WINDOW);
        assertTrue(access.check(basic("admin", PASSWORD), null, "10.0.0.9").admin());
    }

    @Test
    void aNewPasswordEndsTokensAndRememberedCredentials() {
        Token t = access.issue(basic("admin", PASSWORD), "a").orElseThrow();
        access.password(PasswordHash.parse(HASH.stored()));
        assertTrue(access.check("Bearer " + t.value(), null, "a").admin(), "the same password keeps tokens");
        access.password(PasswordHash.parse("another one"));
        assertFalse(access.check("Bearer " + t.value(), null, "a").admin());
        assertFalse(access.check(basic("admin", PASSWORD), null, "a").admin());
        assertTrue(access.check(basic("admin", "another one"), null, "a").admin());
    }

    @Test
    void rulesDefaultToOpenViewingAndCaptureAndNoCors() {
        assertTrue(access.viewingOpen());
        assertFalse(access.captureNeedsAdmin());
        assertEquals(List.of(), access.corsOrigins());
        access.rules(new AdminAccess.Rules(false, true, List.of("https://ui.example")), Duration.ofHours(1), 10);
        assertFalse(access.viewingOpen());
        assertTrue(access.captureNeedsAdmin());
        assertEquals(List.of("https://ui.example"), access.corsOrigins());
    }
}
