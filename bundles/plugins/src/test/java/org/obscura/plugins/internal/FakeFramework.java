package org.obscura.plugins.internal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Version;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.resource.Requirement;

/**
 * A small in-memory framework for unit tests: bundles from jar manifests, a resolver that only knows
 * Import-Package / Export-Package (package names, no versions), and an activator that fails when the manifest
 * says {@code X-Fail-Start: <message>}. Bundles, contexts and wirings are proxies over this state.
 */
final class FakeFramework {

    final class FakeBundle {
        final long id;
        final String location;
        Map<String, String> headers;
        int state = Bundle.INSTALLED;
        final Bundle proxy;

        FakeBundle(long id, String location, Map<String, String> headers) {
            this.id = id;
            this.location = location;
            this.headers = headers;
            this.proxy = proxy(Bundle.class, (p, m, a) -> switch (m.getName()) {
                case "getBundleId" -> this.id;
                case "getSymbolicName" -> bsn();
                case "getVersion" -> Version.parseVersion(this.headers.get("Bundle-Version"));
                case "getState" -> state;
                case "getLocation" -> this.location;
                case "getHeaders" -> new Hashtable<>(this.headers);
                case "getBundleContext" -> context;
                case "adapt" -> adapt((Class<?>) a[0]);
                case "start" -> {
                    start();
                    yield null;
                }
                case "stop" -> {
                    if (state == Bundle.ACTIVE) {
                        state = Bundle.RESOLVED;
                    }
                    yield null;
                }
                case "uninstall" -> {
                    state = Bundle.UNINSTALLED;
                    bundles.remove(this.id);
                    yield null;
                }
                case "update" -> {
                    boolean active = state == Bundle.ACTIVE;
                    this.headers = manifest((InputStream) a[0]);
                    state = Bundle.INSTALLED;
                    if (active) {
                        start();
                    }
                    yield null;
                }
                case "hashCode" -> Long.hashCode(this.id);
                case "equals" -> p == a[0];
                case "toString" -> bsn() + "[" + this.id + "]";
                default -> throw new UnsupportedOperationException("Bundle." + m.getName());
            });
        }

        String bsn() {
            String b = headers.get("Bundle-SymbolicName");
            return b == null ? null : b.split(";")[0].strip();
        }

        List<String> list(String header) {
            String v = headers.get(header);
            List<String> out = new ArrayList<>();
            if (v != null) {
                for (String s : v.split(",")) {
                    out.add(s.split(";")[0].strip());
                }
            }
            return out;
        }

        boolean resolve() {
            if (state != Bundle.INSTALLED) {
                return true;
            }
            for (String pkg : list("Import-Package")) {
                if (exporter(pkg) == null) {
                    return false;
                }
            }
            state = Bundle.RESOLVED;
            return true;
        }

        void start() throws BundleException {
            if (!resolve()) {
                throw new BundleException("Unable to resolve " + bsn() + ": missing requirement osgi.wiring.package",
                        BundleException.RESOLVE_ERROR);
            }
            String fail = headers.get("X-Fail-Start");
            if (fail != null) {
                throw new BundleException("Activator start error in bundle " + bsn(), BundleException.ACTIVATOR_ERROR,
                        new IllegalStateException(fail));
            }
            state = Bundle.ACTIVE;
        }

        Object adapt(Class<?> type) {
            if (type == BundleRevision.class) {
                return proxy(BundleRevision.class, (p, m, a) -> switch (m.getName()) {
                    case "getTypes" -> headers.containsKey("Fragment-Host") ? BundleRevision.TYPE_FRAGMENT : 0;
                    case "getRequirements" -> requirements();
                    case "getBundle" -> proxy;
                    default -> throw new UnsupportedOperationException("BundleRevision." + m.getName());
                });
            }
            if (type == BundleWiring.class) {
                return state == Bundle.INSTALLED ? null : proxy(BundleWiring.class, (p, m, a) -> switch (m.getName()) {
                    case "getProvidedWires" -> providedWires();
                    case "getBundle" -> proxy;
                    default -> throw new UnsupportedOperationException("BundleWiring." + m.getName());
                });
            }
            if (type == FrameworkWiring.class && id == 0) {
                return wiring;
            }
            return null;
        }

        List<Requirement> requirements() {
            List<Requirement> out = new ArrayList<>();
            for (String pkg : list("Import-Package")) {
                Map<String, String> directives = Map.of("filter", "(osgi.wiring.package=" + pkg + ")");
                out.add(proxy(Requirement.class, (p, m, a) -> switch (m.getName()) {
                    case "getNamespace" -> "osgi.wiring.package";
                    case "getDirectives" -> directives;
                    case "getAttributes" -> Map.of();
                    case "toString" -> "import " + pkg;
                    default -> throw new UnsupportedOperationException("Requirement." + m.getName());
                }));
            }
            return out;
        }

        List<BundleWire> providedWires() {
            List<BundleWire> wires = new ArrayList<>();
            for (FakeBundle other : bundles.values()) {
                if (other == this || other.state == Bundle.INSTALLED) {
                    continue;
                }
                for (String pkg : other.list("Import-Package")) {
                    if (list("Export-Package").contains(pkg)) {
                        BundleWiring requirer = proxy(BundleWiring.class, (p, m, a) -> {
                            if (m.getName().equals("getBundle")) {
                                return other.proxy;
                            }
                            throw new UnsupportedOperationException("BundleWiring." + m.getName());
                        });
                        wires.add(proxy(BundleWire.class, (p, m, a) -> {
                            if (m.getName().equals("getRequirerWiring")) {
                                return requirer;
                            }
                            throw new UnsupportedOperationException("BundleWire." + m.getName());
                        }));
                    }
                }
            }
            return wires;
        }
    }

