package org.obscura.driver.testpattern.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

import org.obscura.camera.api.CameraException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A folder of JPEG files played in a loop, in file-name order: the folder-of-JPEGs source. The folder is
 * listed again when its modification time changes (checked at most once a second) and every ten seconds
 * anyway, so files dropped in or removed show up in the loop without a restart. Files that are not JPEGs
 * after all, or that vanish, are skipped.
 *
 * <p>Thread-safe: the stream thread and a still capture may use it at once.
 */
final class JpegFolder {

    /** One file's bytes, untouched, and the size read from its JPEG header. */
    record Image(Path file, byte[] bytes, int width, int height) {
    }

    /** Width and height from a JPEG frame header. */
    record Size(int width, int height) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(JpegFolder.class);
    private static final long RELIST_CHECK_NANOS = 1_000_000_000L;
    /** Listed again this often even when the folder's time did not change (coarse or stale directory times). */
    private static final long RELIST_ANYWAY_NANOS = 10_000_000_000L;

    private final Path dir;
    // all guarded by this
    private List<Path> files = List.of();
    private FileTime listedVersion;
    private long checkedAt;
    private long listedAt;
    private int next;
    private Image current;
    private String lastShown; // file name last returned by next()
    private final Set<Path> reported = new HashSet<>();

    JpegFolder(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    /**
     * The JPEG files directly in {@code dir}: regular, readable, named {@code *.jpg} or {@code *.jpeg} in any
     * case, sorted by file name.
     *
     * @throws IOException when the folder cannot be listed
     */
    static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(JpegFolder::isJpegName).filter(Files::isRegularFile).filter(Files::isReadable)
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        }
    }

    private static boolean isJpegName(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".jpg") || name.endsWith(".jpeg");
    }

    /**
     * The next image of the loop.
     *
     * @throws CameraException UNAVAILABLE when the folder is gone or holds no readable JPEG
     */
    synchronized Image next() {
        Image image = readable();
        next = (next + 1) % files.size();
        current = image;
        lastShown = image.file().getFileName().toString();
        return image;
    }

    /**
     * The image last returned by {@link #next()}; before that, the one {@code next()} will return first
     * (without moving the loop on).
     *
     * @throws CameraException UNAVAILABLE when the folder is gone or holds no readable JPEG
     */
    synchronized Image current() {
        if (current == null) {
            current = readable();
        }
        return current;
    }

    /** The first readable image from the loop position on, moving the position past unreadable files only. */
    private Image readable() {
        refresh();
        for (int attempts = files.size(); attempts > 0; attempts--) {
            Image image = read(files.get(next));
            if (image != null) {
                return image;
            }
            next = (next + 1) % files.size();
        }
        throw new CameraException(CameraException.Kind.UNAVAILABLE,
                "folder '" + dir + "' has no readable JPEG files (*.jpg, *.jpeg)");
    }

    private void refresh() {
        long now = System.nanoTime();
        if (!files.isEmpty() && now - checkedAt < RELIST_CHECK_NANOS) {
            return;
        }
        checkedAt = now;
        try {
            FileTime version = Files.getLastModifiedTime(dir);
            if (!files.isEmpty() && version.equals(listedVersion) && now - listedAt < RELIST_ANYWAY_NANOS) {
                return;
            }
            List<Path> listed = list(dir);
            listedVersion = version;
            listedAt = now;
            // carry on after the file last shown rather than starting the loop again
            int resume = 0;
            if (lastShown != null) {
                while (resume < listed.size()
                        && listed.get(resume).getFileName().toString().compareTo(lastShown) <= 0) {
                    resume++;
                }
            }
            files = listed;
            next = listed.isEmpty() ? 0 : resume % listed.size();
        } catch (IOException e) {
            files = List.of();
            throw new CameraException(CameraException.Kind.UNAVAILABLE,
                    "folder '" + dir + "' cannot be read: " + describe(e), e);
        }
        if (files.isEmpty()) {
            throw new CameraException(CameraException.Kind.UNAVAILABLE,
                    "folder '" + dir + "' has no JPEG files (*.jpg, *.jpeg)");
        }
    }

    /** The file as an image, or {@code null} (reported once per file) when it is unreadable or no JPEG. */
    private Image read(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            Size size = sizeOf(bytes);
            if (size != null) {
                return new Image(file, bytes, size.width(), size.height());
            }
            if (reported.add(file)) {
                LOG.warn("skipping {}: not a JPEG image with a frame header", file);
            }
        } catch (IOException e) {
            // gone or unreadable since the listing: list again next time
            checkedAt = System.nanoTime() - RELIST_CHECK_NANOS;
            listedVersion = null;
            if (reported.add(file)) {
                LOG.warn("skipping {}: {}", file, describe(e));
            }
        }
        return null;
    }

    private static String describe(IOException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
    }

    /**
     * The size in a JPEG's start-of-frame header, or {@code null} when {@code jpeg} does not start like a JPEG
     * file or ends before its frame header.
     */
    static Size sizeOf(byte[] jpeg) {
        int n = jpeg.length;
        if (n < 4 || (jpeg[0] & 0xff) != 0xFF || (jpeg[1] & 0xff) != 0xD8) {
            return null;
        }
        int i = 2;
        while (i + 3 < n) {
            if ((jpeg[i] & 0xff) != 0xFF) {
                return null;
            }
            int marker = jpeg[i + 1] & 0xff;
            if (marker == 0xFF) {
                i++; // fill byte
                continue;
            }
            if (marker == 0x01 || marker >= 0xD0 && marker <= 0xD8) {
                i += 2; // markers without a length
                continue;
            }
            if (marker == 0xD9 || marker == 0xDA) {
                return null; // end of image or scan data before any frame header
            }
            int length = (jpeg[i + 2] & 0xff) << 8 | jpeg[i + 3] & 0xff;
            if (length < 2) {
                return null;
            }
            boolean frameHeader = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8
                    && marker != 0xCC;
            if (frameHeader) {
                if (i + 8 >= n) {
                    return null;
                }
                int height = (jpeg[i + 5] & 0xff) << 8 | jpeg[i + 6] & 0xff;
                int width = (jpeg[i + 7] & 0xff) << 8 | jpeg[i + 8] & 0xff;
                return width > 0 && height > 0 ? new Size(width, height) : null;
            }
            i += 2 + length;
        }
        return null;
    }

    /** Whether {@code dir} is a folder holding at least one JPEG file with a readable frame header. */
    static boolean holdsJpegs(Path dir) {
        return firstImageSize(dir) != null;
    }

    /** The size of the first readable JPEG in {@code dir} in loop order, or {@code null}. */
    static Size firstImageSize(Path dir) {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try {
            for (Path file : list(dir)) {
                try {
                    Size size = sizeOf(Files.readAllBytes(file));
                    if (size != null) {
                        return size;
                    }
                } catch (IOException e) {
                    // not readable: try the next one
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    static List<Path> subfolders(Path root) throws IOException {
        List<Path> result = new ArrayList<>();
        try (Stream<Path> entries = Files.list(root)) {
            entries.filter(Files::isDirectory).sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .forEach(result::add);
        }
        return result;
    }
}
