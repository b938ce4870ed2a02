package org.obscura.plugins.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraException.Kind;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs and uninstalls features: the bundles a feature names (taken from the repository when not installed
 * yet), the features it requires, and its default configurations.
 *
 * <h2>Rules</h2>
 * <ul>
 * <li>A feature is <em>installed</em> when each of its bundles is installed (in any state) and each feature
 * it requires is installed. Nothing else is recorded: the bundles are the truth.</li>
 * <li>Installing an installed feature changes nothing and says so ({@link Outcome#alreadyInstalled}).</li>
 * <li>An install is all or nothing: when a bundle is missing from the repository, does not resolve (the
 * missing requirements are named), or fails to start, the bundles and configurations it added are removed
 * again.</li>
 * <li>Uninstalling removes only bundles that came from the repository and that no other installed feature
 * names; the others are kept and listed with the reason. It is refused while another installed feature
 * requires this one, or while a bundle outside the feature is wired to one it would remove.</li>
 * </ul>
 * Methods are synchronized: one feature operation at a time.
 */
class Features {

    private static final Logger LOG = LoggerFactory.getLogger(Features.class);

    /** A bundle of a feature and where it stands. */
    record BundleStatus(String symbolicName, String state, Long id, String version) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("symbolicName", symbolicName);
            m.put("state", state);
            m.put("id", id);
            m.put("version", version);
            return m;
        }
    }

    /** A feature and where it stands; {@code problem} is set (and the rest empty) for an unreadable file. */
    record Status(String name, String description, boolean installed, List<String> requires,
            List<BundleStatus> bundles, List<String> configurations, String problem) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("description", description);
            m.put("installed", installed);
            m.put("requires", requires);
            m.put("bundles", bundles.stream().map(BundleStatus::json).toList());
            m.put("configurations", configurations);
            if (problem != null) {
                m.put("problem", problem);
            }
            return m;
        }
    }

    /** What an install or uninstall did. */
    record Outcome(String feature, boolean alreadyInstalled, List<BundleView> bundles, List<String> configurations,
            List<String> kept) {
        Map<String, Object> json(boolean install) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("feature", feature);
            if (install) {
                m.put("alreadyInstalled", alreadyInstalled);
                m.put("installed", bundles.stream().map(BundleView::json).toList());
                m.put("configurations", configurations);
            } else {
                m.put("uninstalled", bundles.stream().map(BundleView::json).toList());
                m.put("kept", kept);
            }
            return m;
        }
    }

    private final FeatureCatalog catalog;
    private final BundleInstaller installer;
    private final DefaultConfigurations configurations;

    Features(FeatureCatalog catalog, BundleInstaller installer, DefaultConfigurations configurations) {
        this.catalog = catalog;
        this.installer = installer;
        this.configurations = configurations;
    }

    FeatureCatalog catalog() {
        return catalog;
    }

    /** Every feature on disk, by name. */
    synchronized List<Status> list() {
        List<Status> list = new ArrayList<>();
        Map<String, FeatureDefinition> known = definitions();
        for (FeatureCatalog.Entry e : catalog.entries().values()) {
            list.add(e.definition() == null
                    ? new Status(e.name(), "", false, List.of(), List.of(), List.of(), e.problem())
                    : status(e.definition(), known));
        }
        return list;
    }

    /** @throws CameraException NOT_FOUND, CONFLICT (unreadable file) */
    synchronized Status status(String name) {
        return status(catalog.feature(name), definitions());
    }

    private Status status(FeatureDefinition f, Map<String, FeatureDefinition> known) {
        List<BundleStatus> bundles = new ArrayList<>();
        for (String bsn : f.bundles()) {
            List<Bundle> present = installer.bySymbolicName(bsn);
            if (!present.isEmpty()) {
                Bundle b = present.get(0);
                bundles.add(new BundleStatus(bsn, BundleView.state(b.getState()), b.getBundleId(), b.getVersion().toString()));
            } else {
                Optional<FeatureCatalog.RepositoryJar> jar = catalog.jar(bsn);
                bundles.add(new BundleStatus(bsn, jar.isPresent() ? "available" : "missing", null,
                        jar.map(j -> j.identity().version().toString()).orElse(null)));
            }
        }
        return new Status(f.name(), f.description(), installed(f, known, new HashSet<>()), f.requires(), bundles,
                List.copyOf(f.configurations().keySet()), null);
    }

    private Map<String, FeatureDefinition> definitions() {
        Map<String, FeatureDefinition> map = new LinkedHashMap<>();
        for (FeatureCatalog.Entry e : catalog.entries().values()) {
            if (e.definition() != null) {
                map.put(e.name(), e.definition());
            }
        }
        return map;
    }

    private boolean installed(FeatureDefinition f, Map<String, FeatureDefinition> known, Set<String> visiting) {
        if (!visiting.add(f.name())) {
            return false; // a cycle: reported when installing
        }
        for (String bsn : f.bundles()) {
            if (installer.bySymbolicName(bsn).isEmpty()) {
                return false;
            }
        }
        for (String r : f.requires()) {
            FeatureDefinition required = known.get(r);
            if (required == null || !installed(required, known, visiting)) {
                return false;
            }
        }
        return true;
    }

    /** The feature and the features it requires, required ones first. */
    private List<FeatureDefinition> closure(FeatureDefinition f, Map<String, FeatureDefinition> known,
            List<String> path, LinkedHashMap<String, FeatureDefinition> out) {
        if (out.containsKey(f.name())) {
            return List.copyOf(out.values());
        }
        if (path.contains(f.name())) {
            throw new CameraException(Kind.CONFLICT, "features require each other in a circle: "
                    + String.join(" -> ", path) + " -> " + f.name());
        }
        List<String> next = new ArrayList<>(path);
        next.add(f.name());
        for (String r : f.requires()) {
            FeatureDefinition required = known.get(r);
            if (required == null) {
                throw new CameraException(Kind.CONFLICT, "feature '" + f.name() + "' requires feature '" + r
                        + "', which does not exist or cannot be read");
            }
            closure(required, known, next, out);
        }
        out.put(f.name(), f);
        return List.copyOf(out.values());
    }

    /**
     * Installs a feature with the features it requires.
     *
     * @throws CameraException NOT_FOUND (no such feature), CONFLICT (a bundle is missing from the repository,
     *                         does not resolve or does not start; nothing stays installed)
     */
    synchronized Outcome install(String name) {
        return install(name, Progress.unwatched(Progress.FEATURE_INSTALL, name));
    }

    /**
     * Like {@link #install(String)}, reporting each step to {@code progress} as it is taken (resolving the
     * features, each bundle installed from the repository, each configuration created, resolving and starting
     * the bundles, undoing a failed install) and ending it: done, or failed with the reason.
     */
    synchronized Outcome install(String name, Progress progress) {
        try {
            Outcome o = doInstall(name, progress);
            progress.done(o.alreadyInstalled() ? "feature '" + name + "' is already installed"
                    : "feature '" + name + "' installed: " + count(o.bundles().size(), "bundle") + " from the repository, "
                            + count(o.configurations().size(), "configuration") + " created");
            return o;
        } catch (CameraException e) {
            progress.failed(e.getMessage());
            throw e;
        }
    }

    private Outcome doInstall(String name, Progress progress) {
        FeatureDefinition feature = catalog.feature(name);
        Map<String, FeatureDefinition> known = definitions();
        List<FeatureDefinition> all = closure(feature, known, List.of(), new LinkedHashMap<>());
        if (installed(feature, known, new HashSet<>())) {
            return new Outcome(name, true, List.of(), List.of(), List.of());
        }
        Set<String> wanted = new LinkedHashSet<>();
        for (FeatureDefinition f : all) {
            wanted.addAll(f.bundles());
        }
        List<String> required = all.stream().map(FeatureDefinition::name).filter(n -> !n.equals(name)).toList();
        progress.step("resolving feature '" + name + "'" + (required.isEmpty() ? "" : " with the feature"
                + (required.size() > 1 ? "s" : "") + " it requires (" + String.join(", ", required) + ")")
                + ": bundles " + String.join(", ", wanted));
        List<FeatureCatalog.RepositoryJar> jars = new ArrayList<>();
        for (String bsn : wanted) {
            List<Bundle> present = installer.bySymbolicName(bsn);
            if (present.isEmpty()) {
                jars.add(catalog.jar(bsn).orElseThrow(() -> new CameraException(Kind.CONFLICT, "feature '" + name
                        + "' needs bundle " + bsn + ", which is neither installed nor in the repository ("
                        + catalog.repositoryDir() + ")")));
            } else {
                Bundle b = present.get(0);
                progress.step(bsn + " " + b.getVersion() + " is installed already (id " + b.getBundleId() + ")");
            }
        }
        List<Bundle> added = new ArrayList<>();
        List<String> created = new ArrayList<>();
        try {
            for (FeatureCatalog.RepositoryJar jar : jars) {
                progress.step("installing " + jar.identity() + " from " + catalog.repositoryDir().getFileName() + "/"
                        + jar.path().getFileName());
                try (InputStream in = java.nio.file.Files.newInputStream(jar.path())) {
                    added.add(installer.context().installBundle(jar.path().toUri().toString(), in));
                } catch (BundleException | IOException e) {
                    throw new CameraException(Kind.CONFLICT, "bundle " + jar.identity() + " of feature '" + name
                            + "' cannot be installed: " + e.getMessage(), e);
                }
            }
            for (FeatureDefinition f : all) {
                for (var c : f.configurations().entrySet()) {
                    if (configurations.createIfAbsent(c.getKey(), c.getValue())) {
                        created.add(c.getKey());
                        progress.step("configuration " + c.getKey() + " created");
                    } else {
                        progress.step("configuration " + c.getKey() + " exists: left as it is");
                    }
                }
            }
            installer.activate(added, true, progress);
        } catch (CameraException e) {
            if (!added.isEmpty() || !created.isEmpty()) {
                List<String> undo = new ArrayList<>(added.stream().map(Bundle::getSymbolicName).toList());
                created.forEach(c -> undo.add("configuration " + c));
                progress.step("undoing the install: removing " + String.join(", ", undo));
            }
            installer.remove(added);
            for (String key : created) {
                configurations.delete(key);
            }
            throw new CameraException(e.kind(), "feature '" + name + "' was not installed: " + e.getMessage(), e.field(), e);
        }
        LOG.info("installed feature '{}': {} bundles added, {} configurations created", name, added.size(), created.size());
        return new Outcome(name, false, added.stream().map(BundleView::of).toList(), created, List.of());
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /**
     * Uninstalls a feature's bundles that came from the repository and no other installed feature names.
     *
     * @throws CameraException NOT_FOUND, CONFLICT (not installed, required by an installed feature, or a bundle
     *                         outside it still uses one of its bundles)
     */
    synchronized Outcome uninstall(String name) {
        return uninstall(name, Progress.unwatched(Progress.FEATURE_UNINSTALL, name));
    }

    /** Like {@link #uninstall(String)}, reporting each step to {@code progress} and ending it (done or failed). */
    synchronized Outcome uninstall(String name, Progress progress) {
        try {
            Outcome o = doUninstall(name, progress);
            progress.done("feature '" + name + "' uninstalled: " + count(o.bundles().size(), "bundle") + " removed"
                    + (o.kept().isEmpty() ? "" : ", " + o.kept().size() + " kept"));
            return o;
        } catch (CameraException e) {
            progress.failed(e.getMessage());
            throw e;
        }
    }

    private Outcome doUninstall(String name, Progress progress) {
        FeatureDefinition feature = catalog.feature(name);
        Map<String, FeatureDefinition> known = definitions();
        if (!installed(feature, known, new HashSet<>())) {
            throw new CameraException(Kind.CONFLICT, "feature '" + name + "' is not installed");
        }
        for (FeatureDefinition other : known.values()) {
            if (!other.name().equals(name) && installed(other, known, new HashSet<>())
                    && requiresTransitively(other, name, known, new HashSet<>())) {
                throw new CameraException(Kind.CONFLICT, "the installed feature '" + other.name() + "' requires '" + name
                        + "': uninstall '" + other.name() + "' first");
            }
        }
        List<Bundle> removable = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        for (String bsn : feature.bundles()) {
            List<String> alsoIn = installedFeaturesNaming(bsn, name, known);
            for (Bundle b : installer.bySymbolicName(bsn)) {
                if (!alsoIn.isEmpty()) {
                    kept.add(bsn + " (also in the installed feature" + (alsoIn.size() > 1 ? "s '" : " '")
                            + String.join("', '", alsoIn) + "')");
                } else if (!catalog.fromRepository(b.getLocation())) {
                    kept.add(bsn + " (not installed from the repository: part of the server or installed by hand)");
                } else {
                    removable.add(b);
                }
            }
        }
        Set<Bundle> leaving = new HashSet<>(removable);
        for (Bundle b : removable) {
            Set<String> users = installer.dependents(b, leaving);
            if (!users.isEmpty()) {
                throw new CameraException(Kind.CONFLICT, "feature '" + name + "' was not uninstalled: its bundle "
                        + b.getSymbolicName() + " is used by " + String.join(", ", users) + ": uninstall those first");
            }
        }
        List<BundleView> views = new ArrayList<>();
        for (Bundle b : removable) {
            BundleView v = BundleView.of(b);
            views.add(new BundleView(v.id(), v.symbolicName(), v.version(), v.name(), "uninstalled", v.location(),
                    v.fragment()));
        }
        for (String k : kept) {
            progress.step("keeping " + k);
        }
        List<Bundle> reversed = new ArrayList<>(removable);
        java.util.Collections.reverse(reversed);
        for (Bundle b : reversed) {
            progress.step("stopping and uninstalling " + b.getSymbolicName() + " " + b.getVersion() + " (id "
                    + b.getBundleId() + ")");
        }
        installer.remove(reversed);
        LOG.info("uninstalled feature '{}': {} bundles removed, {} kept", name, views.size(), kept.size());
        return new Outcome(name, false, views, List.of(), kept);
    }

    private boolean requiresTransitively(FeatureDefinition f, String target, Map<String, FeatureDefinition> known,
            Set<String> seen) {
        for (String r : f.requires()) {
            if (r.equals(target)) {
                return true;
            }
            FeatureDefinition next = known.get(r);
            if (next != null && seen.add(r) && requiresTransitively(next, target, known, seen)) {
                return true;
            }
        }
        return false;
    }

    private List<String> installedFeaturesNaming(String bsn, String except, Map<String, FeatureDefinition> known) {
        List<String> names = new ArrayList<>();
        for (FeatureDefinition f : known.values()) {
            if (!f.name().equals(except) && f.bundles().contains(bsn) && installed(f, known, new HashSet<>())) {
                names.add(f.name());
            }
        }
        return names;
    }

    /**
     * For {@link BundleInstaller.Guard}: the installed features naming the bundle, as a sentence. Only bundles a
     * feature installed (from the repository) are guarded: one uploaded, dropped into deploy/ or part of the server
     * is its installer's to remove, even when a feature names it too.
     */
    synchronized Optional<String> neededBy(Bundle bundle) {
        String bsn = bundle.getSymbolicName();
        if (bsn == null || !catalog.fromRepository(bundle.getLocation())) {
            return Optional.empty();
        }
        Map<String, FeatureDefinition> known;
        try {
            known = definitions();
        } catch (CameraException unreadable) {
            return Optional.empty();
        }
        List<String> names = installedFeaturesNaming(bsn, null, known);
        if (names.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("the installed feature" + (names.size() > 1 ? "s '" : " '") + String.join("', '", names)
                + "': uninstall the feature instead (feature:uninstall " + names.get(0) + ")");
    }
}
