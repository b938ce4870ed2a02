package org.obscura.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.obscura.itest.ObscuraServer.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.obscura.camera.api.CameraState;
import org.obscura.camera.api.ObscuraEvents;
import org.obscura.itest.MjpegReader.Part;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.cm.Configuration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Drivers installed while the server runs, as a third party ships them: the example HTTP MJPEG driver
 * (examples/http-mjpeg-driver, built against camera-api only) is installed three ways (the Gogo shell's
 * {@code install}, a REST upload, a jar dropped into {@code deploy/}), relays the server's own test-pattern camera,
 * is updated while a viewer watches (the viewer resumes on its connection) and uninstalled (its camera goes
 * offline; the test-pattern camera goes on without a gap). Uploads that are not bundles, do not resolve, or whose
 * activator or component throws are refused with the reason and leave the server as it was.
 *
 * <p>Runs in itest-plugins.bndrun only (Gogo runtime and commands, FileInstall watching a conf/ and a deploy/
 * folder of its own), which sets {@value #RUN_PROPERTY}; anywhere else it is disabled.
 */
@ExtendWith(ObscuraServer.Extension.class)
@EnabledIf(value = "inPluginsRun", disabledReason = "runs in itest-plugins.bndrun (Gogo and FileInstall) only")
class PluginsIT {

    static final String RUN_PROPERTY = "obscura.itest.plugins";
    static final String JAR_PROPERTY = "obscura.itest.httpmjpeg.jar";
    static final String DRIVER_BSN = "org.obscura.examples.httpmjpeg";
    static final String DRIVER_ID = "httpmjpeg";
    static final String CAMERA_FACTORY_PID = "org.obscura.examples.httpmjpeg.camera";
    static final String SOURCE = "source";
    static final String RELAY = "relay";
    static final String DEPLOYED = "http-mjpeg-driver.jar";
    static final int FRAMES = 5;
    /**
     * The longest pause between two frames of the source camera while other bundles come and go. It streams
     * at 15 fps; a pause this long would be a visible stall, yet a busy two-core machine never comes near it.
     */
    static final Duration MAX_SOURCE_GAP = Duration.ofSeconds(3);
    static final ObjectMapper JSON = new ObjectMapper();

    enum Way {
        GOGO, REST, DEPLOY
    }

    private ObscuraServer server;
    private CameraEventRecorder events;
    private Path driverJar;

    static boolean inPluginsRun() {
        Bundle self = FrameworkUtil.getBundle(PluginsIT.class);
        return self != null && Boolean.parseBoolean(self.getBundleContext().getProperty(RUN_PROPERTY));
    }

    @BeforeEach
    void setUp(ObscuraServer server) throws Exception {
        this.server = server;
        String jar = server.context().getProperty(JAR_PROPERTY);
        assertTrue(jar != null && !jar.isBlank() && Files.isRegularFile(Path.of(jar)),
                () -> JAR_PROPERTY + " names no jar (" + jar + "): the reactor builds examples/http-mjpeg-driver "
                        + "before bndrun");
        driverJar = Path.of(jar).toAbsolutePath().normalize();
        // the features at start are installed on a thread of their own: the bundle lists compared below must not change under the test
        FeaturesIT.awaitFeaturesAtStart(server);
        assertTrue(driver().isEmpty(), "the example driver is installed before the test");
        server.resetCameras();
        events = new CameraEventRecorder(server.context());
        // the camera the relay reads, over HTTP, from this very server
        ObscuraServer.Response created = server.post("/api/v1/cameras", Map.of("driver", "testpattern", "name", SOURCE,
                "width", 320, "height", 240, "format", "JPEG", "fps", 15));
        assertEquals(201, created.status(), created::toString);
        await("camera '" + SOURCE + "' to be online", () -> server.camera(SOURCE).map(c -> c.online()).orElse(false));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (events != null) {
            events.close();
        }
        Files.deleteIfExists(deployDir().resolve(DEPLOYED));
        Optional<Bundle> left = driver();
        if (left.isPresent()) {
            left.get().uninstall();
        }
        Configuration[] relays = server.configAdmin().listConfigurations("(service.factoryPid=" + CAMERA_FACTORY_PID
                + ")");
        for (Configuration c : relays == null ? new Configuration[0] : relays) {
            c.delete();
        }
        server.resetCameras();
    }

    // ---- the three ways in -------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Way.class)
    void installedAtRuntimeItRelaysTheTestPatternSurvivesAnUpdateWhileWatchedAndLeavesCleanly(Way way)
            throws Exception {
        install(way);
        await("driver '" + DRIVER_ID + "' to be registered", () -> server.registry().driver(DRIVER_ID).isPresent());
        ObscuraServer.Response drivers = server.get("/api/v1/drivers");
        assertTrue(drivers.text().contains("\"" + DRIVER_ID + "\""), drivers::toString);

        ObscuraServer.Response camera = server.post("/api/v1/cameras", Map.of("driver", DRIVER_ID, "name", RELAY,
                "url", server.uri("/api/v1/cameras/" + SOURCE + "/stream").toString()));
        assertEquals(201, camera.status(), camera::toString);

        try (MjpegReader source = view(SOURCE); MjpegReader relay = view(RELAY)) {
            await("test-pattern frames relayed by the driver", () -> relay.ended() || relay.since(0,
                    p -> !p.placeholder() && p.width() == 320 && p.height() == 240).size() >= FRAMES, relay::describe);
            assertFalse(relay.ended(), relay::describe);
            await("frames of the source", () -> source.since(0, p -> !p.placeholder()).size() >= FRAMES,
                    source::describe);

            // updated while a viewer watches: the camera restarts, the viewer's connection carries on
            Bundle before = driver().orElseThrow();
            long revision = before.getLastModified();
            int relayMark = relay.mark();
            int eventMark = events.mark();
            update(way, before.getBundleId());
            await("the driver to be updated and active again", () -> driver().map(b -> b.getState() == Bundle.ACTIVE
                    && b.getLastModified() != revision).orElse(false));
            await("camera '" + RELAY + "' to go offline and come back", () -> {
                int offline = events.indexOf(ObscuraEvents.CAMERA_OFFLINE, RELAY, eventMark);
                return offline >= 0 && events.indexOf(ObscuraEvents.CAMERA_ONLINE, RELAY, offline) >= 0;
            }, () -> events.all().toString());
            await("relayed frames after the update, on the same connection", () -> relay.ended()
                    || relay.since(relayMark, p -> !p.placeholder()).size() >= FRAMES, relay::describe);
            assertFalse(relay.ended(), relay::describe);
            assertEquals(before.getBundleId(), driver().orElseThrow().getBundleId(), "the update made a new bundle");

            // uninstalled: the relay goes offline with its viewer still connected; the source goes on
            int sourceMark = source.mark();
            int eventMark2 = events.mark();
            uninstall(way, before.getBundleId());
            await("the driver bundle to be gone", () -> driver().isEmpty());
            await("driver '" + DRIVER_ID + "' to be unregistered", () -> server.registry().driver(DRIVER_ID).isEmpty());
            await("camera '" + RELAY + "' to go offline", () -> events.indexOf(ObscuraEvents.CAMERA_OFFLINE, RELAY,
                    eventMark2) >= 0, () -> events.all().toString());
            assertEquals(CameraState.OFFLINE, server.state(RELAY));
            int relayOffline = relay.mark();
            await("'no signal' on the relay's open connection", () -> relay.ended()
                    || relay.since(relayOffline, Part::placeholder).size() >= 2, relay::describe);
            assertFalse(relay.ended(), relay::describe);
            await("source frames after the uninstall", () -> source.since(sourceMark, p -> !p.placeholder()).size()
                    >= FRAMES, source::describe);

            assertSourceUnaffected(source);
        }
    }

    private void install(Way way) throws Exception {
        switch (way) {
            case GOGO -> {
                // Gogo 1.1's install has no -s (start) option: install, then start. Scoped, as "install" alone is
                // ambiguous next to feature:install. A command that fails throws.
                String out = GogoShell.run(server.context(), "felix:install " + driverJar.toUri());
                Matcher id = Pattern.compile("Bundle ID: (\\d+)").matcher(out);
                assertTrue(id.find(), out);
                GogoShell.run(server.context(), "felix:start " + id.group(1));
            }
            case REST -> {
                ObscuraServer.Response r = upload("POST", "/api/v1/bundles", Files.readAllBytes(driverJar));
                assertEquals(201, r.status(), r::toString);
                JsonNode bundle = server.json(r);
                assertEquals(DRIVER_BSN, bundle.path("symbolicName").asText(), r::toString);
                assertEquals("active", bundle.path("state").asText(), r::toString);
                assertTrue(r.header("Location").orElse("").endsWith("/api/v1/bundles/" + bundle.path("id").asLong()),
                        r::toString);
                JsonNode steps = bundle.path("steps");
                assertEquals("starting " + DRIVER_BSN + " (id " + bundle.path("id").asLong() + ")",
                        steps.get(steps.size() - 2).asText(), r::toString);
                assertTrue(steps.get(steps.size() - 1).asText().matches(Pattern.quote(DRIVER_BSN)
                        + " \\S+ installed \\(id \\d+\\), active"), r::toString);
            }
            case DEPLOY -> copyAtomically(driverJar, deployDir().resolve(DEPLOYED));
        }
        await("the example driver to be active", () -> driver().map(b -> b.getState() == Bundle.ACTIVE).orElse(false),
                () -> driver().map(b -> b.getBundleId() + " in state " + b.getState()).orElse("not installed"));
    }

    private void update(Way way, long id) throws Exception {
        switch (way) {
            case GOGO -> GogoShell.run(server.context(), "felix:update " + id + " " + driverJar.toUri());
            case REST -> {
                ObscuraServer.Response r = upload("PUT", "/api/v1/bundles/" + id, Files.readAllBytes(driverJar));
                assertEquals(200, r.status(), r::toString);
                assertEquals("active", server.json(r).path("state").asText(), r::toString);
            }
            case DEPLOY -> {
                // the same content, replaced: FileInstall sees a changed file by its time stamp
                Path deployed = deployDir().resolve(DEPLOYED);
                FileTime was = Files.getLastModifiedTime(deployed);
                copyAtomically(driverJar, deployed);
                Files.setLastModifiedTime(deployed, FileTime.fromMillis(Math.max(System.currentTimeMillis(),
                        was.toMillis() + 2000)));
            }
        }
    }

    private void uninstall(Way way, long id) throws Exception {
        switch (way) {
            case GOGO -> GogoShell.run(server.context(), "felix:uninstall " + id);
            case REST -> {
                ObscuraServer.Response r = server.delete("/api/v1/bundles/" + id);
                assertEquals(200, r.status(), r::toString);
                assertEquals("uninstalled", server.json(r).path("state").asText(), r::toString);
            }
            case DEPLOY -> Files.delete(deployDir().resolve(DEPLOYED));
        }
    }

    // ---- bad bundles ------------------------------------------------------------------------------------

    /** The activator of a bundle the test makes: it refuses to start. */
    public static final class ThrowingActivator implements BundleActivator {
        static final String MESSAGE = "the example activator refuses to start";

        @Override
        public void start(BundleContext context) {
            throw new IllegalStateException(MESSAGE);
        }

        @Override
        public void stop(BundleContext context) {
        }
    }

    /** The Declarative Services component of a bundle the test makes: its activation fails. */
    public static final class ThrowingComponent {
        static final String MESSAGE = "the example component refuses to activate";

        public void activate() {
            throw new IllegalStateException(MESSAGE);
        }
    }

    /** An immediate component of {@link ThrowingComponent}, activated by {@code activate()}. */
    private static final String THROWING_COMPONENT_XML = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<scr:component xmlns:scr=\"http://www.osgi.org/xmlns/scr/v1.4.0\" name=\"org.obscura.itest.refusing\""
            + " immediate=\"true\" activate=\"activate\">\n"
            + "  <implementation class=\"" + ThrowingComponent.class.getName() + "\"/>\n"
            + "</scr:component>\n";

    @Test
    void badBundlesAreRefusedWithTheReasonAndLeaveTheServerAsItWas() throws Exception {
        List<String> bundles = bundleNames();
        try (MjpegReader source = view(SOURCE)) {
            await("frames of the source", () -> source.since(0, p -> !p.placeholder()).size() >= FRAMES,
                    source::describe);

            JsonNode notAJar = server.problem(upload("POST", "/api/v1/bundles",
                    "this is not a jar".getBytes(StandardCharsets.UTF_8)), 400, "bundle");
            assertTrue(notAJar.path("detail").asText().contains("not a jar"), notAJar::toString);

            JsonNode plainJar = server.problem(upload("POST", "/api/v1/bundles",
                    jar(Map.of("Created-By", "hand"), null)), 400, "bundle");
            assertTrue(plainJar.path("detail").asText().contains("Bundle-SymbolicName"), plainJar::toString);

            JsonNode unresolved = server.problem(upload("POST", "/api/v1/bundles", jar(Map.of(
                    "Bundle-ManifestVersion", "2", "Bundle-SymbolicName", "org.obscura.itest.needy",
                    "Bundle-Version", "1.0.0", "Import-Package", "org.obscura.nowhere;version=\"[1,2)\""), null)),
                    409, null);
            String why = unresolved.path("detail").asText();
            assertTrue(why.contains("org.obscura.itest.needy") && why.contains("package org.obscura.nowhere"),
                    unresolved::toString);
            // the steps taken, up to the one that failed, what was undone, and the reason
            List<String> steps = new java.util.ArrayList<>();
            unresolved.path("steps").forEach(n -> steps.add(n.asText()));
            assertEquals(List.of("checking the upload", "installing org.obscura.itest.needy 1.0.0",
                    "resolving org.obscura.itest.needy 1.0.0", "uninstalling org.obscura.itest.needy 1.0.0 again",
                    "failed: " + why), steps, unresolved::toString);

            // the answers name what the activator or the component threw, and its message, for the bundle's author
            JsonNode throwing = server.problem(server.send(HttpRequest.newBuilder(server.uri("/api/v1/bundles"))
                    .header("Content-Type", "application/java-archive").POST(HttpRequest.BodyPublishers.ofByteArray(
                            jar(Map.of("Bundle-ManifestVersion", "2", "Bundle-SymbolicName", "org.obscura.itest.throwing",
                                    "Bundle-Version", "1.0.0", "Import-Package", "org.osgi.framework",
                                    "Bundle-Activator", ThrowingActivator.class.getName()), ThrowingActivator.class))),
                    true), 409, null);
            String threw = throwing.path("detail").asText();
            assertTrue(threw.contains("org.obscura.itest.throwing") && threw.contains("activator")
                    && threw.contains("IllegalStateException: " + ThrowingActivator.MESSAGE), throwing::toString);

            JsonNode failing = server.problem(server.send(HttpRequest.newBuilder(server.uri("/api/v1/bundles"))
                    .header("Content-Type", "application/java-archive").POST(HttpRequest.BodyPublishers.ofByteArray(
                            jar(Map.of("Bundle-ManifestVersion", "2", "Bundle-SymbolicName", "org.obscura.itest.refusing",
                                    "Bundle-Version", "1.0.0", "Service-Component", "OSGI-INF/refusing.xml"),
                                    ThrowingComponent.class, Map.of("OSGI-INF/refusing.xml", THROWING_COMPONENT_XML)))),
                    true), 409, null);
            String failed = failing.path("detail").asText();
            assertTrue(failed.contains("org.obscura.itest.refusing") && failed.contains("component failed to activate")
                    && failed.contains(ThrowingComponent.MESSAGE), failing::toString);

            assertEquals(bundles, bundleNames(), "a refused bundle stayed installed");
            ObscuraServer.Response health = server.get("/api/v1/health");
            assertEquals(200, health.status(), health::toString);
            int mark = source.mark();
            await("source frames after the refusals", () -> source.since(mark, p -> !p.placeholder()).size() >= FRAMES,
                    source::describe);
            assertSourceUnaffected(source);
        }
    }

    @Test
    void bundleRoutesNeedTheAdministrator() throws Exception {
        ObscuraServer.Response r = server.sendAsIs(HttpRequest.newBuilder(server.uri("/api/v1/bundles"))
                .header("Content-Type", "application/java-archive")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Files.readAllBytes(driverJar)))
                .timeout(ObscuraServer.TIMEOUT).build());
        server.problem(r, 401, null);
        assertEquals("Bearer realm=\"obscura\"", r.header("WWW-Authenticate").orElse(""), r::toString);
        assertTrue(driver().isEmpty(), "an anonymous upload was installed");
    }

    @Test
    void featureCommandsAnswerInTheShell() throws Exception {
        String list = GogoShell.run(server.context(), "feature:list");
        assertTrue(list.startsWith("FEATURE") || list.startsWith("no features"), list);
        String missing = GogoShell.run(server.context(), "feature:install no-such-feature");
        assertTrue(missing.startsWith("error: there is no feature 'no-such-feature'"), missing);
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    /** The test-pattern camera never went offline, never showed "no signal", and never paused long. */
    private void assertSourceUnaffected(MjpegReader source) {
        List<Part> parts = source.parts();
        assertTrue(parts.stream().noneMatch(Part::placeholder), () -> "the source showed 'no signal': "
                + source.describe());
        assertEquals(-1, events.indexOf(ObscuraEvents.CAMERA_OFFLINE, SOURCE, 0), () -> events.all().toString());
        for (int i = 1; i < parts.size(); i++) {
            Part a = parts.get(i - 1);
            Part b = parts.get(i);
            assertTrue(b.index() > a.index(), () -> "source frame indexes went backwards: " + a + ", " + b);
            Duration gap = Duration.ofNanos(b.received() - a.received());
            assertTrue(gap.compareTo(MAX_SOURCE_GAP) <= 0, () -> "the source stalled for " + gap.toMillis()
                    + " ms between " + a + " and " + b);
        }
    }

    /**
     * A viewer of the camera's stream. A camera made a moment ago may be re-made once when FileInstall reads back
     * its new configuration file (its component restarts with the file's name in its configuration): while
     * nobody watches it is briefly unknown (404), so the viewer tries again, as a client would, until it is in.
     */
    private MjpegReader view(String camera) throws Exception {
        return view(server, camera);
    }

    /** {@link #view(String)} on any server; used by the other plugin-run tests too. */
    static MjpegReader view(ObscuraServer server, String camera) throws Exception {
        long deadline = System.nanoTime() + ObscuraServer.TIMEOUT.toNanos();
        while (true) {
            try {
                return MjpegReader.open(server.http(), server.uri("/api/v1/cameras/" + camera + "/stream"));
            } catch (IOException e) {
                if (!e.getMessage().startsWith("not an MJPEG stream: 404") || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private Optional<Bundle> driver() {
        return Arrays.stream(server.context().getBundles()).filter(b -> DRIVER_BSN.equals(b.getSymbolicName()))
                .findFirst();
    }

    private List<String> bundleNames() {
        return Arrays.stream(server.context().getBundles()).map(b -> b.getBundleId() + " " + b.getSymbolicName())
                .toList();
    }

    /** A jar as the body of a request, as the administrator. */
    private ObscuraServer.Response upload(String method, String path, byte[] body) throws IOException {
        return server.send(HttpRequest.newBuilder(server.uri(path)).header("Content-Type", "application/java-archive")
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /** The drop-in folder: the last entry of {@code felix.fileinstall.dir}, as on the server (conf,deploy). */
    private Path deployDir() throws IOException {
        String dirs = server.context().getProperty("felix.fileinstall.dir");
        assertNotNull(dirs, "felix.fileinstall.dir is not set in this run");
        String[] entries = dirs.split(",");
        return Files.createDirectories(Path.of(entries[entries.length - 1].replace("'", "").strip()).toAbsolutePath());
    }

    /** Copies next to the target, then renames: FileInstall never sees half a jar. */
    private static void copyAtomically(Path from, Path to) throws IOException {
        Path temp = to.resolveSibling("." + to.getFileName() + ".part");
        Files.copy(from, temp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(temp, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** A jar with these main manifest headers and, when given, the class file of {@code type}. */
    static byte[] jar(Map<String, String> headers, Class<?> type) throws IOException {
        return jar(headers, type, Map.of());
    }

    /** Like {@link #jar(Map, Class)}, with these text files too (name to content). */
    private static byte[] jar(Map<String, String> headers, Class<?> type, Map<String, String> files)
            throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        headers.forEach((k, v) -> manifest.getMainAttributes().put(new Attributes.Name(k), v));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, manifest)) {
            if (type != null) {
                String entry = type.getName().replace('.', '/') + ".class";
                jar.putNextEntry(new JarEntry(entry));
                try (InputStream in = type.getClassLoader().getResourceAsStream(entry)) {
                    in.transferTo(jar);
                }
            } else {
                jar.putNextEntry(new JarEntry("readme.txt"));
                jar.write("no classes".getBytes(StandardCharsets.UTF_8));
            }
            jar.closeEntry();
            for (Map.Entry<String, String> f : files.entrySet()) {
                jar.putNextEntry(new JarEntry(f.getKey()));
                jar.write(f.getValue().getBytes(StandardCharsets.UTF_8));
                jar.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}
