package org.obscura.rest.internal;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.obscura.camera.api.CameraConfig;
import org.obscura.camera.api.CameraException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration folder Felix FileInstall watches ({@code conf/}), where camera configurations live as
 * files a person can read, edit and keep under version control.
 *
 * <p>FileInstall reads {@code <pid>.cfg|.config} and, for factory configurations,
 * {@code <factoryPid>-<name>.cfg|.config}: it splits the file name at its FIRST {@code '-'} and reads the
 * file as the named factory configuration {@code <factoryPid>~<name>}. Camera names may contain {@code '-'};
 * factory PIDs must not ({@link #fileFor}). Each configuration it reads carries
 * {@value CameraConfigurations#FILEINSTALL_FILENAME} = the file's URI ({@link #key}); when such a
 * configuration is updated through ConfigAdmin FileInstall writes the values back into that file if it
 * exists (it never creates one), and deletes the file when the configuration is deleted.
 *
 * <p>Files are replaced atomically: the text goes to a hidden temporary file in the same folder (a name
 * FileInstall does not handle: leading dot, {@code .tmp} suffix), is forced to disk and renamed over the
 * target, so FileInstall never reads half a file.
 *
 * <p>Immutable and thread-safe; callers serialise writes to one file.
 */
final class ConfigurationFiles {

    /** Framework property naming the configuration folder; the first FileInstall folder when unset. */
    static final String CONF_DIR = "obscura.conf.dir";
    /** FileInstall's comma-separated watched folders; file-backed configurations need it set. */
    static final String FILEINSTALL_DIR = "felix.fileinstall.dir";
    /** FileInstall's encoding for configuration files (its default: ISO-8859-1). */
    static final String FILEINSTALL_ENCODING = "felix.fileinstall.configEncoding";
    static final String FILEINSTALL_ENABLE_SAVE = "felix.fileinstall.enableConfigSave";
    static final String FILEINSTALL_DISABLE_SAVE = "felix.fileinstall.disableConfigSave";

    private static final Logger LOG = LoggerFactory.getLogger(ConfigurationFiles.class);
    /** Factory PIDs FileInstall can read back from a file name: no '-', nothing a path would interpret. */
    private static final Pattern FACTORY_PID = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.]*");
    private static final String SUFFIX = ".config";

    private final Path dir;
    private final List<Path> watched;
    private final Charset charset;
    private final boolean writeBack;
    private final Path base;

    /**
     * @param dir       where new configuration files go (absolute)
     * @param watched   every folder FileInstall watches (absolute); files elsewhere are never touched
     * @param charset   the encoding FileInstall reads and writes configuration files in
     * @param writeBack whether FileInstall writes ConfigAdmin updates back into their files
     */
    ConfigurationFiles(Path dir, List<Path> watched, Charset charset, boolean writeBack) {
        this.dir = dir.toAbsolutePath().normalize();
        List<Path> all = new ArrayList<>();
        for (Path w : watched) {
            all.add(w.toAbsolutePath().normalize());
        }
        if (!all.contains(this.dir)) {
            all.add(this.dir);
        }
        this.watched = List.copyOf(all);
        this.charset = charset;
        this.writeBack = writeBack;
        this.base = Path.of("").toAbsolutePath();
    }

    /**
     * The configuration folder as the framework properties describe it, or empty when FileInstall is not
     * configured ({@value #FILEINSTALL_DIR} unset): then configurations live in ConfigAdmin only. Relative
     * folders are resolved against the working directory, as FileInstall resolves them.
     */
    static Optional<ConfigurationFiles> fromFramework(Function<String, String> property) {
        String dirs = property.apply(FILEINSTALL_DIR);
        if (dirs == null || dirs.isBlank()) {
            return Optional.empty();
        }
        try {
            List<Path> watched = new ArrayList<>();
            for (String d : dirs.split(",")) {
                if (!d.isBlank()) {
                    watched.add(Path.of(d.trim()).toAbsolutePath().normalize());
                }
            }
            if (watched.isEmpty()) {
                return Optional.empty();
            }
            String own = property.apply(CONF_DIR);
            Path dir = own == null || own.isBlank() ? watched.get(0) : Path.of(own.trim()).toAbsolutePath().normalize();
            if (!watched.contains(dir)) {
                LOG.warn("{} {} is not among the FileInstall folders {}: camera files written there are not read back",
                        CONF_DIR, dir, watched);
            }
            String save = property.apply(FILEINSTALL_ENABLE_SAVE);
            if (save == null) {
                save = property.apply(FILEINSTALL_DISABLE_SAVE);
            }
            boolean writeBack = save == null || Boolean.parseBoolean(save.trim());
            return Optional.of(new ConfigurationFiles(dir, watched, charset(property.apply(FILEINSTALL_ENCODING)),
                    writeBack));
        } catch (InvalidPathException e) {
            LOG.error("Camera configurations are kept in ConfigAdmin only: bad folder in {}: {}", FILEINSTALL_DIR,
                    e.getMessage());
            return Optional.empty();
        }
    }

    private static Charset charset(String name) {
        if (name == null || name.isBlank()) {
            return StandardCharsets.ISO_8859_1;
        }
        try {
            return Charset.forName(name.trim());
        } catch (IllegalArgumentException e) {
            LOG.warn("Unknown {} '{}'; writing configuration files in ISO-8859-1", FILEINSTALL_ENCODING, name);
            return StandardCharsets.ISO_8859_1;
        }
    }

    Path dir() {
        return dir;
    }

    Charset charset() {
        return charset;
    }

    /** Whether FileInstall writes configuration updates back into their files. */
    boolean writeBack() {
        return writeBack;
    }

    /**
     * The file of a camera configuration: {@code <dir>/<factoryPid>-<name>.config}.
     *
     * @throws CameraException UNSUPPORTED when FileInstall could not read the factory PID back from a file
     *                         name (it contains {@code '-'}), INVALID_ARGUMENT for a malformed camera name
     */
    Path fileFor(String factoryPid, String name) {
        if (!CameraConfig.isValidName(name)) {
            throw CameraException.invalid(CameraConfig.NAME, "invalid camera name '" + Router.printable(name) + "'");
        }
        if (factoryPid == null || !FACTORY_PID.matcher(factoryPid).matches()) {
            throw new CameraException(CameraException.Kind.UNSUPPORTED, "the cameras of factory PID '"
                    + Router.printable(String.valueOf(factoryPid)) + "' cannot be kept in " + shown(dir)
                    + ": configuration file names cannot carry a factory PID with '-' or special characters");
        }
        return dir.resolve(factoryPid + "-" + name + SUFFIX);
    }

    /**
     * An existing file FileInstall reads as the configuration {@code factoryPid~name}: the {@code .config}
     * file or its {@code .cfg} twin, in the configuration folder.
     */
    Optional<Path> existing(String factoryPid, String name) {
        Path config = fileFor(factoryPid, name);
        if (Files.exists(config)) {
            return Optional.of(config);
        }
        Path cfg = dir.resolve(factoryPid + "-" + name + ".cfg");
        return Files.exists(cfg) ? Optional.of(cfg) : Optional.empty();
    }

    /**
     * The value of {@value CameraConfigurations#FILEINSTALL_FILENAME} for a file, exactly as FileInstall
     * computes it: the file URI of the file under its folder's canonical path.
     */
    String key(Path file) {
        File folder = file.toAbsolutePath().getParent().toFile();
        try {
            folder = folder.getCanonicalFile();
        } catch (IOException e) {
            // FileInstall keeps the path as given when it cannot canonicalise it; so do we.
        }
        return new File(folder, file.getFileName().toString()).getAbsoluteFile().toURI().toString();
    }

    /**
     * The file a configuration is linked to by {@value CameraConfigurations#FILEINSTALL_FILENAME}, if it names
     * a {@code .cfg} or {@code .config} file in a folder FileInstall watches; empty otherwise (no link, or one
     * this class will not touch).
     */
    Optional<Path> linked(Dictionary<String, ?> properties) {
        Object key = properties == null ? null : properties.get(CameraConfigurations.FILEINSTALL_FILENAME);
        if (!(key instanceof String s)) {
            return Optional.empty();
        }
        try {
            URI uri = URI.create(s);
            if (!"file".equalsIgnoreCase(uri.getScheme())) {
                return Optional.empty();
            }
            Path file = Path.of(uri);
            Path folder = file.getParent();
            String name = file.getFileName() == null ? "" : file.getFileName().toString();
            if (folder == null || !name.endsWith(".cfg") && !name.endsWith(SUFFIX)) {
                return Optional.empty();
            }
            File parent = folder.toFile().getCanonicalFile();
            for (Path w : watched) {
                if (w.toFile().getCanonicalFile().equals(parent)) {
                    return Optional.of(file);
                }
            }
            return Optional.empty();
        } catch (IllegalArgumentException | IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Replaces (or creates) a file atomically with {@code text} in {@link #charset()}. On failure the file is
     * as it was and no temporary file is left.
     *
     * @throws CameraException IO naming the file and the cause
     */
    void write(Path file, String text) {
        ByteBuffer bytes;
        try {
            bytes = charset.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(text));
        } catch (CharacterCodingException e) {
            // Values are checked before they are written; text the encoding cannot hold is a bug here.
            throw new IllegalArgumentException("text for " + file + " is not representable in " + charset, e);
        }
        byte[] array = new byte[bytes.remaining()];
        bytes.get(array);
        write(file, array);
    }

    /** {@link #write(Path, String)} for bytes already encoded (e.g. a file's earlier content, restored). */
    void write(Path file, byte[] content) {
        Path folder = file.toAbsolutePath().getParent();
        Path temp = folder.resolve("." + file.getFileName() + "."
                + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
        try {
            Files.createDirectories(folder);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer bytes = ByteBuffer.wrap(content);
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true);
            }
            // A rename within one folder: FileInstall sees the old file or the new one, never a partial one.
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            syncFolder(folder);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException again) {
                e.addSuppressed(again);
            }
            throw new CameraException(CameraException.Kind.IO, "could not write " + shown(file) + ": " + reason(e), e);
        }
    }

    /** Makes the rename itself durable; best effort (not every file system can sync a folder). */
    private static void syncFolder(Path folder) {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("Could not sync folder {}: {}", folder, e.toString());
        }
    }

    /**
     * Deletes a file; one already gone counts as deleted.
     *
     * @throws IOException when it exists and cannot be deleted
     */
    void delete(Path file) throws IOException {
        Files.deleteIfExists(file);
    }

    /** A file's path for messages: relative to the working directory when inside it. */
    String shown(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        return absolute.startsWith(base) && !absolute.equals(base) ? base.relativize(absolute).toString()
                : absolute.toString();
    }

    /** Why a file operation failed, in words, naming the path at fault. */
    String reason(IOException e) {
        if (e instanceof FileSystemException f) {
            String at = f.getFile() == null ? "" : ": " + shown(Path.of(f.getFile()));
            if (e instanceof AccessDeniedException) {
                return "permission denied" + at;
            }
            if (e instanceof NoSuchFileException) {
                return "no such file or folder" + at;
            }
            if (e instanceof FileAlreadyExistsException) {
                return "a file is in the way" + at;
            }
            if (e instanceof DirectoryNotEmptyException) {
                return "a folder is in the way" + at;
            }
            if (e instanceof NotDirectoryException) {
                return "not a folder" + at;
            }
            if (f.getReason() != null) {
                return f.getReason() + at;
            }
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    @Override
    public String toString() {
        return "configuration files in " + dir + " (" + charset.name() + "; FileInstall "
                + (writeBack ? "writes updates back in place" : "reads them; updates are written back atomically by the server") + ")";
    }
}
