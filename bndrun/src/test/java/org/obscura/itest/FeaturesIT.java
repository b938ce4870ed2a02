package org.obscura.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.obscura.itest.ObscuraServer.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;
import org.obscura.camera.api.ObscuraEvents;
import org.obscura.itest.MjpegReader.Part;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Features installed from a real repository of optional bundles, as the distribution carries it: the run's
 * {@code obscura.repository.dir} holds the jars of the optional bundles (copied by bndrun/pom.xml), none of which
 * is a run bundle, and {@code obscura.features.dir} the checkout's feature definitions. Features at start come from
 * the run's {@code conf/org.obscura.features.config} ({@code v4l2}, as in the distribution).
 *
 * <p>Checks that bundles come from the repository, that required features are installed first, that the features'
 * services work afterwards (lights through {@code /api/v1/lights}, the sequencer's image sets, the replaced
 * servers' routes, the V4L2 driver in {@code /api/v1/drivers}), that installing twice is reported and changes
 * nothing, that uninstalling a feature another one requires is refused naming it, that uninstalling removes the
 * bundles, and that each install reports its steps as they happen: in the answer, as Event Admin events, on the REST
 * API's event stream and in the Gogo shell; a failing install names the step that failed, undoes itself and leaves
 * the cameras streaming.
 *
 * <p>Runs in itest-plugins.bndrun only (like {@link PluginsIT}).
 */
@ExtendWith(ObscuraServer.Extension.class)
@EnabledIf(value = "org.obscura.itest.PluginsIT#inPluginsRun", disabledReason = "runs in itest-plugins.bndrun only")
class FeaturesIT {

    static final String FEATURES_PID = "org.obscura.features";
    static final String LIGHTS_PID = "org.obscura.lights.gpio";
    static final String SEQUENCER_PID = "org.obscura.sequencer";
    static final String LIGHTS_BSN = "org.obscura.lights.gpio";
    static final String SEQUENCER_BSN = "org.obscura.sequencer";
    static final String V4L2_BSN = "org.obscura.driver.v4l2";
    static final String COMPAT_BSN = "org.obscura.compat";
    static final String PROGRESS_TOPIC = "org/obscura/plugins/PROGRESS";
    static final String BROKEN = "itest-broken";
    static final String UNRESOLVABLE_BSN = "org.obscura.itest.unresolvable";
    static final String CAMERA = "feature-watch";
    static final Duration MAX_GAP = PluginsIT.MAX_SOURCE_GAP;

    private ObscuraServer server;
    private Path repository;
    private Path featuresDir;
    private ProgressRecorder progress;

    /** Features at start (the run's conf/) are installed: waits for them, so that tests see a settled server. */
    static void awaitFeaturesAtStart(ObscuraServer server) throws Exception {
        Configuration c = server.configAdmin().getConfiguration(FEATURES_PID, "?");
        Object listed = c.getProperties() == null ? null : c.getProperties().get("features");
        assertNotNull(listed, "the run's conf/ lists no features at start (bndrun/pom.xml writes it)");
        List<String> names = listed instanceof String[] a ? Arrays.asList(a) : List.of(listed.toString().split(","));
        for (String name : names) {
            await("feature '" + name + "' (at start) to be installed", () -> {
                try {
                    return server.json(server.get("/api/v1/features/" + name.strip())).path("installed").asBoolean();
                } catch (IOException e) {
                    return false;
                }
            });
        }
    }

    @BeforeEach
    void setUp(ObscuraServer server) throws Exception {
        this.server = server;
        repository = Path.of(server.context().getProperty("obscura.repository.dir")).toAbsolutePath().normalize();
        featuresDir = Path.of(server.context().getProperty("obscura.features.dir")).toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(featuresDir.resolve("lab.json")), "no lab.json in " + featuresDir);
        awaitFeaturesAtStart(server);
        for (String bsn : List.of(LIGHTS_BSN, SEQUENCER_BSN, COMPAT_BSN)) {
            assertEquals(0, bundles(bsn).size(), bsn + " is installed before the test: it must come from the repository");
        }
        progress = new ProgressRecorder();
        // lights for the lights feature, as a user configures them (no GPIO here: virtual)
        Configuration lights = server.configAdmin().getConfiguration(LIGHTS_PID, "?");
        Dictionary<String, Object> p = new Hashtable<>();
        p.put("lights", new String[] { "front=17", "back=27:low" });
        p.put("backend", "virtual");
        lights.update(p);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (progress != null) {
            progress.close();
        }
        uninstallUntilSettled();
        Files.deleteIfExists(featuresDir.resolve(BROKEN + ".json"));
        Files.deleteIfExists(repository.resolve("itest-unresolvable.jar"));
        for (String pid : List.of(LIGHTS_PID, SEQUENCER_PID)) {
            Configuration[] found = server.configAdmin().listConfigurations("(service.pid=" + pid + ")");
            for (Configuration c : found == null ? new Configuration[0] : found) {
                c.delete();
            }
        }
        server.resetCameras();
    }

    // ---- features at start ------------------------------------------------------------------------------

    @Test
    void theFeaturesListedInConfAreInstalledFromTheRepositoryAtStart() throws Exception {
        List<Bundle> v4l2 = bundles(V4L2_BSN);
        assertEquals(1, v4l2.size(), "the v4l2 feature's driver bundle");
        assertTrue(v4l2.get(0).getLocation().startsWith(repository.toUri().toString()),
                () -> "not from the repository: " + v4l2.get(0).getLocation());
        assertEquals(Bundle.ACTIVE, v4l2.get(0).getState());
        await("driver 'v4l2' to be registered", () -> server.registry().driver("v4l2").isPresent());
        ObscuraServer.Response drivers = server.get("/api/v1/drivers");
        assertTrue(drivers.text().contains("\"v4l2\""), drivers::toString);
        JsonNode feature = server.json(server.get("/api/v1/features/v4l2"));
        assertTrue(feature.path("installed").asBoolean(), feature::toString);
        JsonNode lab = server.json(server.get("/api/v1/features/lab"));
        assertFalse(lab.path("installed").asBoolean(), lab::toString);
        assertEquals("available", lab.path("bundles").get(0).path("state").asText(), lab::toString);
    }

    // ---- install, twice, uninstall ------------------------------------------------------------------------

    @Test
    void labInstallsTheLightsItRequiresFirstReportingEachStepAndItsServicesWork() throws Exception {
        assertEquals(503, server.get("/api/v1/lights").status(), "lights before the feature is installed");
        assertEquals(503, server.get("/api/v1/sets").status(), "image sets (sequencer) before the feature is installed");
        ObscuraServer.Response r;
        try (EventStreamReader stream = EventStreamReader.open(server.http(), server.uri("/api/v1/events"),
                server.adminAuthorization())) {
            r = server.post("/api/v1/features/lab", "");
            assertEquals(201, r.status(), r::toString);
            List<String> steps = texts(server.json(r).path("steps"));

            // the steps, in the order they were taken
            assertEquals("resolving feature 'lab' with the feature it requires (lights): bundles " + LIGHTS_BSN + ", "
                    + SEQUENCER_BSN, steps.get(0), steps::toString);
            int lights = indexOf(steps, "installing " + LIGHTS_BSN + " \\S+ from repository/\\S+\\.jar");
            int sequencer = indexOf(steps, "installing " + SEQUENCER_BSN + " \\S+ from repository/\\S+\\.jar");
            int config = indexOf(steps, Pattern.quote("configuration " + SEQUENCER_PID + " created"));
            int startLights = indexOf(steps, "starting " + Pattern.quote(LIGHTS_BSN) + " \\(id \\d+\\)");
            int startSequencer = indexOf(steps, "starting " + Pattern.quote(SEQUENCER_BSN) + " \\(id \\d+\\)");
            assertTrue(0 < lights && lights < sequencer && sequencer < config && config < startLights
                    && startLights < startSequencer, steps::toString);
            assertEquals("feature 'lab' installed: 2 bundles from the repository, 1 configuration created",
                    steps.get(steps.size() - 1), steps::toString);

            // the same steps as events, as they happened, on Event Admin and on the REST API's event stream
            await("every step as an event", () -> progress.of("feature-install", "lab").size() >= steps.size(),
                    () -> progress.received().toString());
            List<Event> events = progress.of("feature-install", "lab");
            assertEquals(steps, events.stream().map(e -> e.getProperty("message").toString()).toList());
            assertTrue(events.stream().allMatch(e -> e.getProperty("id").equals(events.get(0).getProperty("id"))
                    && "feature-install".equals(e.getProperty("operation")) && "lab".equals(e.getProperty("target"))),
                    events::toString);
            for (int i = 0; i < events.size(); i++) {
                assertEquals(i + 1, events.get(i).getProperty("step"));
                assertEquals(i == events.size() - 1 ? "done" : "running", events.get(i).getProperty("state"));
            }
            await("every step on /api/v1/events", () -> relayed(stream, "lab").size() >= steps.size(),
                    () -> stream.named("plugins/progress").toString());
            List<EventStreamReader.Received> relayed = relayed(stream, "lab");
            for (int i = 0; i < steps.size(); i++) {
                JsonNode data = PluginsIT.JSON.readTree(relayed.get(i).data());
                assertEquals(steps.get(i), data.path("message").asText(), relayed::toString);
                assertEquals(i + 1, data.path("step").asInt(), relayed::toString);
            }
        }

        // both bundles once, from the repository, active; the required feature is installed too
        for (String bsn : List.of(LIGHTS_BSN, SEQUENCER_BSN)) {
            List<Bundle> b = bundles(bsn);
            assertEquals(1, b.size(), bsn);
            assertTrue(b.get(0).getLocation().startsWith(repository.toUri().toString()), b.get(0)::getLocation);
            assertEquals(Bundle.ACTIVE, b.get(0).getState(), bsn);
        }
        assertTrue(bundles(LIGHTS_BSN).get(0).getBundleId() < bundles(SEQUENCER_BSN).get(0).getBundleId(),
                "lights installed before the sequencer");
        assertTrue(server.json(server.get("/api/v1/features/lights")).path("installed").asBoolean());
        Configuration settle = server.configAdmin().getConfiguration(SEQUENCER_PID, "?");
        assertEquals(500, ((Number) settle.getProperties().get("settle.ms")).intValue(), "the lab's default configuration");

        // the features' services work
        await("the configured lights on /api/v1/lights", () -> {
            try {
                ObscuraServer.Response l = server.get("/api/v1/lights");
                return l.status() == 200 && server.json(l).path("states").has("front")
                        && server.json(l).path("states").has("back");
            } catch (IOException e) {
                return false;
            }
        });
        ObscuraServer.Response on = server.put("/api/v1/lights/front", Map.of("on", true));
        assertEquals(200, on.status(), on::toString);
        assertTrue(server.json(on).path("on").asBoolean(), on::toString);
        await("image sets (sequencer) to be served", () -> {
            try {
                return server.get("/api/v1/sets").status() == 200;
            } catch (IOException e) {
                return false;
            }
        });
        assertTrue(startList().contains("lab"), "installing through the API adds the feature to the start list");

        // installing again: reported, nothing changes
        List<Long> ids = installedIds();
        for (String feature : List.of("lab", "lights")) {
            ObscuraServer.Response again = server.post("/api/v1/features/" + feature, "");
            assertEquals(200, again.status(), again::toString);
            JsonNode body = server.json(again);
            assertTrue(body.path("alreadyInstalled").asBoolean(), again::toString);
            assertEquals(0, body.path("installed").size(), again::toString);
            assertEquals(List.of("feature '" + feature + "' is already installed"), texts(body.path("steps")));
        }
        String shell = GogoShell.run(server.context(), "feature:install lab");
        assertEquals("feature 'lab' is already installed", shell);
        assertEquals(ids, installedIds(), "installing twice added or replaced bundles");
    }

    @Test
    void uninstallingAFeatureAnotherOneRequiresIsRefusedNamingItAndUninstallingRemovesTheBundles() throws Exception {
        assertEquals(201, server.post("/api/v1/features/lab", "").status());
        long lightsId = bundles(LIGHTS_BSN).get(0).getBundleId();

        JsonNode refused = server.problem(server.delete("/api/v1/features/lights"), 409, null);
        assertEquals("the installed feature 'lab' requires 'lights': uninstall 'lab' first",
                refused.path("detail").asText(), refused::toString);
        assertEquals(List.of("failed: " + refused.path("detail").asText()), texts(refused.path("steps")));
        JsonNode bundleRefused = server.problem(server.delete("/api/v1/bundles/" + lightsId), 409, null);
        assertEquals(LIGHTS_BSN + " is needed by the installed feature 'lights': uninstall the feature instead "
                + "(feature:uninstall lights)", bundleRefused.path("detail").asText(), bundleRefused::toString);
        assertEquals(1, bundles(LIGHTS_BSN).size(), "a refused uninstall removed the bundle");
        assertEquals(200, server.get("/api/v1/lights").status());

        ObscuraServer.Response lab = server.delete("/api/v1/features/lab");
        assertEquals(200, lab.status(), lab::toString);
        JsonNode labBody = server.json(lab);
        assertEquals(SEQUENCER_BSN, labBody.path("uninstalled").get(0).path("symbolicName").asText(), lab::toString);
        assertEquals(1, labBody.path("uninstalled").size(), lab::toString);
        assertEquals(0, bundles(SEQUENCER_BSN).size());
        // the required feature stays installed, and its lights on
        assertEquals(1, bundles(LIGHTS_BSN).size());
        assertTrue(server.json(server.get("/api/v1/features/lights")).path("installed").asBoolean());
        assertEquals(200, server.get("/api/v1/lights").status());
        await("image sets (sequencer) to be gone", () -> {
            try {
                return server.get("/api/v1/sets").status() == 503;
            } catch (IOException e) {
                return false;
            }
        });

        // through the shell: each step printed as it is taken, then the outcome
        List<String> printed = stepLines(GogoShell.run(server.context(), "feature:uninstall lights"));
        assertEquals(List.of("stopping and uninstalling " + LIGHTS_BSN), printed.stream()
                .map(l -> l.replaceFirst(" \\S+ \\(id \\d+\\)$", "")).toList());
        assertEquals(0, bundles(LIGHTS_BSN).size());
        assertEquals(503, server.get("/api/v1/lights").status());
        assertFalse(startList().contains("lab") || startList().contains("lights"), startList()::toString);
    }

    @Test
    void theShellPrintsEachStepOfAnInstallThenTheOutcomeAndTheFeatureWorks() throws Exception {
        assertEquals(404, server.get("/current_config").status(), "the replaced servers' routes before the install");
        String out = GogoShell.run(server.context(), "feature:install compat");
        List<String> steps = stepLines(out);
        assertEquals(4, steps.size(), out);
        assertEquals("resolving feature 'compat': bundles " + COMPAT_BSN, steps.get(0), out);
        assertTrue(steps.get(1).matches("installing " + Pattern.quote(COMPAT_BSN) + " \\S+ from repository/\\S+\\.jar"),
                out);
        assertTrue(steps.get(2).matches("resolving " + Pattern.quote(COMPAT_BSN) + " \\S+"), out);
        assertTrue(steps.get(3).matches("starting " + Pattern.quote(COMPAT_BSN) + " \\(id \\d+\\)"), out);
        assertTrue(out.endsWith("feature 'compat' installed: 1 bundle from the repository, 0 configurations created"), out);
        await("the replaced servers' routes", () -> {
            try {
                return server.get("/current_config").status() == 200;
            } catch (IOException e) {
                return false;
            }
        });
        String again = GogoShell.run(server.context(), "feature:install compat");
        assertEquals("feature 'compat' is already installed", again);
        assertEquals(1, bundles(COMPAT_BSN).size());
    }

    // ---- a failing install ------------------------------------------------------------------------------

    @Test
    void aFailingInstallReportsTheFailedStepUndoesItselfAndLeavesTheServerAndCamerasUntouched() throws Exception {
        // a feature requiring lights whose own bundle, in the repository, imports a package nobody exports
        Files.writeString(featuresDir.resolve(BROKEN + ".json"), "{\"description\": \"does not resolve\", "
                + "\"requires\": [\"lights\"], \"bundles\": [\"" + UNRESOLVABLE_BSN + "\"], "
                + "\"configurations\": {\"org.obscura.itest.broken\": {\"x\": 1}}}");
        Files.write(repository.resolve("itest-unresolvable.jar"), jar(Map.of("Bundle-ManifestVersion", "2",
                "Bundle-SymbolicName", UNRESOLVABLE_BSN, "Bundle-Version", "1.0.0",
                "Import-Package", "org.obscura.nowhere;version=\"[1,2)\"")));
        assertEquals(201, server.post("/api/v1/cameras", Map.of("driver", "testpattern", "name", CAMERA, "width", 320,
                "height", 240, "format", "JPEG", "fps", 15)).status());
        await("camera '" + CAMERA + "' to be online", () -> server.camera(CAMERA).map(c -> c.online()).orElse(false));
        List<String> before = bundleNames();
        List<String> startBefore = startList();

        try (CameraEventRecorder cameras = new CameraEventRecorder(server.context()); MjpegReader viewer = view(CAMERA)) {
            await("frames", () -> viewer.since(0, p -> !p.placeholder()).size() >= 5, viewer::describe);

            JsonNode problem = server.problem(server.post("/api/v1/features/" + BROKEN, ""), 409, null);
            String detail = problem.path("detail").asText();
            assertTrue(detail.startsWith("feature '" + BROKEN + "' was not installed: ") && detail.contains(UNRESOLVABLE_BSN)
                    && detail.contains("package org.obscura.nowhere"), problem::toString);
            List<String> steps = texts(problem.path("steps"));
            int lights = indexOf(steps, "installing " + LIGHTS_BSN + " \\S+ from repository/\\S+\\.jar");
            int own = indexOf(steps, "installing " + UNRESOLVABLE_BSN + " 1\\.0\\.0 from repository/itest-unresolvable\\.jar");
            int resolving = indexOf(steps, "resolving " + Pattern.quote(LIGHTS_BSN) + " .*" + Pattern.quote(UNRESOLVABLE_BSN)
                    + " 1\\.0\\.0");
            int undo = indexOf(steps, Pattern.quote("undoing the install: removing " + LIGHTS_BSN + ", " + UNRESOLVABLE_BSN
                    + ", configuration org.obscura.itest.broken"));
            assertTrue(lights < own && own < resolving && resolving < undo && undo == steps.size() - 2, steps::toString);
            assertEquals("failed: " + detail, steps.get(steps.size() - 1));
            assertTrue(steps.stream().noneMatch(s -> s.startsWith("starting ")), "nothing started: " + steps);
            await("the failure as the last event", () -> progress.of("feature-install", BROKEN).size() == steps.size()
                    && "failed".equals(progress.of("feature-install", BROKEN).get(steps.size() - 1).getProperty("state")),
                    () -> progress.received().toString());

            // the shell: the same steps printed, then the error
            String out = GogoShell.run(server.context(), "feature:install " + BROKEN);
            assertTrue(out.endsWith("error: " + detail), out);
            assertEquals(steps.subList(0, steps.size() - 1).stream().map(s -> s.replaceAll("\\(id \\d+\\)", "")).toList(),
                    stepLines(out).stream().map(s -> s.replaceAll("\\(id \\d+\\)", "")).toList());

            // nothing stayed: bundles, the default configuration, the start list; the server and the camera went on
            assertEquals(before, bundleNames(), "an undone install left bundles");
            assertNull(server.configAdmin().listConfigurations("(service.pid=org.obscura.itest.broken)"));
            assertEquals(startBefore, startList());
            assertFalse(server.json(server.get("/api/v1/features/lights")).path("installed").asBoolean());
            assertEquals(200, server.get("/api/v1/health").status());
            int mark = viewer.mark();
            await("frames after the failed installs", () -> viewer.since(mark, p -> !p.placeholder()).size() >= 5,
                    viewer::describe);
            assertEquals(-1, cameras.indexOf(ObscuraEvents.CAMERA_OFFLINE, CAMERA, 0), () -> cameras.all().toString());
            List<Part> parts = viewer.parts();
            assertTrue(parts.stream().noneMatch(Part::placeholder), viewer::describe);
            for (int i = 1; i < parts.size(); i++) {
                Duration gap = Duration.ofNanos(parts.get(i).received() - parts.get(i - 1).received());
                assertTrue(gap.compareTo(MAX_GAP) <= 0, "the camera stalled for " + gap.toMillis() + " ms");
            }
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    /** Records the progress events of installs (Event Admin, {@value #PROGRESS_TOPIC}) in order of arrival. */
    private final class ProgressRecorder implements EventHandler, AutoCloseable {
        private final List<Event> events = new ArrayList<>();
        private final ServiceRegistration<EventHandler> registration;

        ProgressRecorder() {
            Dictionary<String, Object> p = new Hashtable<>();
            p.put(EventConstants.EVENT_TOPIC, PROGRESS_TOPIC);
            registration = server.context().registerService(EventHandler.class, this, p);
        }

        @Override
        public void handleEvent(Event event) {
            synchronized (events) {
                events.add(event);
            }
        }

        List<Event> received() {
            synchronized (events) {
                return List.copyOf(events);
            }
        }

        /**
         * The events of the first operation of that kind and target since this recorder was made (a late event of
         * an earlier test's clean-up may arrive too: it is another operation).
         */
        List<Event> of(String operation, String target) {
            List<Event> all = received();
            Object id = all.stream().filter(e -> operation.equals(e.getProperty("operation"))
                    && target.equals(e.getProperty("target"))).map(e -> e.getProperty("id")).findFirst().orElse(null);
            return all.stream().filter(e -> e.getProperty("id").equals(id)).toList();
        }

        @Override
        public void close() {
            registration.unregister();
        }
    }

    /** The progress events on the event stream of the install of {@code feature}. */
    private static List<EventStreamReader.Received> relayed(EventStreamReader stream, String feature) {
        return stream.named("plugins/progress").stream().filter(e -> {
            try {
                JsonNode data = PluginsIT.JSON.readTree(e.data());
                return "feature-install".equals(data.path("operation").asText())
                        && feature.equals(data.path("target").asText());
            } catch (IOException notJson) {
                return false;
            }
        }).toList();
    }

    /**
     * Uninstalls the features a test may have installed, until none has come back for 2 s. An install followed by
     * an uninstall within a second can still, rarely, be undone: FileInstall (scanning conf/ every second) may read
     * the features-at-start file just before the uninstall's write-back and compare it just after, which puts the
     * feature back on the list and installs it at start once more (see ConfigFileWriteBack).
     */
    private void uninstallUntilSettled() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long quietSince = System.nanoTime();
        while (System.nanoTime() - quietSince < TimeUnit.SECONDS.toNanos(2)) {
            for (String feature : List.of(BROKEN, "lab", "lights", "compat")) {
                JsonNode f = server.json(server.get("/api/v1/features/" + feature));
                if (f.path("installed").asBoolean()) {
                    ObscuraServer.Response r = server.delete("/api/v1/features/" + feature);
                    assertEquals(200, r.status(), r::toString);
                    quietSince = System.nanoTime();
                }
            }
            assertTrue(System.nanoTime() < deadline, "features kept coming back after being uninstalled");
            Thread.sleep(100);
        }
    }

    private List<Bundle> bundles(String bsn) {
        return Arrays.stream(server.context().getBundles()).filter(b -> bsn.equals(b.getSymbolicName())).toList();
    }

    private List<Long> installedIds() {
        return Arrays.stream(server.context().getBundles()).map(Bundle::getBundleId).toList();
    }

    private List<String> bundleNames() {
        return Arrays.stream(server.context().getBundles()).map(b -> b.getBundleId() + " " + b.getSymbolicName())
                .toList();
    }

    /** The features installed at start, as ConfigAdmin has them now. */
    private List<String> startList() throws IOException {
        Configuration c = server.configAdmin().getConfiguration(FEATURES_PID, "?");
        Object v = c.getProperties() == null ? null : c.getProperties().get("features");
        return v instanceof String[] a ? List.of(a) : v == null ? List.of() : List.of(v.toString());
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The position of the first step matching {@code regex}; fails when none does. */
    private static int indexOf(List<String> steps, String regex) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).matches(regex)) {
                return i;
            }
        }
        throw new AssertionError("no step matches " + regex + ": " + steps);
    }

    /**
     * The steps a shell command printed before its outcome (the last line), stripped of their indentation. Log lines
     * of bundles starting in the command's thread, which Gogo shows too, start with their time stamp (or, for a
     * stack trace, a tab); they are left out.
     */
    private static List<String> stepLines(String out) {
        List<String> lines = out.lines().toList();
        return lines.subList(0, Math.max(0, lines.size() - 1)).stream()
                .filter(l -> !l.matches("\\d{4}-\\d\\d-\\d\\d .*") && !l.startsWith("\t") && !l.isBlank())
                .map(String::strip).toList();
    }

    private MjpegReader view(String camera) throws Exception {
        return PluginsIT.view(server, camera);
    }

    /** A jar with these main manifest headers and no classes. */
    private static byte[] jar(Map<String, String> headers) throws IOException {
        return PluginsIT.jar(headers, null);
    }
}
