package org.obscura.auth.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obscura.camera.api.AccessControl.Token;

/** The component over its configuration: password sources, rules, and a malformed hash never opening the server. */
class AuthServiceTest {

    @TempDir
    Path dir;
    private final List<String> banners = new ArrayList<>();
    private final MutableClock clock = new MutableClock();

    static AuthService.Config config(Map<String, Object> values) {
        return (AuthService.Config) Proxy.newProxyInstance(AuthService.Config.class.getClassLoader(),
                new Class<?>[] {AuthService.Config.class}, (proxy, method, args) -> values.containsKey(method.getName())
                        ? values.get(method.getName()) : method.getDefaultValue());
    }

    private AuthService service(String env, Map<String, Object> values) {
        return new AuthService(new AdminPassword(env, null, dir, banners::add), config(values), clock);
    }

    @Test
    void defaultsOpenViewingOpenCaptureNoCorsAndTwelveHourTokens() {
        AuthService s = service("pw", Map.of());
        assertTrue(s.viewingOpen());
        assertFalse(s.captureNeedsAdmin());
        assertEquals(List.of(), s.corsOrigins());
        Token t = s.issue(AdminAccessTest.basic("admin", "pw"), "a").orElseThrow();
        assertEquals(clock.instant().plusSeconds(12 * 3600), t.expires());
        assertTrue(s.check("Bearer " + t.value(), null, "a").admin());
    }

    @Test
    void configurationChangesApplyAtOnceAndANewPasswordEndsTokens() {
        String first = PasswordHash.of("first").stored();
        AuthService s = service(null, Map.of("admin_password", first));
        Token t = s.issue(AdminAccessTest.basic("admin", "first"), "a").orElseThrow();
        s.modified(config(Map.of("admin_password", first, "viewing_open", false, "capture_needs_admin", true,
                "token_hours", 1, "cors_origins", new String[] {"https://ui.example/", "not an origin", " ", "*"})));
        assertFalse(s.viewingOpen());
        assertTrue(s.captureNeedsAdmin());
        assertEquals(List.of("https://ui.example", "*"), s.corsOrigins());
        assertTrue(s.check("Bearer " + t.value(), null, "a").admin(), "same password: the token lives on");
        assertEquals(clock.instant().plusSeconds(3600), s.issue(AdminAccessTest.basic("admin", "first"), "a")
                .orElseThrow().expires());

        s.modified(config(Map.of("admin_password", "second")));
        assertFalse(s.check("Bearer " + t.value(), null, "a").admin());
        assertTrue(s.check(AdminAccessTest.basic("admin", "second"), null, "a").admin());
        assertTrue(banners.isEmpty());
    }

    @Test
    void aMalformedHashNeverOpensTheServer() {
        AuthService s = service(null, Map.of("admin_password", "{pbkdf2-sha256}garbage"));
        assertEquals(1, banners.size(), "a generated password replaces the unusable one, announced");
        assertTrue(banners.get(0).contains("kept in memory only"), banners.get(0));
        assertFalse(java.nio.file.Files.exists(dir.resolve("org.obscura.auth.cfg")), "the configured value is left alone");
        assertFalse(s.check(AdminAccessTest.basic("admin", "{pbkdf2-sha256}garbage"), null, "a").admin());
        assertFalse(s.check(AdminAccessTest.basic("admin", ""), null, "a").admin());

        s.modified(config(Map.of("admin_password", "good")));
        assertTrue(s.check(AdminAccessTest.basic("admin", "good"), null, "b").admin());
        s.modified(config(Map.of("admin_password", "{sha-256}broken")));
        assertTrue(s.check(AdminAccessTest.basic("admin", "good"), null, "b").admin(), "the previous password stays");
    }

    @Test
    void theEnvironmentWinsOverTheConfiguration() {
        AuthService s = service("from-env", Map.of("admin_password", "configured"));
        assertTrue(s.check(AdminAccessTest.basic("admin", "from-env"), null, "a").admin());
        assertFalse(s.check(AdminAccessTest.basic("admin", "configured"), null, "b").admin());
    }
}
