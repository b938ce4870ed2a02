package org.obscura.plugins.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraException.Kind;
import org.osgi.framework.Bundle;

class BundleInstallerTest {

    @TempDir
    Path dir;

    FakeFramework framework;
    BundleInstaller installer;
    int before;

    @BeforeEach
    void setUp() {
        framework = new FakeFramework();
        installer = new BundleInstaller(framework.context, BundleInstaller.ComponentProbe.NONE, 0);
        before = framework.bundles.size();
    }

    private CameraException refused(Kind kind, Runnable call) {
        CameraException e = assertThrows(CameraException.class, call::run);
        assertEquals(kind, e.kind(), e.getMessage());
        return e;
    }

    @Test
    void installsAndStartsABundle() throws Exception {
        BundleView v = installer.install(FakeFramework.bundleJar(dir, "org.acme.driver", "1.2.0",
                "Import-Package", "org.osgi.framework"), true);
        assertEquals("org.acme.driver", v.symbolicName());
        assertEquals("1.2.0", v.version());
        assertEquals("active", v.state());
        assertEquals(BundleInstaller.UPLOAD_LOCATION + "org.acme.driver", v.location());
        assertEquals(before + 1, framework.bundles.size());
        assertTrue(installer.list().stream().anyMatch(b -> b.id() == v.id()));
    }

