package org.obscura.rest.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Reader;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.felix.fileinstall.shaded.util.properties.TypedProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;

/** Configuration changes written back into their conf/ files atomically, in place of FileInstall's write-back. */
class ConfigFileWriteBackTest {

    private static final String HAND_WRITTEN = """
            # The front door camera: keep it at 640 wide, the link is slow.
            name = "front"
            width = I"640"
            # frames per second
            fps = D"12.5"
            tags = ["door", "outside"]
            """;

    @TempDir
    Path dir;

    private final Fakes.ConfigAdmin admin = new Fakes.ConfigAdmin();

    private ConfigurationFiles files() {
        return new ConfigurationFiles(dir, List.of(dir), StandardCharsets.UTF_8, false);
    }

    private Fakes.Config linked(Path file, Map<String, Object> values) {
        Fakes.Config c = admin.stored(Fakes.PID, "front", values);
        c.properties.put(CameraConfigurations.FILEINSTALL_FILENAME, file.toUri().toString());
        return c;
    }

    @SuppressWarnings("unchecked")
    private static final ServiceReference<ConfigurationAdmin> ADMIN_REFERENCE = (ServiceReference<ConfigurationAdmin>) Proxy
            .newProxyInstance(ConfigFileWriteBackTest.class.getClassLoader(), new Class<?>[] {ServiceReference.class},
                    (proxy, method, args) -> null);

    private static ConfigurationEvent event(int type, Fakes.Config c) {
        return new ConfigurationEvent(ADMIN_REFERENCE, type, c.factoryPid, c.pid);
    }

    private static TypedProperties read(Path file) throws Exception {
        TypedProperties p = new TypedProperties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        return p;
    }

    private static Object fileKey(Path file) throws Exception {
        return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    }

    @Test
    void aChangedValueIsWrittenIntoTheFileByReplacingItKeepingItsComments() throws Exception {
        Path file = Files.writeString(dir.resolve(Fakes.PID + "-front.config"), HAND_WRITTEN);
        Fakes.Config c = linked(file, Map.of("name", "front", "width", 640, "fps", 12.5,
                "tags", new String[] {"door", "outside"}));
        ConfigFileWriteBack writeBack = new ConfigFileWriteBack(admin, files(), (n, k, v) -> null);
        Object before = fileKey(file);

        c.properties.put("width", 1280);
        c.properties.put("tags", new String[] {"door"});
        writeBack.configurationEvent(event(ConfigurationEvent.CM_UPDATED, c));

        TypedProperties back = read(file);
        assertEquals(1280, back.get("width"));
        assertEquals(12.5, back.get("fps"));
        assertArrayEquals(new String[] {"door"}, (Object[]) back.get("tags"));
        assertFalse(back.containsKey(CameraConfigurations.FILEINSTALL_FILENAME), "internal keys stay out of the file");
        String text = Files.readString(file);
        assertTrue(text.contains("# The front door camera: keep it at 640 wide"), text);
        assertTrue(text.contains("# frames per second"), text);
        // Replaced by a rename, not rewritten in place: a new file, and no temporary file left behind.
        assertNotEquals(before, fileKey(file));
        try (Stream<Path> all = Files.list(dir)) {
            assertEquals(List.of(file), all.toList());
        }
    }

    @Test
    void aFileThatAlreadyHoldsTheValuesIsNotTouched() throws Exception {
        Path file = Files.writeString(dir.resolve(Fakes.PID + "-front.config"), HAND_WRITTEN);
        Fakes.Config c = linked(file, Map.of("name", "front", "width", 640, "fps", 12.5,
                "tags", new String[] {"door", "outside"}));
        Object before = fileKey(file);

        new ConfigFileWriteBack(admin, files(), (n, k, v) -> null).configurationEvent(event(ConfigurationEvent.CM_UPDATED, c));

        assertEquals(before, fileKey(file));
        assertEquals(HAND_WRITTEN, Files.readString(file));
    }

    @Test
    void aRemovedValueIsRemovedFromTheFile() throws Exception {
        Path file = Files.writeString(dir.resolve(Fakes.PID + "-front.config"), HAND_WRITTEN);
        Fakes.Config c = linked(file, Map.of("name", "front", "width", 640, "fps", 12.5,
                "tags", new String[] {"door", "outside"}));
        ConfigFileWriteBack writeBack = new ConfigFileWriteBack(admin, files(), (n, k, v) -> null);

        c.properties.remove("fps");
        writeBack.configurationEvent(event(ConfigurationEvent.CM_UPDATED, c));

        TypedProperties back = read(file);
        assertFalse(back.containsKey("fps"));
        assertEquals(640, back.get("width"));
    }

    @Test
    void deletingALinkedConfigurationDeletesItsFile() throws Exception {
        Path file = Files.writeString(dir.resolve(Fakes.PID + "-front.config"), HAND_WRITTEN);
        Fakes.Config c = linked(file, Map.of("name", "front"));
        // Known from the start (listed at activation), as after a restart.
        ConfigFileWriteBack writeBack = new ConfigFileWriteBack(admin, files(), (n, k, v) -> null);

        admin.configurations.remove(c.pid);
        writeBack.configurationEvent(event(ConfigurationEvent.CM_DELETED, c));

        assertFalse(Files.exists(file));
    }

    @Test
    void filesOutsideTheWatchedFoldersAreNeverWritten() throws Exception {
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Path file = Files.writeString(elsewhere.resolve(Fakes.PID + "-front.config"), HAND_WRITTEN);
        Fakes.Config c = linked(file, Map.of("name", "front", "width", 320));
        ConfigurationFiles conf = new ConfigurationFiles(dir.resolve("conf"), List.of(dir.resolve("conf")),
                StandardCharsets.UTF_8, false);

        // One instance, made while the configuration exists: neither its listing at activation nor the update
        // may adopt a file outside the watched folders, so the deletion must not remove it either.
        ConfigFileWriteBack writeBack = new ConfigFileWriteBack(admin, conf, (n, k, v) -> null);
        writeBack.configurationEvent(event(ConfigurationEvent.CM_UPDATED, c));
        admin.configurations.remove(c.pid);
        writeBack.configurationEvent(event(ConfigurationEvent.CM_DELETED, c));

        assertEquals(HAND_WRITTEN, Files.readString(file));
    }

    @Test
    void doesNothingWhenFileInstallWritesBackItself() throws Exception {
        Path file = Files.writeString(dir.resolve(Fakes.PID + "-front.config"), HAND_WRITTEN);
        Fakes.Config c = linked(file, Map.of("name", "front", "width", 320));

        new ConfigFileWriteBack(admin, null, (n, k, v) -> null).configurationEvent(event(ConfigurationEvent.CM_UPDATED, c));

        assertEquals(HAND_WRITTEN, Files.readString(file));
    }
}
