package org.obscura.plugins.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.namespace.IdentityNamespace;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.resource.Namespace;
import org.osgi.resource.Requirement;

/**
 * Why a bundle does not resolve or start, in words an administrator can act on: the requirements that nothing
 * installed provides, and the cause of an activator's failure.
 */
final class Resolution {
    private Resolution() {
    }

    private static final Pattern NAMED = Pattern.compile("\\((osgi\\.wiring\\.package|osgi\\.wiring\\.bundle|"
            + "osgi\\.wiring\\.host|objectClass|osgi\\.extender|osgi\\.ee)=([^)]+)\\)");

    /**
     * The mandatory requirements of {@code bundle} for which no installed bundle offers a capability, e.g.
     * {@code package org.acme.lib (&(osgi.wiring.package=org.acme.lib)(version>=1.0.0))}. Empty when every
     * requirement has a candidate (the conflict is then subtler: see the framework's message).
     */
    static List<String> missing(Bundle bundle, FrameworkWiring wiring) {
        List<String> missing = new ArrayList<>();
        BundleRevision revision = bundle.adapt(BundleRevision.class);
        if (revision == null || wiring == null) {
            return missing;
        }
        for (Requirement r : revision.getRequirements(null)) {
            if (Namespace.RESOLUTION_OPTIONAL.equals(r.getDirectives().get(Namespace.REQUIREMENT_RESOLUTION_DIRECTIVE))
                    || IdentityNamespace.IDENTITY_NAMESPACE.equals(r.getNamespace())) {
                continue;
            }
            String effective = r.getDirectives().get(Namespace.REQUIREMENT_EFFECTIVE_DIRECTIVE);
            if (effective != null && !Namespace.EFFECTIVE_RESOLVE.equals(effective)) {
                continue; // effective:=active (osgi.service and the like): not checked by the resolver
            }
            if (wiring.findProviders(r).isEmpty()) {
                missing.add(describe(r.getNamespace(), r.getDirectives()));
            }
        }
        return missing;
    }

    /** {@code package org.acme.lib (filter)}, {@code bundle x (filter)}, or {@code namespace filter}. */
    static String describe(String namespace, Map<String, String> directives) {
        String filter = directives.getOrDefault(Namespace.REQUIREMENT_FILTER_DIRECTIVE, "");
        String kind = switch (namespace) {
            case "osgi.wiring.package" -> "package";
            case "osgi.wiring.bundle" -> "bundle";
            case "osgi.wiring.host" -> "fragment host";
            case "osgi.extender" -> "extender";
            case "osgi.ee" -> "execution environment";
            default -> namespace;
        };
        Matcher m = NAMED.matcher(filter);
        return m.find() ? kind + " " + m.group(2) + " " + filter : kind + " " + filter;
    }

    /**
     * A sentence on why {@code bundle} could not start: the missing requirements for a resolution failure,
     * the deepest cause's message for an activator failure.
     */
    static String whyNotStarted(Bundle bundle, BundleException e, FrameworkWiring wiring) {
        String name = bundle.getSymbolicName() + " " + bundle.getVersion();
        if (e.getType() == BundleException.RESOLVE_ERROR) {
            List<String> missing = missing(bundle, wiring);
            if (!missing.isEmpty()) {
                return name + " does not resolve: missing requirement" + (missing.size() > 1 ? "s " : " ")
                        + String.join("; ", missing);
            }
            return name + " does not resolve: " + e.getMessage();
        }
        if (e.getType() == BundleException.ACTIVATOR_ERROR) {
            return name + ": its activator failed: " + rootMessage(e);
        }
        return name + " could not start: " + rootMessage(e);
    }

    /** The message of the deepest cause, with its type when it has no message. */
    static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return m == null || m.isBlank() ? root.getClass().getName() : root.getClass().getSimpleName() + ": " + m;
    }
}
