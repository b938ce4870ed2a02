package org.obscura.plugins.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraException.Kind;

class FeaturesTest {

    @TempDir
    Path dir;

    FakeFramework framework;
    BundleInstaller installer;
    Features features;
    Plugins plugins;
    Path featuresDir;
    Path repository;
    final Map<String, Map<String, Object>> configs = new LinkedHashMap<>();
    final List<String> deleted = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        framework = new FakeFramework();
        installer = new BundleInstaller(framework.context, BundleInstaller.ComponentProbe.NONE, 0);
        featuresDir = Files.createDirectories(dir.resolve("features"));
        repository = Files.createDirectories(dir.resolve("repository"));
        features = new Features(new FeatureCatalog(featuresDir, repository), installer, new DefaultConfigurations() {
            @Override
            public boolean createIfAbsent(String key, Map<String, Object> properties) {
                return configs.putIfAbsent(key, properties) == null;
            }

            @Override
            public void delete(String key) {
                deleted.add(key);
                configs.remove(key);
            }
        });
        plugins = new Plugins(installer, features);
        feature("lights", "{\"description\": \"GPIO lights\", \"bundles\": [\"org.obscura.lights.gpio\"],"
                + " \"configurations\": {\"org.obscura.lights.gpio\": {\"pins\": [\"17\", \"27\"], \"active.low\": true}}}");
        feature("lab", "{\"description\": \"Photometric lab\", \"requires\": [\"lights\"],"
                + " \"bundles\": [\"org.obscura.sequencer\", \"org.obscura.lights.gpio\"],"
                + " \"configurations\": {\"org.obscura.driver.testpattern.camera~lab\": {\"name\": \"lab\", \"fps\": 5}}}");
        feature("dslr", "{\"bundles\": [\"org.obscura.driver.gphoto2\"]}");
        FakeFramework.bundleJar(repository, "org.obscura.lights.gpio", "0.1.0", "Export-Package", "org.obscura.lights.spi");
        FakeFramework.bundleJar(repository, "org.obscura.lights.gpio", "0.0.9");
        FakeFramework.bundleJar(repository, "org.obscura.sequencer", "0.1.0", "Import-Package", "org.obscura.lights.spi");
        Files.writeString(repository.resolve("README.jar"), "not a jar at all");
    }

    private void feature(String name, String json) throws Exception {
        Files.writeString(featuresDir.resolve(name + ".json"), json);
    }

    private CameraException refused(Kind kind, Runnable call) {
        CameraException e = assertThrows(CameraException.class, call::run);
        assertEquals(kind, e.kind(), e.getMessage());
        return e;
    }

    @Test
    void listsFeaturesWithTheirBundlesAndProblems() throws Exception {
        feature("broken", "{\"bundles\": 3}");
        Map<String, Features.Status> byName = new LinkedHashMap<>();
        features.list().forEach(s -> byName.put(s.name(), s));
        assertEquals(List.of("broken", "dslr", "lab", "lights"), List.copyOf(byName.keySet()));
        assertTrue(byName.get("broken").problem().contains("\"bundles\""), byName.get("broken").problem());
        Features.BundleStatus gpio = byName.get("lights").bundles().get(0);
        assertEquals("available", gpio.state());
        assertEquals("0.1.0", gpio.version(), "the highest version in the repository");
        assertEquals("missing", byName.get("dslr").bundles().get(0).state());
        assertFalse(byName.get("lab").installed());
    }

    @Test
    void installsARequiredFeatureFirstWithDefaultConfigurationsThenReportsAlreadyInstalled() {
        Features.Outcome o = features.install("lab");
        assertFalse(o.alreadyInstalled());
        assertEquals(List.of("org.obscura.lights.gpio", "org.obscura.sequencer"),
                o.bundles().stream().map(BundleView::symbolicName).toList());
        assertTrue(o.bundles().stream().allMatch(b -> b.state().equals("active")));
        assertEquals(List.of("org.obscura.lights.gpio", "org.obscura.driver.testpattern.camera~lab"), o.configurations());
        assertEquals(true, configs.get("org.obscura.lights.gpio").get("active.low"));
        assertTrue(features.status("lights").installed());
        assertTrue(features.status("lab").installed());
        Features.Outcome again = features.install("lab");
        assertTrue(again.alreadyInstalled());
        assertTrue(again.bundles().isEmpty());
    }

    @Test
    void aBundleMissingFromTheRepositoryIsNamed() {
        CameraException e = refused(Kind.CONFLICT, () -> features.install("dslr"));
        assertTrue(e.getMessage().contains("org.obscura.driver.gphoto2") && e.getMessage().contains("repository"),
                e.getMessage());
        assertEquals(Kind.NOT_FOUND, refused(Kind.NOT_FOUND, () -> features.install("nope")).kind());
        assertTrue(refused(Kind.NOT_FOUND, () -> features.install("nope")).getMessage().contains("features: dslr, lab, lights"));
    }

    @Test
    void anInstallThatDoesNotResolveIsRolledBackEntirely() throws Exception {
        feature("needy", "{\"bundles\": [\"org.obscura.lights.gpio\", \"org.acme.needy\"],"
                + " \"configurations\": {\"org.acme.needy\": {\"x\": 1}}}");
        FakeFramework.bundleJar(repository, "org.acme.needy", "1.0.0", "Import-Package", "org.acme.absent");
        int before = framework.bundles.size();
        CameraException e = refused(Kind.CONFLICT, () -> features.install("needy"));
        assertTrue(e.getMessage().contains("feature 'needy' was not installed")
                && e.getMessage().contains("package org.acme.absent"), e.getMessage());
        assertEquals(before, framework.bundles.size(), "every bundle it added is gone");
        assertEquals(List.of("org.acme.needy"), deleted);
        assertNull(configs.get("org.acme.needy"));
    }

    @Test
    void uninstallKeepsSharedBundlesAndIsRefusedWhileRequired() {
        features.install("lab");
        CameraException required = refused(Kind.CONFLICT, () -> features.uninstall("lights"));
        assertTrue(required.getMessage().contains("'lab' requires 'lights'"), required.getMessage());
        // the gpio bundle is named by both features: the bundle API refuses it too
        long gpio = framework.bundle("org.obscura.lights.gpio").id;
        CameraException needed = refused(Kind.CONFLICT, () -> installer.uninstall(gpio, true));
        assertTrue(needed.getMessage().contains("installed feature"), needed.getMessage());

        Features.Outcome o = features.uninstall("lab");
        assertEquals(List.of("org.obscura.sequencer"), o.bundles().stream().map(BundleView::symbolicName).toList());
        assertEquals(1, o.kept().size());
        assertTrue(o.kept().get(0).contains("also in the installed feature 'lights'"), o.kept().get(0));
        assertNull(framework.bundle("org.obscura.sequencer"));
        assertNotNull(framework.bundle("org.obscura.lights.gpio"));
        assertFalse(features.status("lab").installed());
        assertTrue(features.status("lights").installed());
        assertEquals(Kind.CONFLICT, refused(Kind.CONFLICT, () -> features.uninstall("lab")).kind());
        assertEquals(1, features.uninstall("lights").bundles().size());
    }

    @Test
    void bundlesThatAreNotFromTheRepositoryAreKeptAndOutsideUsersBlockTheUninstall() throws Exception {
        framework.add("file:/opt/obscura/bundles/gphoto2.jar", Map.of("Bundle-SymbolicName", "org.obscura.driver.gphoto2",
                "Bundle-Version", "0.1.0")).state = org.osgi.framework.Bundle.ACTIVE;
        assertTrue(features.install("dslr").alreadyInstalled(), "its bundle is part of the server already");
        // a bundle a feature names but that came from elsewhere is its installer's to remove
        long gphoto2 = framework.bundle("org.obscura.driver.gphoto2").id;
        assertTrue(features.neededBy(framework.context.getBundle(gphoto2)).isEmpty());
        Features.Outcome o = features.uninstall("dslr");
        assertTrue(o.bundles().isEmpty());
        assertTrue(o.kept().get(0).contains("not installed from the repository"), o.kept().get(0));
        assertEquals("uninstalled", installer.uninstall(gphoto2, true).state());

        features.install("lights");
        installer.install(FakeFramework.bundleJar(dir, "org.acme.user", "1.0.0", "Import-Package", "org.obscura.lights.spi"),
                true);
        CameraException e = refused(Kind.CONFLICT, () -> features.uninstall("lights"));
        assertTrue(e.getMessage().contains("used by org.acme.user"), e.getMessage());
        assertNotNull(framework.bundle("org.obscura.lights.gpio"), "nothing removed");
    }

    @Test
    void circularRequirementsAreReported() throws Exception {
        feature("a", "{\"bundles\": [\"x\"], \"requires\": [\"b\"]}");
        feature("b", "{\"bundles\": [\"y\"], \"requires\": [\"a\"]}");
        assertTrue(refused(Kind.CONFLICT, () -> features.install("a")).getMessage().contains("circle"));
    }

    @Test
    void theShellCommandsPrintEachStepAsItIsTakenThenTheOutcome() {
        FeatureCommands shell = new FeatureCommands(plugins);
        assertTrue(shell.list().startsWith("FEATURE"), shell.list());
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        java.io.PrintStream was = System.out;
        String installed;
        try {
            // Gogo gives a command's thread the session's System.out; here it is this buffer
            System.setOut(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
            installed = shell.install("lights");
        } finally {
            System.setOut(was);
        }
        assertEquals("feature 'lights' installed: 1 bundle from the repository, 1 configuration created", installed);
        List<String> lines = printed.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        assertEquals(List.of(
                "  resolving feature 'lights': bundles org.obscura.lights.gpio",
                "  installing org.obscura.lights.gpio 0.1.0 from repository/org.obscura.lights.gpio-0.1.0.jar",
                "  configuration org.obscura.lights.gpio created",
                "  resolving org.obscura.lights.gpio 0.1.0",
                "  starting org.obscura.lights.gpio (id " + framework.bundle("org.obscura.lights.gpio").id + ")"), lines);
        assertEquals("feature 'lights' is already installed", shell.install("lights"));
        assertTrue(shell.install("dslr").startsWith("error: feature 'dslr' needs bundle"), shell.install("dslr"));
        assertEquals("feature 'lights' uninstalled: 1 bundle removed", shell.uninstall("lights"));
        assertTrue(shell.list().lines().noneMatch(l -> l.endsWith(" ")), "no trailing spaces");
    }

    /** A progress whose steps (and the operation each came from) are recorded as they happen. */
    private Progress recorded(String operation, String target, List<String> heard) {
        return new Progress(operation, target, List.of((op, step) -> heard.add(step.index() + " " + step.state()
                + " " + step.message())));
    }

    @Test
    void anInstallReportsEachStepInOrderAndEndsDone() {
        List<String> heard = new ArrayList<>();
        Progress progress = recorded(Progress.FEATURE_INSTALL, "lab", heard);
        features.install("lab", progress);
        long gpio = framework.bundle("org.obscura.lights.gpio").id;
        long sequencer = framework.bundle("org.obscura.sequencer").id;
        assertEquals(List.of(
                "1 RUNNING resolving feature 'lab' with the feature it requires (lights): bundles org.obscura.lights.gpio, "
                        + "org.obscura.sequencer",
                "2 RUNNING installing org.obscura.lights.gpio 0.1.0 from repository/org.obscura.lights.gpio-0.1.0.jar",
                "3 RUNNING installing org.obscura.sequencer 0.1.0 from repository/org.obscura.sequencer-0.1.0.jar",
                "4 RUNNING configuration org.obscura.lights.gpio created",
                "5 RUNNING configuration org.obscura.driver.testpattern.camera~lab created",
                "6 RUNNING resolving org.obscura.lights.gpio 0.1.0, org.obscura.sequencer 0.1.0",
                "7 RUNNING starting org.obscura.lights.gpio (id " + gpio + ")",
                "8 RUNNING starting org.obscura.sequencer (id " + sequencer + ")",
                "9 DONE feature 'lab' installed: 2 bundles from the repository, 2 configurations created"), heard);
        assertTrue(progress.finished());
        assertEquals(heard.size(), progress.texts().size(), "the answer lists every step");

        List<String> again = new ArrayList<>();
        features.install("lab", recorded(Progress.FEATURE_INSTALL, "lab", again));
        assertEquals(List.of("1 DONE feature 'lab' is already installed"), again);
    }

    @Test
    void aFailedInstallReportsTheStepThatFailedWhatWasUndoneAndTheReason() throws Exception {
        feature("needy", "{\"bundles\": [\"org.obscura.lights.gpio\", \"org.acme.needy\"],"
                + " \"configurations\": {\"org.acme.needy\": {\"x\": 1}}}");
        FakeFramework.bundleJar(repository, "org.acme.needy", "1.0.0", "Import-Package", "org.acme.absent");
        List<String> heard = new ArrayList<>();
        Progress progress = recorded(Progress.FEATURE_INSTALL, "needy", heard);
        CameraException e = refused(Kind.CONFLICT, () -> features.install("needy", progress));
        assertEquals("5 RUNNING resolving org.obscura.lights.gpio 0.1.0, org.acme.needy 1.0.0", heard.get(4), heard::toString);
        assertEquals("6 RUNNING undoing the install: removing org.obscura.lights.gpio, org.acme.needy, configuration "
                + "org.acme.needy", heard.get(5), heard::toString);
        assertEquals("7 FAILED " + e.getMessage(), heard.get(6));
        assertEquals(7, heard.size(), heard::toString);
        assertTrue(e.getMessage().contains("package org.acme.absent"), e.getMessage());
        assertEquals("failed: " + e.getMessage(), progress.texts().get(6));
        assertNull(framework.bundle("org.acme.needy"));
    }

    @Test
    void anUninstallRefusedForADependentFeatureNamesItAndEndsFailed() {
        features.install("lab");
        List<String> heard = new ArrayList<>();
        refused(Kind.CONFLICT, () -> features.uninstall("lights", recorded(Progress.FEATURE_UNINSTALL, "lights", heard)));
        assertEquals(List.of("1 FAILED the installed feature 'lab' requires 'lights': uninstall 'lab' first"), heard);
        List<String> removed = new ArrayList<>();
        features.uninstall("lab", recorded(Progress.FEATURE_UNINSTALL, "lab", removed));
        assertTrue(removed.get(0).startsWith("1 RUNNING keeping org.obscura.lights.gpio (also in the installed feature 'lights')"),
                removed::toString);
        assertTrue(removed.get(1).startsWith("2 RUNNING stopping and uninstalling org.obscura.sequencer 0.1.0 (id "),
                removed::toString);
        assertEquals("3 DONE feature 'lab' uninstalled: 1 bundle removed, 1 kept", removed.get(2));
    }

    @Test
    void progressEndsOnceAndAFailingListenerDoesNotStopTheOperation() {
        List<String> heard = new ArrayList<>();
        Progress progress = new Progress(Progress.BUNDLE_INSTALL, null, List.of((op, step) -> {
            throw new IllegalStateException("a broken watcher");
        }, (op, step) -> heard.add(step.text())));
        progress.step("one");
        progress.failed("it broke");
        progress.done("too late");
        progress.step("also too late");
        assertEquals(List.of("one", "failed: it broke"), heard);
        assertEquals(heard, progress.texts());
        Map<String, Object> event = progress.eventProperties(progress.steps().get(1));
        assertEquals(progress.id(), event.get("id"));
        assertEquals(Progress.BUNDLE_INSTALL, event.get("operation"));
        assertFalse(event.containsKey("target"));
        assertEquals(2, event.get("step"));
        assertEquals("it broke", event.get("message"));
        assertEquals("failed", event.get("state"));
    }

    @Test
    void theStartListFileIsATypedFileInstallConfiguration() throws Exception {
        Path file = dir.resolve("conf/org.obscura.features.config");
        Plugins.writeConfigFile(file, new String[] { "lab", "odd\"name" });
        assertEquals("features = [\"lab\", \"odd\\\"name\"]", Files.readAllLines(file).get(1));
        assertTrue(Files.list(file.getParent()).count() == 1, "no temporary file left");
    }

    @Test
    void theFeatureFilesOfTheRepositoryAreValid() {
        Path shipped = Path.of("../../features").toAbsolutePath().normalize();
        Map<String, FeatureCatalog.Entry> entries = new FeatureCatalog(shipped, repository).entries();
        assertTrue(entries.size() >= 5, "features in " + shipped + ": " + entries.keySet());
        for (FeatureCatalog.Entry e : entries.values()) {
            assertNull(e.problem(), e.name() + ": " + e.problem());
            for (String r : e.definition().requires()) {
                assertTrue(entries.containsKey(r), e.name() + " requires the unknown feature " + r);
            }
        }
    }
}
