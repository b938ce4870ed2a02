package org.obscura.auth.internal;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.Properties;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the administrator's password comes from, first found wins:
 * <ol>
 * <li>the environment variable {@value #ENV} (hashed here, never stored);</li>
 * <li>the framework property {@value #FRAMEWORK_PROPERTY} (for test runtimes and {@code -D});</li>
 * <li>the configuration's {@code admin.password} (a hash, or the password in plain text);</li>
 * <li>{@code admin.password} in {@value #FILE_NAME} in the conf dir, read directly: at start-up FileInstall may
 * not have handed the file to ConfigAdmin yet, and a second password must never be generated over it;</li>
 * <li>else a new random password, announced once (a banner in the log) and written, as a PBKDF2 hash only,
 * to {@value #FILE_NAME} in the conf dir (atomically; kept with any other lines of the file), where
 * FileInstall turns it into the configuration. Without a conf dir it lives in memory until the server
 * stops, and the banner says so.</li>
 * </ol>
 * A password generated in memory is kept for this object's life, so a later configuration change without a
 * password does not announce another one. Not thread-safe: the component calls it from activate/modified.
 */
final class AdminPassword {

    static final String ENV = "OBSCURA_ADMIN_PASSWORD";
    static final String FRAMEWORK_PROPERTY = "obscura.admin.password";
    static final String FILE_NAME = AuthService.PID + ".cfg";
    static final String PROPERTY = "admin.password";
    private static final Logger LOG = LoggerFactory.getLogger(AdminPassword.class);
    /** Letters and digits without look-alikes (0/O, 1/l/I): easy to type from a log line. */
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    private static final int GENERATED_LENGTH = 20;

    /** The password and where it came from (for the log; never the password itself). */
    record Resolved(PasswordHash hash, String source) {
    }

    private final String env;
    private final String frameworkProperty;
    private final Path confDir;
    private final Consumer<String> announcer;
    private PasswordHash generated;

    /**
     * @param env               the value of {@value #ENV}, or {@code null}
     * @param frameworkProperty the value of {@value #FRAMEWORK_PROPERTY}, or {@code null}
     * @param confDir           the FileInstall conf dir, or {@code null} when there is none
     * @param announcer         where the one-time banner with a generated password goes
     */
    AdminPassword(String env, String frameworkProperty, Path confDir, Consumer<String> announcer) {
        this.env = env;
        this.frameworkProperty = frameworkProperty;
        this.confDir = confDir;
        this.announcer = announcer;
    }

    /**
     * @param configured the configuration's {@code admin.password}, or {@code null}/empty
     * @throws IllegalArgumentException when a configured hash is malformed (the message says which source)
     */
    Resolved resolve(String configured) {
        if (env != null && !env.isEmpty()) {
            return new Resolved(PasswordHash.of(env), "the environment variable " + ENV);
        }
        if (frameworkProperty != null && !frameworkProperty.isEmpty()) {
            return new Resolved(PasswordHash.of(frameworkProperty), "the framework property " + FRAMEWORK_PROPERTY);
        }
        if (configured != null && !configured.isEmpty()) {
            return new Resolved(parse(configured, PROPERTY + " of configuration " + AuthService.PID),
                    "configuration " + AuthService.PID);
        }
        if (generated != null) {
            return new Resolved(generated, "the password generated at start");
        }
        Path file = confDir == null ? null : confDir.resolve(FILE_NAME);
        String fromFile = file == null ? null : readProperty(file);
        if (fromFile != null && !fromFile.isEmpty()) {
            return new Resolved(parse(fromFile, PROPERTY + " in " + file), file.toString());
        }
        return generate(file, null);
    }

    /**
     * A generated password kept in memory only, announced: for when the configured one cannot be used (a
     * malformed hash), so that the server is not left open and the configured value is not overwritten.
     */
    Resolved fallback() {
        if (generated != null) {
            return new Resolved(generated, "the password generated at start");
        }
        return generate(null, "admin.password is malformed (see the error above), so this password is kept in "
                + "memory only, until admin.password is fixed.");
    }

    private Resolved generate(Path file, String why) {
        SecureRandom random = new SecureRandom();
        StringBuilder password = new StringBuilder(GENERATED_LENGTH);
        for (int i = 0; i < GENERATED_LENGTH; i++) {
            password.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        PasswordHash hash = PasswordHash.of(password.toString());
        generated = hash;
        String kept;
        if (why != null) {
            kept = why;
        } else if (file == null) {
            kept = "There is no conf dir (set obscura.conf.dir or felix.fileinstall.dir), so it is kept in memory "
                    + "only and a new one is generated at the next start.";
        } else {
            try {
                store(file, hash);
                kept = "Its hash is stored in " + file + ".";
            } catch (IOException | RuntimeException e) {
                LOG.error("Could not store the administrator password's hash in {}; it is kept in memory only", file, e);
                kept = "Storing its hash in " + file + " failed, so it is kept in memory only and a new one is "
                        + "generated at the next start.";
            }
        }
        String line = "*".repeat(78);
        announcer.accept(String.join(System.lineSeparator(), "", line,
                "Obscura admin password: " + password + "   (user: admin; shown once)",
                kept,
                "Change it with admin.password in " + FILE_NAME + " (plain text or a hash) or the environment",
                "variable " + ENV + ".",
                line));
        return new Resolved(hash, "the password generated at this first start");
    }

    private static PasswordHash parse(String value, String where) {
        try {
            PasswordHash hash = PasswordHash.parse(value);
            if (hash.plain()) {
                LOG.warn("{} holds the administrator password in plain text; store a hash instead "
                        + "(the hash this server would store for it: {})", where, PasswordHash.of(value).stored());
            } else if (hash.weak()) {
                LOG.warn("{} is an unsalted SHA-256 hash; a salted {} hash is safer", where, PasswordHash.PBKDF2_PREFIX);
            }
            return hash;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /** {@code admin.password} of a .cfg file, or {@code null} when the file or the property is missing. */
    static String readProperty(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            Properties p = new Properties();
            p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
            return p.getProperty(PROPERTY);
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("Could not read {}: {}", file, e.toString());
            return null;
        }
    }

    /**
     * Writes {@code admin.password=<hash>} into {@code file}, keeping its other lines: a temporary file in the
     * same folder, then a rename, so FileInstall never sees a half-written file.
     */
    static void store(Path file, PasswordHash hash) throws IOException {
        Files.createDirectories(file.getParent());
        StringBuilder text = new StringBuilder();
        if (Files.isRegularFile(file)) {
            for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!l.matches("\\s*admin\\.password\\s*([=:\\s].*)?")) {
                    text.append(l).append('\n');
                }
            }
        } else {
            text.append("# Obscura authentication (see the auth bundle's README). admin.password is the administrator's\n")
                .append("# password: this salted PBKDF2 hash, or replace it with a new password (plain text or hash).\n");
        }
        text.append(PROPERTY).append('=').append(hash.stored()).append('\n');
        // FileInstall ignores names starting with '.', so the temporary file is never read as a configuration.
        Path tmp = Files.createTempFile(file.getParent(), "." + FILE_NAME, ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The conf dir: {@code obscura.conf.dir}, else the first entry of {@code felix.fileinstall.dir}, else none. */
    static Path confDir(String obscuraConfDir, String fileInstallDir) {
        if (obscuraConfDir != null && !obscuraConfDir.isBlank()) {
            return Path.of(obscuraConfDir.strip()).toAbsolutePath();
        }
        if (fileInstallDir != null) {
            for (String entry : fileInstallDir.split(",")) {
                if (!entry.isBlank()) {
                    return Path.of(entry.strip()).toAbsolutePath();
                }
            }
        }
        return null;
    }
}