    final Map<Long, FakeBundle> bundles = new LinkedHashMap<>();
    final Map<String, String> properties = new HashMap<>();
    private long nextId = 0;
    final BundleContext context;
    final FrameworkWiring wiring;
    final FakeBundle self;

    FakeFramework() {
        context = proxy(BundleContext.class, this::contextCall);
        wiring = proxy(FrameworkWiring.class, (p, m, a) -> switch (m.getName()) {
            case "resolveBundles" -> {
                boolean all = true;
                for (Bundle b : (Collection<Bundle>) a[0]) {
                    all &= bundles.get(b.getBundleId()).resolve();
                }
                yield all;
            }
            case "findProviders" -> {
                String filter = ((Requirement) a[0]).getDirectives().get("filter");
                String pkg = filter.substring("(osgi.wiring.package=".length(), filter.length() - 1);
                FakeBundle e = exporter(pkg);
                yield e == null ? List.of() : List.of(e.proxy); // stands in for a capability
            }
            case "refreshBundles" -> null;
            case "getRemovalPendingBundles" -> List.of();
            default -> throw new UnsupportedOperationException("FrameworkWiring." + m.getName());
        });
        FakeBundle system = add("System Bundle", Map.of("Bundle-SymbolicName", "org.apache.felix.framework",
                "Bundle-Version", "7.0.5", "Export-Package", "org.osgi.framework"));
        system.state = Bundle.ACTIVE;
        self = add("file:plugins.jar", Map.of("Bundle-SymbolicName", "org.obscura.plugins", "Bundle-Version", "0.1.0",
                "Import-Package", "org.osgi.framework"));
        self.state = Bundle.ACTIVE;
    }

    FakeBundle add(String location, Map<String, String> headers) {
        FakeBundle b = new FakeBundle(nextId++, location, new LinkedHashMap<>(headers));
        bundles.put(b.id, b);
        return b;
    }

    FakeBundle bundle(String bsn) {
        return bundles.values().stream().filter(b -> bsn.equals(b.bsn())).findFirst().orElse(null);
    }

    FakeBundle exporter(String pkg) {
        for (FakeBundle b : bundles.values()) {
            if (b.list("Export-Package").contains(pkg)) {
                return b;
            }
        }
        return null;
    }

    private Object contextCall(Object proxy, java.lang.reflect.Method m, Object[] a) throws Exception {
        return switch (m.getName()) {
            case "getBundles" -> bundles.values().stream().map(b -> b.proxy).toArray(Bundle[]::new);
            case "getBundle" -> {
                if (a == null || a.length == 0) {
                    yield self.proxy;
                }
                if (a[0] instanceof Long id) {
                    FakeBundle b = bundles.get(id);
                    yield b == null ? null : b.proxy;
                }
                yield bundles.values().stream().filter(b -> b.location.equals(a[0])).map(b -> b.proxy).findFirst()
                        .orElse(null);
            }
            case "installBundle" -> {
                for (FakeBundle b : bundles.values()) {
                    if (b.location.equals(a[0])) {
                        yield b.proxy;
                    }
                }
                Map<String, String> headers;
                if (a.length > 1 && a[1] != null) {
                    headers = manifest((InputStream) a[1]);
                } else {
                    try (InputStream in = Files.newInputStream(Path.of(java.net.URI.create((String) a[0])))) {
                        headers = manifest(in);
                    }
                }
                yield add((String) a[0], headers).proxy;
            }
            case "getProperty" -> properties.get(a[0]);
            default -> throw new UnsupportedOperationException("BundleContext." + m.getName());
        };
    }

    static Map<String, String> manifest(InputStream in) throws BundleException {
        try (JarInputStream jar = new JarInputStream(in)) {
            Manifest mf = jar.getManifest();
            Map<String, String> headers = new LinkedHashMap<>();
            if (mf != null) {
                mf.getMainAttributes().forEach((k, v) -> headers.put(k.toString(), v.toString()));
            }
            if (!headers.containsKey("Bundle-SymbolicName")) {
                throw new BundleException("not a bundle", BundleException.MANIFEST_ERROR);
            }
            return headers;
        } catch (IOException e) {
            throw new BundleException("cannot read", BundleException.READ_ERROR, e);
        }
    }

    /** Writes a jar with the given main manifest headers (and one class-like entry). */
    static Path jar(Path dir, String file, Map<String, String> headers) throws IOException {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        headers.forEach((k, v) -> mf.getMainAttributes().put(new Attributes.Name(k), v));
        Path path = dir.resolve(file);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(path), mf)) {
            out.putNextEntry(new JarEntry("x/Readme.txt"));
            out.write("hello".getBytes());
            out.closeEntry();
        }
        return path;
    }

    static Path bundleJar(Path dir, String bsn, String version, String... more) throws IOException {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Bundle-ManifestVersion", "2");
        h.put("Bundle-SymbolicName", bsn);
        h.put("Bundle-Version", version);
        for (int i = 0; i < more.length; i += 2) {
            h.put(more[i], more[i + 1]);
        }
        return jar(dir, bsn + "-" + version + ".jar", h);
    }

    @SuppressWarnings("unchecked")
    static <T> T proxy(Class<T> type, InvocationHandler handler) {
        return (T) Proxy.newProxyInstance(FakeFramework.class.getClassLoader(), new Class<?>[] { type }, handler);
    }

    static Dictionary<String, String> dictionary(Map<String, String> map) {
        return new Hashtable<>(map);
    }
}
