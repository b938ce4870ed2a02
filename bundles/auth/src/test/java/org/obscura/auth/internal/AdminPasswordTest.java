package org.obscura.auth.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminPasswordTest {

    private static final Pattern SHOWN = Pattern.compile("Obscura admin password: (\\S+)");

    @TempDir
    Path dir;
    private final List<String> banners = new ArrayList<>();

    private static String shownPassword(String banner) {
        Matcher m = SHOWN.matcher(banner);
        assertTrue(m.find(), banner);
        return m.group(1);
    }

    @Test
    void firstStartGeneratesAnnouncesOnceAndStoresOnlyTheHash() throws Exception {
        Path conf = dir.resolve("conf");
        AdminPassword passwords = new AdminPassword(null, null, conf, banners::add);
        AdminPassword.Resolved first = passwords.resolve(null);

        assertEquals(1, banners.size());
        String password = shownPassword(banners.get(0));
        assertTrue(password.length() >= 20);
        assertTrue(banners.get(0).contains("shown once"), banners.get(0));
        assertTrue(first.hash().matches(password));

        Path file = conf.resolve("org.obscura.auth.cfg");
        String text = Files.readString(file, StandardCharsets.UTF_8);
        assertFalse(text.contains(password), "the file must not hold the password itself");
        String stored = AdminPassword.readProperty(file);
        assertTrue(stored.startsWith(PasswordHash.PBKDF2_PREFIX), stored);
        assertTrue(PasswordHash.parse(stored).matches(password));
        try (var leftovers = Files.list(conf)) {
            assertEquals(List.of(file), leftovers.toList(), "no temporary file is left behind");
        }

        // The same run without a configured password (FileInstall not there yet) keeps it, silently.
        assertTrue(passwords.resolve("").hash().matches(password));
        // The next start finds the file before FileInstall has delivered it: no new password.
        AdminPassword next = new AdminPassword(null, null, conf, banners::add);
        assertTrue(next.resolve(null).hash().matches(password));
        // And once FileInstall delivers it, the configuration holds the hash.
        assertTrue(next.resolve(stored).hash().matches(password));
        assertEquals(1, banners.size(), "announced exactly once");
    }

    @Test
    void withoutConfDirThePasswordIsKeptInMemoryAndTheBannerSaysSo() {
        AdminPassword passwords = new AdminPassword(null, null, null, banners::add);
        AdminPassword.Resolved r = passwords.resolve(null);
        assertEquals(1, banners.size());
        assertTrue(banners.get(0).contains("in memory only"), banners.get(0));
        assertTrue(r.hash().matches(shownPassword(banners.get(0))));
        assertTrue(passwords.resolve(null).hash().matches(shownPassword(banners.get(0))));
        assertEquals(1, banners.size());
    }

    @Test
    void theEnvironmentWinsAndIsNeverStored() throws Exception {
        Path conf = dir.resolve("conf");
        AdminPassword passwords = new AdminPassword("from-env", "from-property", conf, banners::add);
        AdminPassword.Resolved r = passwords.resolve("configured");
        assertTrue(r.hash().matches("from-env"));
        assertFalse(r.hash().matches("configured"));
        assertFalse(r.hash().plain());
        assertTrue(r.source().contains("OBSCURA_ADMIN_PASSWORD"));
        assertTrue(banners.isEmpty());
        assertFalse(Files.exists(conf.resolve("org.obscura.auth.cfg")));
    }

    @Test
    void thenTheFrameworkPropertyThenTheConfiguration() {
        assertTrue(new AdminPassword("", "from-property", null, banners::add).resolve("configured").hash()
                .matches("from-property"));
        AdminPassword configuredOnly = new AdminPassword(null, null, dir, banners::add);
        assertTrue(configuredOnly.resolve("configured").hash().matches("configured"));
        String hash = PasswordHash.of("hashed one").stored();
        assertTrue(configuredOnly.resolve(hash).hash().matches("hashed one"));
        assertTrue(banners.isEmpty());
    }

    @Test
    void aMalformedConfiguredHashIsRefusedNamingTheProperty() {
        AdminPassword passwords = new AdminPassword(null, null, dir, banners::add);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> passwords.resolve("{pbkdf2-sha256}broken"));
        assertTrue(e.getMessage().contains("admin.password"), e.getMessage());
    }

    @Test
    void storingKeepsTheFilesOtherLines() throws Exception {
        Path file = dir.resolve("org.obscura.auth.cfg");
        Files.writeString(file, "# mine\nviewing.open=false\nadmin.password = old\nadmin.passwordless=keep\n");
        PasswordHash h = PasswordHash.of("new");
        AdminPassword.store(file, h);
        String text = Files.readString(file);
        assertTrue(text.contains("# mine\nviewing.open=false\n"), text);
        assertTrue(text.contains("admin.passwordless=keep"), text);
        assertFalse(text.contains("= old"), text);
        assertEquals(h.stored(), AdminPassword.readProperty(file));
    }

    @Test
    void confDirIsTheObscuraPropertyElseFileInstallsFirstDir() {
        assertEquals(Path.of("/srv/conf"), AdminPassword.confDir("/srv/conf", "a,b"));
        assertEquals(Path.of("conf").toAbsolutePath(), AdminPassword.confDir(null, "conf,deploy"));
        assertEquals(Path.of("x").toAbsolutePath(), AdminPassword.confDir(" ", " ,x"));
        assertNull(AdminPassword.confDir(null, null));
    }
}
