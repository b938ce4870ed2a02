package org.obscura.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.obscura.camera.api.CameraException;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.cm.Configuration;

class CameraConfigurationsTest {

    private final Fakes.ConfigAdmin admin = new Fakes.ConfigAdmin();
    private final CameraConfigurations configurations = new CameraConfigurations(admin);

    @Test
    void escapesLdapSpecials() throws Exception {
        assertEquals("a\\*b\\(c\\)d\\\\e", CameraConfigurations.escape("a*b(c)d\\e"));
        // The escaped value is matched literally, not as a wildcard.
        admin.stored(Fakes.PID, "x", Map.of("name", "a*"));
        admin.stored(Fakes.PID, "y", Map.of("name", "ab"));
        assertEquals(List.of(Fakes.PID + "~x"), pids(configurations.named("a*", Set.of(Fakes.PID))));
        FrameworkUtil.createFilter("(name=" + CameraConfigurations.escape("(*)\\") + ")");
    }

    @Test
    void findsByNameOnlyAmongTheGivenFactoryPids() {
        admin.stored(Fakes.PID, "left", Map.of("name", "left"));
        admin.stored("other.factory", "left", Map.of("name", "left"));
        admin.stored(Fakes.PID, "right", Map.of("name", "right"));
        assertEquals(List.of(Fakes.PID + "~left"), pids(configurations.named("left", Set.of(Fakes.PID))));
        assertEquals(List.of(), configurations.named("left", Set.of()));
        assertEquals(List.of(Fakes.PID + "~left", Fakes.PID + "~right"), pids(configurations.all(Set.of(Fakes.PID))));
    }

    @Test
    void createsNamedFactoryConfigurationsWithAnyLocation() {
        Configuration c = configurations.create(Fakes.PID, "left", Map.of("name", "left", "width", 640));
        assertEquals(Fakes.PID + "~left", c.getPid());
        assertEquals(List.of("?"), admin.locations);
        assertEquals(Map.of("name", "left", "width", 640), CameraConfigurations.properties(c));
        CameraException again = assertThrows(CameraException.class,
                () -> configurations.create(Fakes.PID, "left", Map.of("name", "left")));
        assertEquals(CameraException.Kind.CONFLICT, again.kind());
        assertEquals(1, admin.writes.get());
    }

    @Test
    void updatesKeepInternalKeysAndHideThem() throws Exception {
        Fakes.Config c = admin.stored(Fakes.PID, "left",
                Map.of("name", "left", "width", 640, CameraConfigurations.FILEINSTALL_FILENAME, "file:/conf/left.cfg"));
        assertEquals(Map.of("name", "left", "width", 640), CameraConfigurations.properties(c));
        configurations.update(c, Map.of("name", "left", "width", 1280));
        assertEquals("file:/conf/left.cfg", c.properties.get(CameraConfigurations.FILEINSTALL_FILENAME));
        assertEquals(1280, c.properties.get("width"));
        c.delete();
        assertNull(CameraConfigurations.properties(c));
        assertEquals(CameraException.Kind.NOT_FOUND,
                assertThrows(CameraException.class, () -> configurations.update(c, Map.of("name", "left"))).kind());
    }

    @Test
    void internalKeys() {
        assertTrue(CameraConfigurations.isInternal("service.pid"));
        assertTrue(CameraConfigurations.isInternal("service.factoryPid"));
        assertTrue(CameraConfigurations.isInternal("felix.fileinstall.filename"));
        assertTrue(CameraConfigurations.isInternal("component.name"));
        assertTrue(CameraConfigurations.isInternal(".private"));
        assertEquals(false, CameraConfigurations.isInternal("stereo.order"));
    }

    private static List<String> pids(List<Configuration> configurations) {
        return configurations.stream().map(Configuration::getPid).toList();
    }
}
