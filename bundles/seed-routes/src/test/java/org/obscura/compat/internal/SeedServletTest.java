package org.obscura.compat.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.Servlet;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obscura.camera.api.CameraState;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants;

/** The servlet's own contract: precise patterns, prefix, methods, no 500, streams ended on shutdown. */
class SeedServletTest {

    @TempDir
    Path dir;
    private SeedServer s;

    @AfterEach
    void stop() throws Exception {
        if (s != null) {
            s.close();
        }
    }

    @Test
    void anUnexpectedFailureIs503WithAnErrorIdNever500() throws Exception {
        s = new SeedServer(dir);
        RouteTable table = new RouteTable().add("/boom", ErrorStyle.CAMSERVE, x -> {
            throw new IllegalStateException("a bug");
        }, "GET").add("/text", ErrorStyle.FOURCUT, x -> {
            throw new NullPointerException();
        }, "GET");
        s.start(table);
        HttpResponse<byte[]> r = s.get("/boom");
        assertEquals(503, r.statusCode());
        String error = SeedServer.json(r).get("error").asText();
        assertTrue(error.contains("error id"), error);
        assertFalse(error.contains("a bug"), "no internals leak to the client");
        r = s.get("/text");
        assertEquals(503, r.statusCode());
        assertTrue(SeedServer.type(r).startsWith("text/plain"));
        assertFalse(SeedServer.text(r).contains("Exception"));
    }

    @Test
    void optionsAnswersAllow() throws Exception {
        s = new SeedServer(dir);
        s.start();
        HttpResponse<byte[]> r = s.send("OPTIONS", "/configure", null);
        assertEquals(204, r.statusCode());
        assertEquals("POST, OPTIONS", r.headers().firstValue("Allow").orElseThrow());
    }

    @Test
    void routesLiveUnderThePrefixOnly() throws Exception {
        s = new SeedServer(dir);
        s.registry.add(Fakes.status("left", "v4l2", CameraState.ONLINE));
        s.prefix = "/compat";
        s.start();
        assertEquals(200, s.get("/compat/current_config").statusCode());
        assertEquals(404, s.get("/current_config").statusCode());
    }

    @Test
    void everyPatternIsPreciseSoOtherRootPathsStayFree() throws Exception {
        s = new SeedServer(dir);
        s.start();
        RouteTable table = new RouteTable();
        new CampiRoutes(null, null, null, null).addTo(table);
        new FourCutRoutes(new ServedCamera(s.registry, "", java.time.Duration.ofSeconds(1)), null, null, false,
                AdminCheck.EVERYONE).addTo(table);
        new CamServeRoutes(null, null, null).addTo(table);
        new SnapshotRoutes(null, null, null).addTo(table);
        List<String> patterns = table.patterns("");
        assertFalse(patterns.contains("/*"));
        assertFalse(patterns.contains("/"));
        assertFalse(patterns.contains("/api/*"), "the REST API keeps /api/*");
        assertEquals(List.of("/api/snapshot/*", "/snapshots/*"), patterns.stream().filter(p -> p.endsWith("*")).toList());
        assertEquals(7 + 4 + 4 + 5, patterns.size());
        assertTrue(table.patterns("/compat").stream().allMatch(p -> p.startsWith("/compat/")));
    }

