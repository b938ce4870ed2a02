package org.obscura.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.obscura.itest.ObscuraServer.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Dictionary;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.service.cm.Configuration;

/**
 * Configuration files in conf/ under the real FileInstall: a change made through ConfigAdmin, as the web console
 * or the shell make it, reaches the camera's file by an atomic replacement that keeps the file's comments (rest-api's
 * ConfigFileWriteBack; FileInstall's own in-place write-back is off), and deleting the configuration deletes the
 * file. Runs in itest-plugins.bndrun only, the run with FileInstall.
 */
@ExtendWith(ObscuraServer.Extension.class)
@EnabledIf(value = "org.obscura.itest.PluginsIT#inPluginsRun", disabledReason = "runs in itest-plugins.bndrun only")
class ConfigFilesIT {

    static final String CAMERA = "conf-file";
    static final String COMMENT = "# Hand-written: keep this comment.";

    private ObscuraServer server;
    private Path file;

    @BeforeEach
    void setUp(ObscuraServer server) throws IOException {
        this.server = server;
        file = confDir().resolve(ObscuraServer.TESTPATTERN_FACTORY_PID + "-" + CAMERA + ".config");
    }

    @AfterEach
    void tearDown() throws IOException {
        Files.deleteIfExists(file);
        await("camera " + CAMERA + " gone", () -> configuration() == null);
    }

    @Test
    void aChangeThroughConfigAdminIsWrittenIntoTheFileAtomicallyAndADeletionDeletesIt() throws Exception {
        writeAtomically(file, COMMENT + "\nname = \"" + CAMERA + "\"\nlabel = \"first\"\nfps = I\"5\"\n");
        await("FileInstall reads " + file.getFileName(), () -> configuration() != null);
        Object before = Files.readAttributes(file, BasicFileAttributes.class).fileKey();

        Configuration c = configuration();
        Dictionary<String, Object> properties = c.getProperties();
        properties.put("label", "second");
        c.update(properties);

        await("the new label in " + file.getFileName(), () -> read(file).contains("label = \"second\""));
        String text = read(file);
        assertTrue(text.contains(COMMENT), text);
        assertTrue(text.contains("fps = I\"5\""), text);
        assertNotEquals(before, Files.readAttributes(file, BasicFileAttributes.class).fileKey(),
                "the file was replaced by a rename, not rewritten in place");
        try (Stream<Path> all = Files.list(file.getParent())) {
            List<Path> temporary = all.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
            assertEquals(List.of(), temporary);
        }
        // FileInstall reads the replaced file back and finds it equal: the configuration keeps its value.
        Thread.sleep(1000);
        assertEquals("second", configuration().getProperties().get("label"));

        configuration().delete();
        await(file.getFileName() + " deleted with its configuration", () -> !Files.exists(file));
    }

    private Configuration configuration() {
        try {
            Configuration[] found = server.configAdmin().listConfigurations("(&(service.factoryPid="
                    + ObscuraServer.TESTPATTERN_FACTORY_PID + ")(name=" + CAMERA + "))");
            return found == null ? null : found[0];
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The configuration folder: the first entry of {@code felix.fileinstall.dir}, as on the server (conf,deploy). */
    private Path confDir() throws IOException {
        String dirs = server.context().getProperty("felix.fileinstall.dir");
        assertNotNull(dirs, "felix.fileinstall.dir is not set in this run");
        return Files.createDirectories(Path.of(dirs.split(",")[0].replace("'", "").strip()).toAbsolutePath());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Path temp = file.resolveSibling("." + file.getFileName() + ".part");
        Files.writeString(temp, text, StandardCharsets.UTF_8);
        Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
