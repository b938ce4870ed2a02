package org.obscura.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obscura.camera.api.CameraException;

class ConfigurationFilesTest {

    @TempDir
    Path dir;

    private ConfigurationFiles files(Path conf) {
        return new ConfigurationFiles(conf, List.of(conf, dir.resolve("deploy")), StandardCharsets.ISO_8859_1, true);
    }

    @Test
    void readsItsSettingsFromTheFrameworkProperties() {
        assertEquals(Optional.empty(), ConfigurationFiles.fromFramework(Map.<String, String>of()::get),
                "without FileInstall configurations stay in ConfigAdmin");
        assertEquals(Optional.empty(), ConfigurationFiles.fromFramework(Map.of("felix.fileinstall.dir", " ")::get));

        ConfigurationFiles plain = ConfigurationFiles.fromFramework(Map.of("felix.fileinstall.dir", "conf,deploy",
                "felix.fileinstall.enableConfigSave", "true")::get).orElseThrow();
        assertEquals(Path.of("conf").toAbsolutePath(), plain.dir(), "the first folder, from the working directory");
        assertEquals(StandardCharsets.ISO_8859_1, plain.charset(), "FileInstall's default encoding");
        assertTrue(plain.writeBack());

        ConfigurationFiles own = ConfigurationFiles.fromFramework(Map.of("felix.fileinstall.dir", " deploy , etc/obscura ",
                "obscura.conf.dir", "etc/obscura", "felix.fileinstall.configEncoding", "UTF-8",
                "felix.fileinstall.enableConfigSave", "false")::get).orElseThrow();
        assertEquals(Path.of("etc/obscura").toAbsolutePath(), own.dir());
        assertEquals(StandardCharsets.UTF_8, own.charset());
        assertFalse(own.writeBack());

        assertFalse(ConfigurationFiles.fromFramework(Map.of("felix.fileinstall.dir", "conf",
                "felix.fileinstall.disableConfigSave", "false")::get).orElseThrow().writeBack(),
                "FileInstall reads its older property the same way");
    }

    @Test
    void namesFilesSoThatFileInstallSplitsThemBack() {
        ConfigurationFiles files = files(dir.resolve("conf"));
        Path file = files.fileFor(Fakes.PID, "front-door-2");
        assertEquals(dir.resolve("conf").resolve(Fakes.PID + "-front-door-2.config"), file);
        // FileInstall: the extension goes at the last '.', the file name splits at the first '-'.
        String pid = file.getFileName().toString().substring(0, file.getFileName().toString().lastIndexOf('.'));
        int dash = pid.indexOf('-');
        assertEquals(Fakes.PID, pid.substring(0, dash));
        assertEquals("front-door-2", pid.substring(dash + 1));

        CameraException dashed = assertThrows(CameraException.class, () -> files.fileFor("org.example.my-driver", "x"));
        assertEquals(CameraException.Kind.UNSUPPORTED, dashed.kind());
        assertEquals(CameraException.Kind.UNSUPPORTED,
                assertThrows(CameraException.class, () -> files.fileFor("../etc", "x")).kind());
        assertEquals(CameraException.Kind.INVALID_ARGUMENT,
                assertThrows(CameraException.class, () -> files.fileFor(Fakes.PID, "../x")).kind());
    }

    @Test
    void keysFilesByTheUriOfTheirCanonicalPath() throws Exception {
        Path real = Files.createDirectories(dir.resolve("real-conf"));
        Path link = Files.createSymbolicLink(dir.resolve("conf"), real);
        ConfigurationFiles files = files(link);
        Path file = files.fileFor(Fakes.PID, "left");
        String expected = new File(real.toFile().getCanonicalFile(), file.getFileName().toString()).toURI().toString();
        assertEquals(expected, files.key(file));
        assertTrue(expected.startsWith("file:/") && expected.endsWith("/real-conf/" + Fakes.PID + "-left.config"));
    }

