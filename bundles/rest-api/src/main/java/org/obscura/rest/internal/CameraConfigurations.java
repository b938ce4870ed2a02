package org.obscura.rest.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.obscura.camera.api.CameraConfig;
import org.obscura.camera.api.CameraException;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Camera configurations in ConfigAdmin: the factory configurations of the drivers' factory PIDs, found by
 * their {@code name} property. New cameras are NAMED factory configurations ({@code <factoryPid>~<name>}) with
 * location {@code "?"}, so whichever bundle provides the driver, now or after an update, may bind them.
 *
 * <p>Only the properties a user can set pass in and out: {@code service.*}, {@code component.*},
 * {@code felix.fileinstall.*} and dot-prefixed (private) keys are kept out of answers and never taken from
 * requests; on update, the internal keys already stored (notably FileInstall's file name, which ties the
 * configuration to its file in {@code conf/}) are carried over.
 *
 * <p>With {@link ConfigurationFiles} (the server runs FileInstall) every camera configuration is also a file,
 * so that it survives a restart and can be edited and versioned by hand:
 * <ul>
 * <li>create: the file {@code conf/<factoryPid>-<name>.config} is written first (atomically), then the
 * configuration, carrying {@value #FILEINSTALL_FILENAME} = the file's URI, which links the two for FileInstall.
 * If the configuration cannot be stored the file is removed again; if the file cannot be written no
 * configuration is created.</li>
 * <li>update of a configuration linked to an existing file: ConfigAdmin only; FileInstall writes the new values
 * back into the file, keeping its comments and layout. A configuration without a file yet (created before
 * files were kept, or FileInstall set not to write back) gets its file written first, as on create.</li>
 * <li>delete: the configuration, then its file (FileInstall deletes it too; whoever comes second finds it
 * gone).</li>
 * </ul>
 * Values a file cannot hold unchanged are refused beforehand ({@link ConfigFileFormat#storable}).
 *
 * <p>Thread-safe as ConfigurationAdmin is; callers serialise read-check-write sequences themselves.
 */
final class CameraConfigurations {

    /** FileInstall's property naming the file a configuration was read from and is written back to. */
    static final String FILEINSTALL_FILENAME = "felix.fileinstall.filename";

    private static final Logger LOG = LoggerFactory.getLogger(CameraConfigurations.class);

    private final ConfigurationAdmin admin;
    private final ConfigurationFiles files;

    /** Configurations in ConfigAdmin only (no FileInstall). */
    CameraConfigurations(ConfigurationAdmin admin) {
        this(admin, null);
    }

    /**
     * @param files the configuration folder FileInstall watches, or {@code null} to keep configurations in
     *              ConfigAdmin only
     */
    CameraConfigurations(ConfigurationAdmin admin, ConfigurationFiles files) {
        this.admin = admin;
        this.files = files;
    }

    /** The configuration folder, when configurations are kept as files. */
    Optional<ConfigurationFiles> files() {
        return Optional.ofNullable(files);
    }

    /**
     * The configurations whose {@code name} is {@code name}, among the given factory PIDs, ordered by PID.
     *
     * @throws CameraException IO when the configuration store fails
     */
    List<Configuration> named(String name, Collection<String> factoryPids) {
        if (factoryPids.isEmpty()) {
            return List.of();
        }
        return list("(&(" + CameraConfig.NAME + "=" + escape(name) + ")" + anyFactory(factoryPids) + ")", factoryPids);
    }

    /** Every configuration of the given factory PIDs, ordered by PID. */
    List<Configuration> all(Collection<String> factoryPids) {
        if (factoryPids.isEmpty()) {
            return List.of();
        }
        return list(anyFactory(factoryPids), factoryPids);
    }

    private List<Configuration> list(String filter, Collection<String> factoryPids) {
        Configuration[] found;
        try {
            found = admin.listConfigurations(filter);
        } catch (IOException e) {
            throw new CameraException(CameraException.Kind.IO, "the configuration store failed: " + e.getMessage(), e);
        } catch (InvalidSyntaxException e) {
            // Every value in the filter is escaped; a syntax error here is a bug, not bad input.
            throw new IllegalStateException("bad configuration filter " + filter, e);
        }
        if (found == null) {
            return List.of();
        }
        List<Configuration> out = new ArrayList<>();
        for (Configuration c : found) {
            if (c.getFactoryPid() != null && factoryPids.contains(c.getFactoryPid())) {
                out.add(c);
            }
        }
        out.sort(Comparator.comparing(Configuration::getPid));
        return out;
    }

    private static String anyFactory(Collection<String> factoryPids) {
        StringBuilder b = new StringBuilder("(|");
        for (String pid : factoryPids) {
            b.append('(').append(ConfigurationAdmin.SERVICE_FACTORYPID).append('=')
                    .append(escape(pid)).append(')');
        }
        return b.append(')').toString();
    }

    /**
     * Creates a camera: the named factory configuration {@code factoryPid~name}, location {@code "?"}, and
     * with files its file {@code conf/<factoryPid>-<name>.config}.
     *
     * @throws CameraException CONFLICT when that configuration or its file exists already, INVALID_ARGUMENT
     *                         for a value a file cannot hold, UNSUPPORTED for a factory PID a file name cannot
     *                         carry, IO when the store or the file fails (nothing is left behind then)
     */
    Configuration create(String factoryPid, String name, Map<String, Object> properties) {
        Map<String, Object> stored = files == null ? properties : ConfigFileFormat.storable(properties, files.charset());
        Path file = files == null ? null : files.fileFor(factoryPid, name);
        Configuration c;
        try {
            c = admin.getFactoryConfiguration(factoryPid, name, "?");
            if (c.getProperties() != null) {
                throw new CameraException(CameraException.Kind.CONFLICT,
                        "a configuration for camera '" + name + "' exists already (" + c.getPid() + ")");
            }
        } catch (IOException e) {
            throw new CameraException(CameraException.Kind.IO,
                    "could not store the configuration of camera '" + name + "': " + e.getMessage(), e);
        }
        Hashtable<String, Object> d = dictionary(stored);
        if (file != null) {
            Optional<Path> taken = files.existing(factoryPid, name);
            if (taken.isPresent()) {
                throw new CameraException(CameraException.Kind.CONFLICT, "the file " + files.shown(taken.get())
                        + " exists already and is read as the configuration " + factoryPid + "~" + name
                        + "; remove it, or fix it if it does not load", CameraConfig.NAME, null);
            }
            files.write(file, ConfigFileFormat.format(header(factoryPid, name), stored));
            d.put(FILEINSTALL_FILENAME, files.key(file));
        }
        try {
            c.update(d);
            return c;
        } catch (IOException | RuntimeException e) {
            if (file != null) {
                removeAfterFailure(file, e);
            }
            if (e instanceof IOException) {
                throw new CameraException(CameraException.Kind.IO,
                        "could not store the configuration of camera '" + name + "': " + e.getMessage(), e);
            }
            throw (RuntimeException) e;
        }
    }

    /**
     * Replaces a camera configuration's user properties, keeping its internal ones. Does nothing (and does
     * not restart the camera) when nothing changed. With files, see the class comment.
     *
     * @throws CameraException NOT_FOUND when it was deleted meanwhile, INVALID_ARGUMENT for a value a file
     *                         cannot hold, CONFLICT when another file claims its file name, IO when the store
     *                         or the file fails (the file is then as it was)
     */
    void update(Configuration c, Map<String, Object> properties) {
        try {
            Dictionary<String, Object> current = c.getProperties();
            Map<String, Object> next = new LinkedHashMap<>(properties);
            if (current != null) {
                for (Enumeration<String> keys = current.keys(); keys.hasMoreElements();) {
                    String key = keys.nextElement();
                    if (isInternal(key) && !key.startsWith("service.")) {
                        next.put(key, current.get(key));
                    }
                }
            }
            if (files == null) {
                c.updateIfDifferent(dictionary(next));
                return;
            }
            Map<String, Object> stored = ConfigFileFormat.storable(next, files.charset());
            Optional<Path> linked = files.linked(current);
            if (linked.isPresent() && files.writeBack() && Files.isRegularFile(linked.get())) {
                // FileInstall writes the change into the file, keeping the comments and layout it has.
                c.updateIfDifferent(dictionary(stored));
                return;
            }
            updateWithFile(c, stored, linked);
        } catch (IllegalStateException e) {
            throw CameraException.notFound("the configuration " + c.getPid() + " was deleted meanwhile");
        } catch (IOException e) {
            throw new CameraException(CameraException.Kind.IO,
                    "could not store configuration " + c.getPid() + ": " + e.getMessage(), e);
        }
    }

    /** An update that writes the file itself first: there is none yet, or FileInstall does not write back. */
    private void updateWithFile(Configuration c, Map<String, Object> stored, Optional<Path> linked) throws IOException {
        Object name = stored.get(CameraConfig.NAME);
        String factoryPid = c.getFactoryPid();
        if (!(name instanceof String n)) {
            throw CameraException.invalid(CameraConfig.NAME, "a camera configuration needs its name");
        }
        Path file;
        if (linked.isPresent()) {
            file = linked.get();
        } else {
            file = files.fileFor(factoryPid, n);
            Optional<Path> taken = files.existing(factoryPid, n);
            if (taken.isPresent()) {
                throw new CameraException(CameraException.Kind.CONFLICT, "the file " + files.shown(taken.get())
                        + " holds another configuration than " + c.getPid() + "; remove it or rename the camera");
            }
        }
        byte[] previous = null;
        if (Files.isRegularFile(file)) {
            try {
                previous = Files.readAllBytes(file);
            } catch (IOException e) {
                throw new CameraException(CameraException.Kind.IO,
                        "could not read " + files.shown(file) + ": " + files.reason(e), e);
            }
        }
        files.write(file, ConfigFileFormat.format(header(factoryPid, n), stored));
        Hashtable<String, Object> d = dictionary(stored);
        d.put(FILEINSTALL_FILENAME, files.key(file));
        try {
            c.updateIfDifferent(d);
        } catch (IOException | RuntimeException e) {
            if (previous == null) {
                removeAfterFailure(file, e);
            } else {
                try {
                    files.write(file, previous);
                } catch (RuntimeException again) {
                    e.addSuppressed(again);
                    LOG.error("Could not restore {} after a failed configuration update", file, again);
                }
            }
            throw e;
        }
    }

    /** The comment heading a camera file. */
    private static List<String> header(String factoryPid, String name) {
        return List.of("Camera '" + name + "': factory configuration " + factoryPid + "~" + name + ".",
                "Values: \"text\", I\"integer\", L\"long\", D\"decimal\", B\"true\"; lists like I[\"1\", \"2\"].");
    }

    private void removeAfterFailure(Path file, Exception failure) {
        try {
            files.delete(file);
        } catch (IOException e) {
            failure.addSuppressed(e);
            LOG.error("Could not remove {} after the configuration failed to store; remove it by hand", file, e);
        }
    }

    /**
     * Deletes a configuration and, with files, its file; one already gone counts as deleted.
     *
     * @throws CameraException IO when the store fails, or when the configuration is gone but its file
     *                         could not be removed (the camera would come back at the next start)
     */
    void delete(Configuration c) {
        Optional<Path> file = Optional.empty();
        if (files != null) {
            try {
                file = files.linked(c.getProperties());
            } catch (IllegalStateException e) {
                // Deleted meanwhile; whoever deleted it dealt with its file.
            }
        }
        try {
            c.delete();
        } catch (IllegalStateException e) {
            // Deleted meanwhile: the outcome asked for.
        } catch (IOException e) {
            throw new CameraException(CameraException.Kind.IO,
                    "could not delete configuration " + c.getPid() + ": " + e.getMessage(), e);
        }
        if (file.isPresent()) {
            // FileInstall deletes the file as well when it hears of the deletion; this makes it certain.
            try {
                files.delete(file.get());
            } catch (IOException e) {
                throw new CameraException(CameraException.Kind.IO, "the configuration " + c.getPid()
                        + " is deleted, but its file " + files.shown(file.get()) + " could not be removed ("
                        + files.reason(e) + "); remove it by hand, or the camera returns at the next start", e);
            }
        }
    }

    /**
     * The user properties of a configuration, sorted by key, or {@code null} when it has none yet or was
     * deleted.
     */
    static Map<String, Object> properties(Configuration c) {
        Dictionary<String, Object> d;
        try {
            d = c.getProperties();
        } catch (IllegalStateException e) {
            return null;
        }
        if (d == null) {
            return null;
        }
        Map<String, Object> out = new TreeMap<>();
        for (Enumeration<String> keys = d.keys(); keys.hasMoreElements();) {
            String key = keys.nextElement();
            if (!isInternal(key)) {
                out.put(key, d.get(key));
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** Whether a property is the server's business rather than the user's. */
    static boolean isInternal(String key) {
        return key.startsWith("service.") || key.startsWith("component.") || key.startsWith("felix.fileinstall.")
                || key.startsWith(".");
    }

    /**
     * Escapes a value for an LDAP filter as OSGi reads it: {@code \ * ( )} are prefixed with a backslash.
     */
    static String escape(String value) {
        StringBuilder b = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' || c == '*' || c == '(' || c == ')') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }

    private static Hashtable<String, Object> dictionary(Map<String, Object> properties) {
        Hashtable<String, Object> d = new Hashtable<>();
        properties.forEach((k, v) -> {
            if (v != null) {
                d.put(k, v);
            }
        });
        return d;
    }
}
