package org.obscura.camera.core.internal.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.obscura.camera.api.CameraConfig;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CaptureResult;
import org.obscura.camera.api.CapturedImage;
import org.obscura.camera.api.ImageStore;
import org.obscura.camera.api.Page;
import org.obscura.camera.api.StoredCapture;
import org.obscura.camera.core.internal.Failures;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The image store on the local file system. Every path is checked twice: lexically (relative, no {@code ..},
 * no backslash, NUL or empty segment, inside the root after normalisation) and physically (the real path of the
 * nearest existing ancestor must lie inside the real data dir, so a symbolic link inside the data dir cannot
 * lead out of it).
 *
 * <p>Every write is a temporary file in the target's folder (hidden name), written, forced to disk and renamed
 * over the target atomically; the temporary file is deleted on any failure. A capture is its JPEG, then its
 * sidecar: a reader that sees a sidecar can rely on its image.
 *
 * <p>Listings sort by the capture time encoded in the file name ({@code <camera>_<yyyyMMdd-HHmmss-SSS>[-n].jpg},
 * local time) and fall back to the modification time for other names; sidecars are not read, so a listing
 * costs one directory scan plus one {@code stat} per file on the page.
 */
@Component(service = ImageStore.class, configurationPid = FileImageStore.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = FileImageStore.Config.class)
public final class FileImageStore implements ImageStore {

    /** Configuration PID of the store. */
    public static final String PID = "org.obscura.camera.core.store";
    /** Environment variable that overrides the configured data dir when set. */
    public static final String DATA_DIR_ENV = "OBSCURA_DATA_DIR";

    static final String CAPTURES = "captures";
    /** Capture file names: no leading dot (temporary files are hidden), no "..", '.jpg' only. */
    static final Pattern FILE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*(?:\\.[A-Za-z0-9_-]+)*\\.jpg");
    private static final int MAX_FILE_NAME = 200;
    private static final Pattern STAMPED = Pattern.compile("(.+)_(\\d{8}-\\d{6}-\\d{3})(?:-(\\d{1,9}))?\\.jpg");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS");
    private static final Set<String> CORE_KEYS = Set.of("camera", "file", "width", "height", "size", "timestamp",
            "monotonicNanos");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Logger LOG = LoggerFactory.getLogger(FileImageStore.class);

    @ObjectClassDefinition(name = "Obscura image store", description = "Where captures are stored.")
    public @interface Config {
        @AttributeDefinition(name = "Data dir", description = "Folder holding captures and image sets; relative "
                + "paths are relative to the server's working directory. The environment variable "
                + DATA_DIR_ENV + " overrides it.")
        String data_dir() default "data";
    }

    private final Path root;
    private final ZoneId zone;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Capture names being written now, so that two stills of the same millisecond get different names. */
    private final Set<String> reserved = new HashSet<>();

    @Activate
    public FileImageStore(Config config) {
        this(dataDir(config.data_dir(), System.getenv(DATA_DIR_ENV)), ZoneId.systemDefault());
        LOG.info("data dir: {}", root);
    }

    /**
     * @param root the data dir
     * @param zone time zone of the times in capture file names
     */
    public FileImageStore(Path root, ZoneId zone) {
        this.root = root.toAbsolutePath().normalize();
        this.zone = zone;
        try {
            Files.createDirectories(this.root);
        } catch (IOException e) {
            LOG.warn("cannot create the data dir {}: {}", this.root, e.toString());
        }
    }

    /** The data dir: the environment's if set, else the configured one, else {@code data}; absolute. */
    static Path dataDir(String configured, String environment) {
        String chosen = environment != null && !environment.isBlank() ? environment
                : configured != null && !configured.isBlank() ? configured : "data";
        return Path.of(chosen).toAbsolutePath().normalize();
    }

    @Override
    public Path root() {
        return root;
    }

    // ---- paths ------------------------------------------------------------------------------------------

