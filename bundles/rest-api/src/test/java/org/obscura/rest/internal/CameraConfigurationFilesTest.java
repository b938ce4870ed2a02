package org.obscura.rest.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.felix.fileinstall.shaded.util.properties.TypedProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obscura.camera.api.CameraException;
import org.osgi.service.cm.Configuration;

/** Camera configurations kept as files in conf/ as well as in ConfigAdmin (the server under FileInstall). */
class CameraConfigurationFilesTest {

    @TempDir
    Path dir;

    private final Fakes.ConfigAdmin admin = new Fakes.ConfigAdmin();

    private Path conf() {
        return dir.resolve("conf");
    }

    private CameraConfigurations configurations(boolean writeBack) {
        return new CameraConfigurations(admin, new ConfigurationFiles(conf(), List.of(conf(), dir.resolve("deploy")),
                StandardCharsets.ISO_8859_1, writeBack));
    }

    private Path fileOf(String name) {
        return conf().resolve(Fakes.PID + "-" + name + ".config");
    }

    private static Map<String, Object> camera(String name, int width) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("name", name);
        p.put("label", "Front door");
        p.put("width", width);
        p.put("fps", 12.5);
        p.put("enabled", true);
        return p;
    }

    @Test
    void createWritesTheFileThenTheLinkedConfiguration() throws Exception {
        Configuration c = configurations(true).create(Fakes.PID, "front-door", camera("front-door", 640));
        Path file = fileOf("front-door");
        assertEquals(Fakes.PID + "~front-door", c.getPid());
        assertEquals(file.toFile().getCanonicalFile().toURI().toString(),
                c.getProperties().get(CameraConfigurations.FILEINSTALL_FILENAME));
        assertEquals("""
                # Camera 'front-door': factory configuration org.obscura.driver.testpattern.camera~front-door.
                # Values: "text", I"integer", L"long", D"decimal", B"true"; lists like I["1", "2"].

                name = "front-door"
                label = "Front door"
                width = I"640"
                fps = D"12.5"
                enabled = B"true"
                """, Files.readString(file, StandardCharsets.ISO_8859_1));
        // What FileInstall reads from the file equals the configuration, so its scan changes nothing.
        assertEquals(new Hashtable<>(CameraConfigurations.properties(c)), new Hashtable<>(fileInstallReads(file)));
        assertEquals(List.of(file), list(conf()));
    }

    @Test
    void aConfigurationStoreFailureRemovesTheFile() throws Exception {
        admin.failure = new IOException("disk full");
        CameraException e = assertThrows(CameraException.class,
                () -> configurations(true).create(Fakes.PID, "left", camera("left", 640)));
        assertEquals(CameraException.Kind.IO, e.kind());
        assertTrue(e.getMessage().contains("disk full"), e.getMessage());
        assertEquals(List.of(), list(conf()), "no file, no temporary file");
        assertNull(admin.listConfigurations(null));
    }

    @Test
    void aFileFailureCreatesNoConfiguration() throws Exception {
        Files.writeString(dir.resolve("conf"), "a file where the folder should be");
        CameraException e = assertThrows(CameraException.class,
                () -> configurations(true).create(Fakes.PID, "left", camera("left", 640)));
        assertEquals(CameraException.Kind.IO, e.kind());
        assertTrue(e.getMessage().startsWith("could not write "), e.getMessage());
        assertNull(admin.listConfigurations(null));
        assertEquals(0, admin.writes.get());
    }

    @Test
    void aValueTheFileCannotKeepIsRefusedBeforeAnythingIsWritten() throws Exception {
        Map<String, Object> p = camera("left", 640);
        p.put("label", "C:\\cameras");
        CameraException e = assertThrows(CameraException.class, () -> configurations(true).create(Fakes.PID, "left", p));
        assertEquals(CameraException.Kind.INVALID_ARGUMENT, e.kind());
        assertEquals("label", e.field());
        assertFalse(Files.exists(conf()));
        assertEquals(0, admin.writes.get());
    }

    @Test
    void anExistingFileIsNotOverwritten() throws Exception {
        Path cfg = Files.writeString(Files.createDirectories(conf()).resolve(Fakes.PID + "-left.cfg"), "name = left\n");
        CameraException e = assertThrows(CameraException.class,
                () -> configurations(true).create(Fakes.PID, "left", camera("left", 640)));
        assertEquals(CameraException.Kind.CONFLICT, e.kind());
        assertEquals("name = left\n", Files.readString(cfg));
        assertEquals(List.of(cfg), list(conf()));
        assertNull(admin.listConfigurations(null));
    }

    @Test
    void updatesOfALinkedFileAreLeftToFileInstall() throws Exception {
        CameraConfigurations configurations = configurations(true);
        Configuration c = configurations.create(Fakes.PID, "left", camera("left", 640));
        Path file = fileOf("left");
        Files.writeString(file, "# my notes\n" + Files.readString(file));
        String before = Files.readString(file);
        configurations.update(c, camera("left", 1280));
        assertEquals(1280, c.getProperties().get("width"));
        assertEquals(file.toFile().getCanonicalFile().toURI().toString(),
                c.getProperties().get(CameraConfigurations.FILEINSTALL_FILENAME), "the link is kept");
        assertEquals(before, Files.readString(file), "FileInstall writes it back, comments and all");
    }

    @Test
    void updatesWriteTheFileWhenFileInstallDoesNot() throws Exception {
        CameraConfigurations configurations = configurations(false);
        Configuration c = configurations.create(Fakes.PID, "left", camera("left", 640));
        Map<String, Object> next = camera("left", 1280);
        next.put("tags", List.of("a", "b"));
        configurations.update(c, next);
        TypedProperties read = fileInstallReads(fileOf("left"));
        assertEquals(1280, read.get("width"));
        assertArrayEquals(new String[] {"a", "b"}, (String[]) read.get("tags"));
        assertArrayEquals(new String[] {"a", "b"}, (String[]) c.getProperties().get("tags"),
                "the configuration holds what the file holds");
    }

    @Test
    void aConfigurationWithoutFileGetsOneOnUpdate() throws Exception {
        // Created before configurations were kept as files: ConfigAdmin only, no link.
        Fakes.Config c = admin.stored(Fakes.PID, "left", camera("left", 640));
        configurations(true).update(c, camera("left", 800));
        Path file = fileOf("left");
        assertEquals(800, fileInstallReads(file).get("width"));
        assertEquals(file.toFile().getCanonicalFile().toURI().toString(),
                c.properties.get(CameraConfigurations.FILEINSTALL_FILENAME));
    }

    @Test
    void aFailedUpdateLeavesTheFileAsItWas() throws Exception {
        CameraConfigurations configurations = configurations(false);
        Configuration c = configurations.create(Fakes.PID, "left", camera("left", 640));
        String before = Files.readString(fileOf("left"));
        admin.failure = new IOException("store is read-only");
        CameraException e = assertThrows(CameraException.class, () -> configurations.update(c, camera("left", 1280)));
        assertEquals(CameraException.Kind.IO, e.kind());
        assertEquals(before, Files.readString(fileOf("left")));
        assertEquals(640, c.getProperties().get("width"));

        // Without a file before, none after.
        Fakes.Config legacy = admin.stored(Fakes.PID, "right", camera("right", 640));
        assertThrows(CameraException.class, () -> configurations(true).update(legacy, camera("right", 800)));
        assertFalse(Files.exists(fileOf("right")));
        assertEquals(List.of(fileOf("left")), list(conf()));
    }

    @Test
    void deleteRemovesTheConfigurationAndItsFile() throws Exception {
        CameraConfigurations configurations = configurations(true);
        Configuration c = configurations.create(Fakes.PID, "left", camera("left", 640));
        Configuration other = configurations.create(Fakes.PID, "right", camera("right", 640));
        Files.delete(fileOf("right")); // as FileInstall may have done already
        configurations.delete(c);
        configurations.delete(other);
        assertNull(admin.listConfigurations(null));
        assertEquals(List.of(), list(conf()));
    }

    @Test
    void deleteTouchesNoFileOutsideTheWatchedFolders() throws Exception {
        Path elsewhere = Files.writeString(dir.resolve("elsewhere.config"), "name = \"left\"\n");
        Map<String, Object> p = camera("left", 640);
        p.put(CameraConfigurations.FILEINSTALL_FILENAME, elsewhere.toUri().toString());
        Fakes.Config c = admin.stored(Fakes.PID, "left", p);
        configurations(true).delete(c);
        assertNull(admin.listConfigurations(null));
        assertTrue(Files.exists(elsewhere));
    }

    @Test
    void theApiCreatesUpdatesAndDeletesFiles() throws Exception {
        TestApi t = new TestApi(dir.resolve("data"), new ConfigurationFiles(conf(), List.of(conf()),
                StandardCharsets.ISO_8859_1, false));
        Reply created = t.call("POST", "/v1/cameras",
                "{\"driver\": \"testpattern\", \"name\": \"porch-2\", \"width\": 800, \"tags\": [\"a\"]}");
        assertEquals(201, assertInstanceOf(Reply.Json.class, created).status());
        Path file = fileOf("porch-2");
        TypedProperties read = fileInstallReads(file);
        assertEquals("porch-2", read.get("name"));
        assertEquals(800, read.get("width"));
        assertArrayEquals(new String[] {"a"}, (String[]) read.get("tags"));

        assertEquals(200, assertInstanceOf(Reply.Json.class, t.call("PUT", "/v1/cameras/porch-2", "{\"width\": 1024}")).status());
        assertEquals(1024, fileInstallReads(file).get("width"));

        Problem refused = t.problem("PUT", "/v1/cameras/porch-2", "{\"label\": \"a\\\\b\"}");
        assertEquals(400, refused.status());
        assertEquals("label", refused.field());
        assertEquals(1024, fileInstallReads(file).get("width"));

        assertEquals(204, assertInstanceOf(Reply.Empty.class, t.call("DELETE", "/v1/cameras/porch-2")).status());
        assertFalse(Files.exists(file));
    }

    private static TypedProperties fileInstallReads(Path file) throws Exception {
        return ConfigFileFormatTest.fileInstallReads(Files.readString(file, StandardCharsets.ISO_8859_1), Map.of());
    }

    private static List<Path> list(Path folder) throws Exception {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.sorted().toList();
        }
    }
}