    @Test
    void followsLinksOnlyToConfigurationFilesInWatchedFolders() throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        ConfigurationFiles files = files(conf);
        Path own = conf.resolve("a-b.config");
        Path deploy = dir.resolve("deploy").resolve("x.cfg");
        assertEquals(Optional.of(own), files.linked(link(files.key(own))));
        assertEquals(Optional.of(deploy), files.linked(link(deploy.toUri().toString())));
        assertEquals(Optional.empty(), files.linked(link(dir.resolve("elsewhere").resolve("a-b.config").toUri().toString())));
        assertEquals(Optional.empty(), files.linked(link(conf.resolve("a-b.jar").toUri().toString())));
        assertEquals(Optional.empty(), files.linked(link("http://example.org/a-b.config")));
        assertEquals(Optional.empty(), files.linked(link("not a uri")));
        assertEquals(Optional.empty(), files.linked(new Hashtable<>()));
        assertEquals(Optional.empty(), files.linked(null));
    }

    private static Hashtable<String, Object> link(String uri) {
        Hashtable<String, Object> d = new Hashtable<>();
        d.put(CameraConfigurations.FILEINSTALL_FILENAME, uri);
        return d;
    }

    @Test
    void writesAtomicallyCreatingTheFolder() throws Exception {
        ConfigurationFiles files = files(dir.resolve("conf"));
        Path file = files.fileFor(Fakes.PID, "left");
        files.write(file, "name = \"Küche\"\n");
        assertEquals("name = \"Küche\"\n", Files.readString(file, StandardCharsets.ISO_8859_1));
        files.write(file, "name = \"left\"\n");
        assertEquals("name = \"left\"\n", Files.readString(file, StandardCharsets.ISO_8859_1));
        assertEquals(List.of(file), list(dir.resolve("conf")), "no temporary file is left");
        files.delete(file);
        files.delete(file);
        assertEquals(List.of(), list(dir.resolve("conf")));
    }

    @Test
    void aFailedWriteLeavesNothingBehind() throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        ConfigurationFiles files = files(conf);
        Path file = files.fileFor(Fakes.PID, "left");
        // A folder in the way of the file: the rename fails after the temporary file was written.
        Files.createDirectories(file.resolve("inside"));
        CameraException e = assertThrows(CameraException.class, () -> files.write(file, "name = \"left\"\n"));
        assertEquals(CameraException.Kind.IO, e.kind());
        assertTrue(e.getMessage().startsWith("could not write "), e.getMessage());
        assertTrue(e.getMessage().contains(Fakes.PID + "-left.config"), e.getMessage());
        assertEquals(List.of(file), list(conf), "only the folder that was there");

        // The configuration folder is a file.
        Path notAFolder = Files.writeString(dir.resolve("plain"), "x");
        ConfigurationFiles broken = files(notAFolder);
        assertEquals(CameraException.Kind.IO, assertThrows(CameraException.class,
                () -> broken.write(broken.fileFor(Fakes.PID, "left"), "x")).kind());
        assertEquals("x", Files.readString(notAFolder));
    }

    @Test
    void findsEitherFileFileInstallWouldReadAsTheConfiguration() throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        ConfigurationFiles files = files(conf);
        assertEquals(Optional.empty(), files.existing(Fakes.PID, "left"));
        Path cfg = Files.writeString(conf.resolve(Fakes.PID + "-left.cfg"), "name=left\n");
        assertEquals(Optional.of(cfg), files.existing(Fakes.PID, "left"));
        Path config = Files.writeString(conf.resolve(Fakes.PID + "-left.config"), "name=\"left\"\n");
        assertEquals(Optional.of(config), files.existing(Fakes.PID, "left"));
    }

    private static List<Path> list(Path folder) throws Exception {
        try (Stream<Path> s = Files.list(folder)) {
            return s.toList();
        }
    }
}
