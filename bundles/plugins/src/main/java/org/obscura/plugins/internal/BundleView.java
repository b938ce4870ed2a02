package org.obscura.plugins.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.wiring.BundleRevision;

/**
 * A bundle as interfaces show it.
 *
 * @param id           bundle id
 * @param symbolicName Bundle-SymbolicName
 * @param version      Bundle-Version
 * @param name         Bundle-Name, or the symbolic name
 * @param state        {@code installed}, {@code resolved}, {@code starting}, {@code active}, {@code stopping}
 *                     or {@code uninstalled}
 * @param location     where it was installed from
 * @param fragment     whether it is a fragment (never started)
 */
record BundleView(long id, String symbolicName, String version, String name, String state, String location,
        boolean fragment) {

    static BundleView of(Bundle b) {
        String bsn = b.getSymbolicName() == null ? "" : b.getSymbolicName();
        String name = b.getHeaders("").get(Constants.BUNDLE_NAME);
        return new BundleView(b.getBundleId(), bsn, b.getVersion().toString(), name == null ? bsn : name,
                state(b.getState()), b.getLocation(), isFragment(b));
    }

    static boolean isFragment(Bundle b) {
        BundleRevision revision = b.adapt(BundleRevision.class);
        return revision != null && (revision.getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
    }

    static String state(int state) {
        return switch (state) {
            case Bundle.INSTALLED -> "installed";
            case Bundle.RESOLVED -> "resolved";
            case Bundle.STARTING -> "starting";
            case Bundle.ACTIVE -> "active";
            case Bundle.STOPPING -> "stopping";
            case Bundle.UNINSTALLED -> "uninstalled";
            default -> "unknown";
        };
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("symbolicName", symbolicName);
        m.put("version", version);
        m.put("name", name);
        m.put("state", state);
        m.put("location", location);
        m.put("fragment", fragment);
        return m;
    }
}