    @Test
    void aFileThatIsNotAJarOrNotABundleIsRefusedBeforeInstalling() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.jar"), "just text");
        assertTrue(refused(Kind.INVALID_ARGUMENT, () -> installer.install(text, true)).getMessage().contains("not a jar"));
        Path plain = FakeFramework.jar(dir, "plain.jar", Map.of("Created-By", "hand"));
        CameraException e = refused(Kind.INVALID_ARGUMENT, () -> installer.install(plain, true));
        assertTrue(e.getMessage().contains("not an OSGi bundle") && e.getMessage().contains("Bundle-SymbolicName"),
                e.getMessage());
        assertEquals("bundle", e.field());
        assertEquals(before, framework.bundles.size());
    }

    @Test
    void aBundleThatDoesNotResolveNamesTheMissingPackageAndIsUninstalled() throws Exception {
        Path jar = FakeFramework.bundleJar(dir, "org.acme.needy", "1.0.0",
                "Import-Package", "org.osgi.framework,org.acme.missing.lib;version=\"[1,2)\"");
        CameraException e = refused(Kind.CONFLICT, () -> installer.install(jar, true));
        assertTrue(e.getMessage().contains("does not resolve"), e.getMessage());
        assertTrue(e.getMessage().contains("package org.acme.missing.lib"), e.getMessage());
        assertTrue(!e.getMessage().contains("package org.osgi.framework"), "only what is missing: " + e.getMessage());
        assertEquals(before, framework.bundles.size(), "uninstalled again");
        assertNull(framework.bundle("org.acme.needy"));
    }

    @Test
    void anActivatorThatThrowsIsReportedWithItsMessageAndUninstalled() throws Exception {
        Path jar = FakeFramework.bundleJar(dir, "org.acme.broken", "1.0.0", "X-Fail-Start", "no camera attached");
        CameraException e = refused(Kind.CONFLICT, () -> installer.install(jar, true));
        assertTrue(e.getMessage().contains("activator failed") && e.getMessage().contains("no camera attached"),
                e.getMessage());
        assertEquals(before, framework.bundles.size());
    }

    @Test
    void aFailingComponentIsReportedAndTheBundleUninstalled() throws Exception {
        BundleInstaller probing = new BundleInstaller(framework.context,
                (bundle, settle) -> bundle.getSymbolicName().equals("org.acme.component")
                        ? List.of("org.acme.Camera: java.lang.IllegalArgumentException: bad url") : List.of(), 0);
        Path jar = FakeFramework.bundleJar(dir, "org.acme.component", "1.0.0");
        CameraException e = refused(Kind.CONFLICT, () -> probing.install(jar, true));
        assertTrue(e.getMessage().contains("a component failed to activate") && e.getMessage().contains("bad url"),
                e.getMessage());
        assertEquals(before, framework.bundles.size());
    }

    @Test
    void aSecondBundleOfTheSameNameIsRefusedPointingAtUpdate() throws Exception {
        BundleView first = installer.install(FakeFramework.bundleJar(dir, "org.acme.driver", "1.0.0"), true);
        Path newer = FakeFramework.bundleJar(dir, "org.acme.driver", "1.1.0");
        CameraException e = refused(Kind.CONFLICT, () -> installer.install(newer, true));
        assertTrue(e.getMessage().contains("already installed (id " + first.id() + ")"), e.getMessage());
        BundleView updated = installer.update(first.id(), newer);
        assertEquals("1.1.0", updated.version());
        assertEquals("active", updated.state());
        Path other = FakeFramework.bundleJar(dir, "org.other", "1.0.0");
        assertEquals("bundle", refused(Kind.INVALID_ARGUMENT, () -> installer.update(first.id(), other)).field());
    }

    @Test
    void anUpdateThatNoLongerResolvesSaysWhy() throws Exception {
        BundleView first = installer.install(FakeFramework.bundleJar(dir, "org.acme.driver", "1.0.0"), true);
        Path broken = FakeFramework.bundleJar(dir, "org.acme.driver", "2.0.0", "Import-Package", "org.acme.gone");
        CameraException e = refused(Kind.CONFLICT, () -> installer.update(first.id(), broken));
        assertTrue(e.getMessage().contains("package org.acme.gone") && e.getMessage().contains("stays stopped"),
                e.getMessage());
    }

    @Test
    void startStopAndUninstall() throws Exception {
        BundleView v = installer.install(FakeFramework.bundleJar(dir, "org.acme.driver", "1.0.0"), false);
        assertEquals("resolved", v.state());
        assertEquals("active", installer.start(v.id()).state());
        assertEquals("resolved", installer.stop(v.id()).state());
        assertEquals("uninstalled", installer.uninstall(v.id(), false).state());
        assertEquals(Kind.NOT_FOUND, refused(Kind.NOT_FOUND, () -> installer.start(v.id())).kind());
    }

    @Test
    void theFrameworkThisBundleAndUsedOrNeededBundlesAreProtected() throws Exception {
        refused(Kind.CONFLICT, () -> installer.uninstall(0, true));
        refused(Kind.CONFLICT, () -> installer.stop(framework.self.id));
        BundleView lib = installer.install(FakeFramework.bundleJar(dir, "org.acme.lib", "1.0.0",
                "Export-Package", "org.acme.lib"), true);
        installer.install(FakeFramework.bundleJar(dir, "org.acme.user", "1.0.0", "Import-Package", "org.acme.lib"), true);
        CameraException used = refused(Kind.CONFLICT, () -> installer.uninstall(lib.id(), false));
        assertTrue(used.getMessage().contains("used by org.acme.user") && used.getMessage().contains("force"),
                used.getMessage());
        installer.guard(b -> b.getSymbolicName().equals("org.acme.lib") ? Optional.of("the installed feature 'lab'")
                : Optional.empty());
        CameraException needed = refused(Kind.CONFLICT, () -> installer.uninstall(lib.id(), true));
        assertTrue(needed.getMessage().contains("feature 'lab'"), needed.getMessage());
        installer.guard(null);
        assertEquals("uninstalled", installer.uninstall(lib.id(), true).state());
        assertEquals(Bundle.ACTIVE, framework.bundle("org.acme.user").state);
    }

    @Test
    void theScrProbeReportsFailedActivationsWithTheirFirstLine() throws Exception {
        org.osgi.service.component.runtime.dto.ComponentDescriptionDTO camera =
                new org.osgi.service.component.runtime.dto.ComponentDescriptionDTO();
        camera.name = "org.acme.Camera";
        camera.immediate = true;
        org.osgi.service.component.runtime.dto.ComponentConfigurationDTO failed =
                new org.osgi.service.component.runtime.dto.ComponentConfigurationDTO();
        failed.state = org.osgi.service.component.runtime.dto.ComponentConfigurationDTO.FAILED_ACTIVATION;
        failed.failure = "java.lang.IllegalArgumentException: bad url\n\tat org.acme.Camera.<init>(Camera.java:1)";
        org.osgi.service.component.runtime.dto.ComponentConfigurationDTO active =
                new org.osgi.service.component.runtime.dto.ComponentConfigurationDTO();
        active.state = org.osgi.service.component.runtime.dto.ComponentConfigurationDTO.ACTIVE;
        List<org.osgi.service.component.runtime.dto.ComponentConfigurationDTO> configurations = new java.util.ArrayList<>(
                List.of(active));
        org.osgi.service.component.runtime.ServiceComponentRuntime scr = FakeFramework.proxy(
                org.osgi.service.component.runtime.ServiceComponentRuntime.class, (p, m, a) -> switch (m.getName()) {
                    case "getComponentDescriptionDTOs" -> List.of(camera);
                    case "getComponentConfigurationDTOs" -> configurations;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        Bundle bundle = framework.self.proxy;
        BundleInstaller.ComponentProbe probe = Plugins.probe(scr);
        assertTrue(probe.failures(bundle, 0).isEmpty(), "all active");
        configurations.add(failed);
        assertEquals(List.of("org.acme.Camera: java.lang.IllegalArgumentException: bad url"), probe.failures(bundle, 5000));
    }
}
