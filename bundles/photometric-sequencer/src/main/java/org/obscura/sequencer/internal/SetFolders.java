package org.obscura.sequencer.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.ImageData;
import org.obscura.camera.api.ImageSet;
import org.obscura.camera.api.ImageSetFile;
import org.obscura.camera.api.ImageSets;
import org.obscura.camera.api.ImageStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The image sets on disk. Every name is checked against {@link SetNames} patterns first, then resolved through
 * {@link ImageStore#resolve}, which also refuses what a symbolic link would take out of the data dir; files
 * are only read when they are regular files themselves (not links).
 */
final class SetFolders implements ImageSets {

    private static final Logger LOG = LoggerFactory.getLogger(SetFolders.class);

    private final ImageStore store;
    private final ZoneId zone;
    private final Supplier<String> running;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param running the set a sequence is writing now, or {@code null}
     */
    SetFolders(ImageStore store, ZoneId zone, Supplier<String> running) {
        this.store = store;
        this.zone = zone;
        this.running = running;
    }

    @Override
    public List<ImageSet> sets() {
        Path root = store.resolve(SetNames.SETS);
        List<ImageSet> sets = new ArrayList<>();
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            return sets;
        }
        try (DirectoryStream<Path> folders = Files.newDirectoryStream(root)) {
            for (Path folder : folders) {
                String name = folder.getFileName().toString();
                if (SetNames.SET.matcher(name).matches() && Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
                    sets.add(describe(name, folder));
                }
            }
        } catch (IOException e) {
            throw new CameraException(CameraException.Kind.IO, "could not list the image sets: " + e.getMessage(), e);
        }
        sets.sort(Comparator.comparing(ImageSet::created, Comparator.nullsLast(Comparator.reverseOrder()))
                .thenComparing(ImageSet::name, Comparator.reverseOrder()));
        return sets;
    }

    private ImageSet describe(String name, Path folder) {
        Instant created = SetNames.stampOf(name, zone);
        if (created == null) {
            try {
                created = Files.getLastModifiedTime(folder, LinkOption.NOFOLLOW_LINKS).toInstant();
            } catch (IOException e) {
                created = null;
            }
        }
        int images = 0;
        try {
            images = (int) files(folder).stream().filter(SetNames::isImage).count();
        } catch (IOException e) {
            LOG.warn("cannot list image set {}: {}", name, e.toString());
        }
        return new ImageSet(name, SetNames.SETS + "/" + name, created, images, status(folder));
    }

    private String status(Path folder) {
        Path manifest = folder.resolve(SetNames.MANIFEST);
        if (!Files.isRegularFile(manifest, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try {
            JsonNode status = json.readTree(manifest.toFile()).get("status");
            return status != null && status.isTextual() ? status.asText() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Regular, non-hidden files with acceptable names: images in name (= step) order, then the rest. */
    private static List<String> files(Path folder) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            for (Path p : entries) {
                String file = p.getFileName().toString();
                if (SetNames.FILE.matcher(file).matches() && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    names.add(file);
                }
            }
        }
        names.sort(Comparator.comparing((String f) -> !SetNames.isImage(f)).thenComparing(Comparator.naturalOrder()));
        return names;
    }

    private Path folder(String set) {
        SetNames.checkSet(set);
        return store.resolve(SetNames.SETS + "/" + set);
    }

    @Override
    public List<ImageSetFile> contents(String set) {
        Path folder = folder(set);
        if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            throw CameraException.notFound("image set '" + set + "' does not exist");
        }
        List<ImageSetFile> contents = new ArrayList<>();
        try {
            for (String file : files(folder)) {
                long size;
                try {
                    size = Files.size(folder.resolve(file));
                } catch (NoSuchFileException e) {
                    continue; // deleted while listing
                }
                contents.add(new ImageSetFile(file, SetNames.SETS + "/" + set + "/" + file, size,
                        SetNames.mimeType(file)));
            }
        } catch (IOException e) {
            throw new CameraException(CameraException.Kind.IO, "could not list image set '" + set + "': "
                    + e.getMessage(), e);
        }
        return contents;
    }

    @Override
    public boolean delete(String set) {
        Path folder = folder(set);
        if (set.equals(running.get())) {
            throw new CameraException(CameraException.Kind.CONFLICT, "image set '" + set + "' is being written by a "
                    + "running sequence");
        }
        if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try {
            // walkFileTree does not follow links: a link inside the set is deleted, never what it points to.
            Files.walkFileTree(folder, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new CameraException(CameraException.Kind.IO, "could not delete image set '" + set + "': "
                    + e.getMessage(), e);
        }
        LOG.info("deleted image set {}", set);
        return true;
    }

    @Override
    public ImageData image(String path) {
        String[] parts = path == null ? new String[0] : path.split("/", -1);
        if (parts.length != 3 || !parts[0].equals(SetNames.SETS) || !SetNames.SET.matcher(parts[1]).matches()
                || !SetNames.FILE.matcher(parts[2]).matches()) {
            throw CameraException.invalid("path", "image path must be '" + SetNames.SETS + "/<set>/<file>' inside "
                    + "the sets folder, got '" + path + "'");
        }
        Path file = store.resolve(path);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw CameraException.notFound("image '" + path + "' does not exist");
        }
        try {
            return new ImageData(parts[2], path, SetNames.mimeType(parts[2]), Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw CameraException.notFound("image '" + path + "' does not exist");
        } catch (IOException e) {
            throw new CameraException(CameraException.Kind.IO, "could not read '" + path + "': " + e.getMessage(), e);
        }
    }
}