    @Test
    void closingTheStreamsEndsOpenViewers() throws Exception {
        s = new SeedServer(dir);
        s.registry.add(Fakes.status("left", "v4l2", CameraState.ONLINE));
        s.start();
        HttpResponse<InputStream> r = s.open("/video_feed");
        assertEquals(200, r.statusCode());
        AtomicInteger read = new AtomicInteger();
        CompletableFuture<Integer> parts = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = r.body()) {
                MultipartReader reader = new MultipartReader(in, "frame");
                while (reader.next() != null) {
                    read.incrementAndGet();
                }
            } catch (java.io.IOException e) {
                // A connection cut while reading also ends the viewer.
            }
            return read.get();
        });
        // The viewer is watching once a part has arrived (a fixed pause may be too short on a busy machine).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (read.get() == 0 && !parts.isDone() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(read.get() >= 1, "no part arrived before the streams were closed");
        s.streams.close();
        assertTrue(parts.get(20, TimeUnit.SECONDS) >= 1);
        assertTrue(s.registry.allSubscriptionsClosed());
        HttpResponse<byte[]> after = s.get("/video_feed");
        assertEquals(503, after.statusCode(), "no new stream once closed");
    }

    // --- the component's registration on the whiteboard ---

    private final List<Dictionary<String, ?>> registered = new ArrayList<>();
    private final AtomicBoolean unregistered = new AtomicBoolean();

    private BundleContext context() {
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("registerService") && args[0] == Servlet.class) {
                        @SuppressWarnings("unchecked")
                        Dictionary<String, ?> props = (Dictionary<String, ?>) args[2];
                        registered.add(props);
                        return Proxy.newProxyInstance(getClass().getClassLoader(),
                                new Class<?>[] {ServiceRegistration.class}, (p, m, a) -> {
                                    if (m.getName().equals("unregister")) {
                                        unregistered.set(true);
                                    }
                                    return null;
                                });
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private static SeedRoutes.Config config(Map<String, Object> values) {
        return (SeedRoutes.Config) Proxy.newProxyInstance(SeedRoutes.Config.class.getClassLoader(),
                new Class<?>[] {SeedRoutes.Config.class}, (proxy, method, args) -> values.containsKey(method.getName())
                        ? values.get(method.getName()) : method.getDefaultValue());
    }

    private SeedRoutes component(Map<String, Object> config) {
        s = new SeedServer(dir);
        return new SeedRoutes(s.registry, s.capture, s.store, s.images, new Fakes.Auth(), context(), config(config));
    }

    @Test
    void theComponentRegistersOneServletWithPrecisePatternsUnderThePrefix() {
        SeedRoutes c = component(Map.of("prefix", "/compat/", "snapshot_enabled", false));
        assertEquals(1, registered.size());
        Dictionary<String, ?> props = registered.get(0);
        assertEquals(SeedRoutes.SERVLET_NAME, props.get(HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_NAME));
        List<String> patterns = List.of((String[]) props.get(HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_PATTERN));
        assertTrue(patterns.contains("/compat/video_feed"));
        assertTrue(patterns.contains("/compat/preview"));
        assertTrue(patterns.contains("/compat/api/status"));
        assertFalse(patterns.contains("/compat/api/cameras"), "snapshot routes disabled");
        assertTrue(patterns.stream().allMatch(p -> p.startsWith("/compat/")));
        c.deactivate();
        assertTrue(unregistered.get());
    }

    @Test
    void aBadPrefixRegistersNothing() {
        for (String prefix : List.of("compat", "/../x", "/a//b", "/a b", "/*")) {
            registered.clear();
            component(Map.of("prefix", prefix)).deactivate();
            assertTrue(registered.isEmpty(), prefix);
        }
    }

    @Test
    void withEverySeedDisabledNothingIsRegistered() {
        SeedRoutes c = component(Map.of("campi_enabled", false, "fourcut_enabled", false, "camserve_enabled", false,
                "snapshot_enabled", false));
        assertTrue(registered.isEmpty());
        c.deactivate();
        assertFalse(unregistered.get());
    }

    @Test
    void servedCameraIsTheConfiguredOneElseTheFirstByName() {
        Fakes.Registry registry = new Fakes.Registry();
        registry.add(Fakes.status("zeta", "v4l2", CameraState.ONLINE));
        registry.add(Fakes.status("alpha", "v4l2", CameraState.ONLINE));
        assertEquals("alpha", new ServedCamera(registry, "", java.time.Duration.ofSeconds(1)).status().name());
        assertEquals("zeta", new ServedCamera(registry, " zeta ", java.time.Duration.ofSeconds(1)).status().name());
        assertNull(registry.camera("nobody").orElse(null));
    }
}
