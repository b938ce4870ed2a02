package org.obscura.rest.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.obscura.camera.api.CameraConfig;
import org.obscura.camera.api.CameraException;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

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
 * <p>Thread-safe as ConfigurationAdmin is; callers serialise read-check-write sequences themselves.
 */
final class CameraConfigurations {

    /** FileInstall's property naming the file a configuration was read from and is written back to. */
    static final String FILEINSTALL_FILENAME = "felix.fileinstall.filename";

    private final ConfigurationAdmin admin;

    CameraConfigurations(ConfigurationAdmin admin) {
        this.admin = admin;
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
     * Creates a camera: the named factory configuration {@code factoryPid~name}, location {@code "?"}.
     *
     * @throws CameraException CONFLICT when that configuration exists already, IO when the store fails
     */
    Configuration create(String factoryPid, String name, Map<String, Object> properties) {
        try {
            Configuration c = admin.getFactoryConfiguration(factoryPid, name, "?");
            if (c.getProperties() != null) {
                throw new CameraException(CameraException.Kind.CONFLICT,
                        "a configuration for camera '" + name + "' exists already (" + c.getPid() + ")");
            }
            c.update(dictionary(properties));
            return c;
        } catch (IOException e) {
            throw new CameraException(CameraException.Kind.IO,
                    "could not store the configuration of camera '" + name + "': " + e.getMessage(), e);
        }
    }

    /**
     * Replaces a camera configuration's user properties, keeping its internal ones. Does nothing (and does
     * not restart the camera) when nothing changed.
     *
     * @throws CameraException NOT_FOUND when it was deleted meanwhile, IO when the store fails
     */
    void update(Configuration c, Map<String, Object> properties) {
        try {
            Dictionary<String, Object> current = c.getProperties();
            Hashtable<String, Object> next = dictionary(properties);
            if (current != null) {
                for (Enumeration<String> keys = current.keys(); keys.hasMoreElements();) {
                    String key = keys.nextElement();
                    if (isInternal(key) && !key.startsWith("service.")) {
                        next.put(key, current.get(key));
                    }
                }
            }
            c.updateIfDifferent(next);
        } catch (IllegalStateException e) {
            throw CameraException.notFound("the configuration " + c.getPid() + " was deleted meanwhile");
        } catch (IOException e) {
            throw new CameraException(CameraException.Kind.IO,
                    "could not store configuration " + c.getPid() + ": " + e.getMessage(), e);
        }
    }

    /** Deletes a configuration; one already gone counts as deleted. */
    void delete(Configuration c) {
        try {
            c.delete();
        } catch (IllegalStateException e) {
            // Deleted meanwhile: the outcome asked for.
        } catch (IOException e) {
            throw new CameraException(CameraException.Kind.IO,
                    "could not delete configuration " + c.getPid() + ": " + e.getMessage(), e);
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
