package org.obscura.plugins.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.obscura.camera.api.CameraException;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The features on disk ({@code <features dir>/*.json}) and the repository of optional bundle jars
 * ({@code <repository dir>/*.jar}). Both are read on every call, so files added while the server runs count at
 * once; they are small and few.
 */
class FeatureCatalog {

    /** A feature file: its definition, or why it cannot be read. */
    record Entry(String name, FeatureDefinition definition, String problem) {
    }

    /** A jar in the repository. */
    record RepositoryJar(Path path, BundleInstaller.JarIdentity identity) {
    }

    private final Path featuresDir;
    private final Path repositoryDir;
    private final ObjectMapper mapper = new ObjectMapper();

    FeatureCatalog(Path featuresDir, Path repositoryDir) {
        this.featuresDir = featuresDir.toAbsolutePath().normalize();
        this.repositoryDir = repositoryDir.toAbsolutePath().normalize();
    }

    Path featuresDir() {
        return featuresDir;
    }

    Path repositoryDir() {
        return repositoryDir;
    }

    /** Every feature file by name, including those that cannot be read (with their problem). */
    Map<String, Entry> entries() {
        Map<String, Entry> entries = new TreeMap<>();
        if (!Files.isDirectory(featuresDir)) {
            return entries;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(featuresDir, "*.json")) {
            for (Path f : files) {
                String file = f.getFileName().toString();
                String name = file.substring(0, file.length() - ".json".length());
                if (!FeatureDefinition.NAME.matcher(name).matches()) {
                    entries.put(name, new Entry(name, null, "the file name '" + file + "' is not a feature name "
                            + "(lower-case letters, digits, '_' and '-')"));
                    continue;
                }
                try (InputStream in = Files.newInputStream(f)) {
                    entries.put(name, new Entry(name, FeatureDefinition.parse(name, in, mapper), null));
                } catch (IOException e) {
                    entries.put(name, new Entry(name, null, file + ": " + e.getMessage()));
                }
            }
        } catch (IOException e) {
            throw new CameraException(CameraException.Kind.IO, "cannot list the features folder " + featuresDir + ": "
                    + e.getMessage(), e);
        }
        return entries;
    }

    /**
     * One feature.
     *
     * @throws CameraException NOT_FOUND (naming the features there are), CONFLICT when its file is broken
     */
    FeatureDefinition feature(String name) {
        Map<String, Entry> entries = entries();
        Entry e = entries.get(name);
        if (e == null) {
            throw CameraException.notFound("there is no feature '" + name + "'"
                    + (entries.isEmpty() ? " (no features in " + featuresDir + ")" : "; features: "
                            + String.join(", ", entries.keySet())));
        }
        if (e.definition() == null) {
            throw new CameraException(CameraException.Kind.CONFLICT, "feature '" + name + "' cannot be read: " + e.problem());
        }
        return e.definition();
    }

    /** The jar with the highest version of {@code symbolicName} in the repository. */
    Optional<RepositoryJar> jar(String symbolicName) {
        RepositoryJar best = null;
        for (RepositoryJar j : jars()) {
            if (j.identity().symbolicName().equals(symbolicName)
                    && (best == null || j.identity().version().compareTo(best.identity().version()) > 0)) {
                best = j;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Every bundle jar in the repository; files that are not bundles are skipped. */
    List<RepositoryJar> jars() {
        List<RepositoryJar> jars = new ArrayList<>();
        if (!Files.isDirectory(repositoryDir)) {
            return jars;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(repositoryDir, "*.jar")) {
            for (Path f : files) {
                try {
                    jars.add(new RepositoryJar(f, BundleInstaller.identify(f, f.toString())));
                } catch (CameraException notABundle) {
                    // not a bundle: not offered
                }
            }
        } catch (IOException e) {
            throw new CameraException(CameraException.Kind.IO, "cannot list the repository " + repositoryDir + ": "
                    + e.getMessage(), e);
        }
        return jars;
    }

    /** Whether a bundle location is a jar of this repository (so features manage it). */
    boolean fromRepository(String location) {
        return location != null && location.startsWith(repositoryDir.toUri().toString());
    }
}
