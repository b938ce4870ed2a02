package org.obscura.compat.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obscura.camera.api.CameraState;
import org.obscura.camera.api.DeviceInfo;

/** The seed routes behind the access control: /cmd and other changes need the administrator. */
class SeedAccessTest {

    @TempDir
    Path dir;
    private SeedServer s;
    private final Fakes.Auth auth = new Fakes.Auth();

    @BeforeEach
    void setUp() {
        s = new SeedServer(dir);
        s.registry.add(Fakes.status("dslr", "gphoto2", CameraState.ONLINE));
        s.registry.drivers.add(Fakes.driverInfo("gphoto2", "org.obscura.driver.gphoto2.camera"));
        s.registry.devices.put("gphoto2", List.of(new DeviceInfo("gphoto2", "usb:001,007", "Canon EOS 700D", Map.of(), List.of())));
        SeedAccess access = new SeedAccess(auth);
        s.access = access;
        s.admin = access.adminCheck();
        s.cmdEnabled = true;
    }

    @AfterEach
    void stop() throws Exception {
        s.close();
    }

    private static void assertUnauthorized(HttpResponse<byte[]> r) {
        assertEquals(401, r.statusCode(), SeedServer.text(r));
        assertEquals("Bearer realm=\"obscura\"", r.headers().firstValue("WWW-Authenticate").orElse(""));
        assertTrue(SeedServer.text(r).contains("admin authentication required"), SeedServer.text(r));
    }

    @Test
    void cmdNeedsTheAdministratorByBasicOrBearer() throws Exception {
        s.start();
        HttpResponse<byte[]> anonymous = s.get("/cmd?arg=--auto-detect");
        assertUnauthorized(anonymous);
        assertTrue(SeedServer.type(anonymous).startsWith("text/plain"), "FourCutTogether's error style");
        assertUnauthorized(s.get("/cmd?arg=--auto-detect", "Authorization", "Basic YWRtaW46d3Jvbmc="));
        auth.tokens.add("tk");
        assertUnauthorized(s.get("/cmd?arg=--auto-detect&token=tk"));

        HttpResponse<byte[]> basic = s.get("/cmd?arg=--auto-detect", "Authorization", Fakes.Auth.BASIC);
        assertEquals(200, basic.statusCode(), SeedServer.text(basic));
        assertTrue(SeedServer.text(basic).contains("Canon EOS 700D"));
        assertEquals(200, s.get("/cmd?arg=--auto-detect", "Authorization", "Bearer tk").statusCode());
    }

    @Test
    void otherChangesNeedTheAdministratorToo() throws Exception {
        s.start();
        assertUnauthorized(s.get("/reset"));
        HttpResponse<byte[]> configure = s.send("POST", "/configure", "{\"fps\": 10}");
        assertUnauthorized(configure);
        assertTrue(SeedServer.type(configure).startsWith("application/json"), "campi's error style");
        assertEquals(200, s.get("/reset", "Authorization", Fakes.Auth.BASIC).statusCode());
    }

    @Test
    void viewingAndCaptureAreOpenUnlessConfiguredOtherwise() throws Exception {
        s.start();
        assertEquals(200, s.get("/capture").statusCode());
        assertEquals(200, s.get("/api/frame").statusCode());
        assertEquals(200, s.get("/api/status").statusCode());

        auth.captureNeedsAdmin = true;
        auth.viewingOpen = false;
        auth.tokens.add("viewer");
        assertUnauthorized(s.get("/capture"));
        assertUnauthorized(s.get("/api/frame"));
        assertUnauthorized(s.get("/api/frame?token=nope"));
        assertEquals(200, s.get("/api/frame?token=viewer").statusCode());
        assertEquals(200, s.get("/capture", "Authorization", "Bearer viewer").statusCode());
        assertEquals(200, s.get("/api/status").statusCode(), "descriptions stay open");
    }

    @Test
    void levels() {
        assertEquals(SeedAccess.Level.ADMIN, SeedAccess.of("/cmd"));
        assertEquals(SeedAccess.Level.ADMIN, SeedAccess.of("/configure"));
        assertEquals(SeedAccess.Level.CAPTURE, SeedAccess.of("/api/snapshot/*"));
        assertEquals(SeedAccess.Level.VIEW, SeedAccess.of("/video_feed"));
        assertEquals(SeedAccess.Level.OPEN, SeedAccess.of("/snapshots/*"));
        assertEquals(SeedAccess.Level.OPEN, SeedAccess.of("/devices"));
    }
}