    @Override
    public Path resolve(String relative) {
        if (relative == null || relative.isEmpty()) {
            throw CameraException.invalid("path", "a path inside the data dir is required");
        }
        if (relative.indexOf('\0') >= 0) {
            throw CameraException.invalid("path", "path must not contain NUL characters");
        }
        if (relative.indexOf('\\') >= 0) {
            throw CameraException.invalid("path", "path must use '/' separators, not backslashes: '" + relative + "'");
        }
        if (relative.startsWith("/")) {
            throw CameraException.invalid("path", "path must be relative to the data dir: '" + relative + "'");
        }
        for (String segment : relative.split("/", -1)) {
            if (segment.isEmpty()) {
                throw CameraException.invalid("path", "path must not contain empty segments: '" + relative + "'");
            }
            if (segment.equals("..") || segment.equals(".")) {
                throw CameraException.invalid("path", "path must not contain '.' or '..' segments: '" + relative + "'");
            }
        }
        Path path;
        try {
            path = root.resolve(relative).normalize();
        } catch (InvalidPathException e) {
            throw CameraException.invalid("path", "not a valid path: '" + relative + "'");
        }
        if (!path.startsWith(root) || path.equals(root)) {
            throw CameraException.invalid("path", "path leads outside the data dir: '" + relative + "'");
        }
        checkReal(path, relative);
        return path;
    }

    /** Refuses a path whose nearest existing ancestor (or itself) really lies outside the real data dir. */
    private void checkReal(Path path, String relative) {
        Path existing = path;
        while (existing != null && existing.startsWith(root) && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null || !existing.startsWith(root)) {
            return; // not even the data dir exists yet: nothing in it can point elsewhere
        }
        try {
            if (!existing.toRealPath().startsWith(root.toRealPath())) {
                throw CameraException.invalid("path", "path leads outside the data dir: '" + relative + "'");
            }
        } catch (IOException e) {
            // A dangling link, or a folder we may not read: refuse rather than write through it.
            throw CameraException.invalid("path", "path cannot be resolved inside the data dir: '" + relative + "'");
        }
    }

    // ---- writing ----------------------------------------------------------------------------------------

    @Override
    public Path write(String relative, byte[] content) {
        Path target = resolve(relative);
        writeAtomically(target, content, relative);
        return target;
    }

    private void writeAtomically(Path target, byte[] content, String relative) {
        Path folder = target.getParent();
        Path temp = null;
        try {
            Files.createDirectories(folder);
            checkReal(folder, relative);
            temp = folder.resolve(".tmp-" + Long.toHexString(RANDOM.nextLong()) + "-" + target.getFileName());
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            temp = null;
            syncFolder(folder);
        } catch (IOException e) {
            throw new CameraException(CameraException.Kind.IO, "could not write '" + relative + "': " + Failures.message(e),
                    e);
        } finally {
            if (temp != null) {
                deleteQuietly(temp);
            }
        }
    }

    /** Makes the rename itself durable. Best effort: not every platform can open a folder for sync. */
    private static void syncFolder(Path folder) {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            LOG.trace("cannot sync folder {}: {}", folder, e.toString());
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", path, e.toString());
        }
    }

    // ---- captures ---------------------------------------------------------------------------------------

    @Override
    public CaptureResult store(CapturedImage image, Map<String, Object> extra) {
        String camera = checkCamera(image.camera());
        String folder = CAPTURES + "/" + camera + "/";
        String name = reserve(folder, camera + "_" + STAMP.format(LocalDateTime.ofInstant(image.timestamp(), zone)));
        String file = name + ".jpg";
        try {
            Map<String, Object> sidecar = new LinkedHashMap<>();
            sidecar.put("camera", camera);
            sidecar.put("file", file);
            sidecar.put("width", image.width());
            sidecar.put("height", image.height());
            sidecar.put("size", image.jpeg().length);
            sidecar.put("timestamp", image.timestamp().toString());
            sidecar.put("monotonicNanos", image.monotonicNanos());
            merge(sidecar, image.metadata());
            merge(sidecar, extra);
            byte[] sidecarBytes = json.writeValueAsBytes(sidecar);

            Path jpeg = resolve(folder + file);
            writeAtomically(jpeg, image.jpeg(), folder + file);
            try {
                writeAtomically(resolve(folder + name + ".json"), sidecarBytes, folder + name + ".json");
            } catch (CameraException e) {
                deleteQuietly(jpeg); // an image without its sidecar would look like a capture with no metadata
                throw e;
            }
        } catch (JsonProcessingException e) {
            throw new CameraException(CameraException.Kind.IO, "could not write the metadata of a capture of camera '"
                    + camera + "': " + Failures.message(e), e);
        } finally {
            synchronized (reserved) {
                reserved.remove(folder + name);
            }
        }
        StoredCapture stored = new StoredCapture(camera, file, folder + file, url(camera, file), folder + name + ".json",
                image.jpeg().length, image.timestamp());
        return new CaptureResult(stored, image.width(), image.height(), image.timestamp(), image.monotonicNanos());
    }

    /** A capture name (without extension) not on disk and not being written, made unique with -1, -2, ... */
    private String reserve(String folder, String base) {
        synchronized (reserved) {
            for (int n = 0;; n++) {
                String name = n == 0 ? base : base + "-" + n;
                if (!reserved.contains(folder + name) && !Files.exists(root.resolve(folder + name + ".jpg"))
                        && !Files.exists(root.resolve(folder + name + ".json"))) {
                    reserved.add(folder + name);
                    return name;
                }
            }
        }
    }

    private static void merge(Map<String, Object> into, Map<String, Object> entries) {
        if (entries != null) {
            JsonValues.plainMap(entries).forEach((key, value) -> {
                if (!CORE_KEYS.contains(key)) {
                    into.put(key, value);
                }
            });
        }
    }

    @Override
    public Page<StoredCapture> captures(String camera, int offset, int limit) {
        if (camera != null) {
            checkCamera(camera);
        }
        if (offset < 0) {
            throw CameraException.invalid("offset", "offset must be 0 or more, got " + offset);
        }
        if (limit < 1 || limit > 1000) {
            throw CameraException.invalid("limit", "limit must be between 1 and 1000, got " + limit);
        }
        List<Listed> all = new ArrayList<>();
        for (String c : camera != null ? List.of(camera) : cameraFolders()) {
            collect(c, all);
        }
        all.sort(NEWEST_FIRST);
        List<StoredCapture> items = new ArrayList<>();
        for (int i = offset; i < all.size() && i < (long) offset + limit; i++) {
            Listed entry = all.get(i);
            stored(entry.camera, entry.file, entry.time).ifPresent(items::add);
        }
        return new Page<>(items, offset, limit, all.size());
    }

    @Override
    public Optional<StoredCapture> capture(String camera, String file) {
        checkCamera(camera);
        checkFile(file);
        resolve(CAPTURES + "/" + camera + "/" + file); // refuses a camera folder that links out of the data dir
        return stored(camera, file, timeFromName(camera, file));
    }

    @Override
    public boolean deleteCapture(String camera, String file) {
        checkCamera(camera);
        checkFile(file);
        String folder = CAPTURES + "/" + camera + "/";
        Path jpeg = resolve(folder + file);
        Path sidecar = resolve(folder + sidecarName(file));
        try {
            boolean existed = Files.deleteIfExists(jpeg);
            Files.deleteIfExists(sidecar);
            return existed;
        } catch (IOException e) {
            throw new CameraException(CameraException.Kind.IO, "could not delete '" + folder + file + "': "
                    + Failures.message(e), e);
        }
    }

    private List<String> cameraFolders() {
        Path captures = root.resolve(CAPTURES);
        List<String> names = new ArrayList<>();
        if (!Files.isDirectory(captures, LinkOption.NOFOLLOW_LINKS)) {
            return names;
        }
        try (DirectoryStream<Path> folders = Files.newDirectoryStream(captures)) {
            for (Path folder : folders) {
                String name = folder.getFileName().toString();
                if (CameraConfig.isValidName(name) && Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
                    names.add(name);
                }
            }
        } catch (IOException e) {
            throw new CameraException(CameraException.Kind.IO, "could not list captures: " + Failures.message(e), e);
        }
        return names;
    }

    private void collect(String camera, List<Listed> into) {
        Path folder = resolve(CAPTURES + "/" + camera);
        if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
            for (Path path : files) {
                String file = path.getFileName().toString();
                if (!validFile(file)) {
                    continue;
                }
                Instant time = timeFromName(camera, file);
                int counter = 0;
                if (time == null) {
                    try {
                        time = Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS).toInstant();
                    } catch (IOException e) {
                        continue; // deleted while we listed
                    }
                } else {
                    Matcher m = STAMPED.matcher(file);
                    counter = m.matches() && m.group(3) != null ? Integer.parseInt(m.group(3)) : 0;
                }
                into.add(new Listed(camera, file, time, counter));
            }
        } catch (IOException e) {
            throw new CameraException(CameraException.Kind.IO, "could not list captures of camera '" + camera + "': "
                    + Failures.message(e), e);
        }
    }

    /** The capture as a record, or empty if it is not a regular file (gone, or a link). */
    private Optional<StoredCapture> stored(String camera, String file, Instant time) {
        String path = CAPTURES + "/" + camera + "/" + file;
        Path jpeg = root.resolve(path);
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(jpeg, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (!attributes.isRegularFile()) {
            return Optional.empty();
        }
        String sidecar = CAPTURES + "/" + camera + "/" + sidecarName(file);
        boolean hasSidecar = Files.isRegularFile(root.resolve(sidecar), LinkOption.NOFOLLOW_LINKS);
        return Optional.of(new StoredCapture(camera, file, path, url(camera, file), hasSidecar ? sidecar : null,
                attributes.size(), time != null ? time : attributes.lastModifiedTime().toInstant()));
    }

    /** The capture time encoded in a name given by {@link #store}, or {@code null} for other names. */
    private Instant timeFromName(String camera, String file) {
        Matcher m = STAMPED.matcher(file);
        if (!m.matches() || !m.group(1).equals(camera)) {
            return null;
        }
        try {
            return ZonedDateTime.ofLocal(LocalDateTime.parse(m.group(2), STAMP), zone, null).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String sidecarName(String file) {
        return file.substring(0, file.length() - ".jpg".length()) + ".json";
    }

    private static String url(String camera, String file) {
        return "/api/v1/captures/" + camera + "/" + file;
    }

    private static String checkCamera(String camera) {
        if (!CameraConfig.isValidName(camera)) {
            throw CameraException.invalid("camera", "'" + camera + "' is not a valid camera name (lower case letters, "
                    + "digits, '_' and '-', starting with a letter or digit)");
        }
        return camera;
    }

    private static void checkFile(String file) {
        if (!validFile(file)) {
            throw CameraException.invalid("file", "'" + file + "' is not a valid capture file name (letters, digits, "
                    + "'_', '-' and single dots, ending in .jpg)");
        }
    }

    private static boolean validFile(String file) {
        return file != null && file.length() <= MAX_FILE_NAME && FILE.matcher(file).matches();
    }

    private static final Comparator<Listed> NEWEST_FIRST = Comparator.comparing((Listed l) -> l.time).reversed()
            .thenComparing(Comparator.comparingInt((Listed l) -> l.counter).reversed())
            .thenComparing(l -> l.camera)
            .thenComparing(Comparator.comparing((Listed l) -> l.file).reversed());

    private record Listed(String camera, String file, Instant time, int counter) {
    }
}
