package org.obscura.plugins.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipException;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraException.Kind;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.Version;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs, starts, stops, updates and uninstalls bundles for the REST API and the shell, so that a bad bundle
 * leaves the server as it was: a jar that is not a bundle is refused before the framework sees it; a bundle
 * that does not resolve, whose activator throws, or whose components fail to activate is uninstalled again and
 * the reason reported (the requirements nothing provides, the activator's message, the component's failure).
 *
 * <p>Failures are {@link CameraException}s: INVALID_ARGUMENT (not a jar, not a bundle), NOT_FOUND (no such
 * bundle), CONFLICT (does not resolve, fails to start, already installed, protected, still used). Methods are
 * synchronized: one bundle operation at a time, they block while the framework starts or stops a bundle.
 */
class BundleInstaller {

    /** Location prefix of bundles installed from an upload. */
    static final String UPLOAD_LOCATION = "obscura:upload:";

    private static final Logger LOG = LoggerFactory.getLogger(BundleInstaller.class);

    /** Reports the failures of a bundle's Declarative Services components (empty when none failed). */
    interface ComponentProbe {
        /**
         * @param settleMillis how long the components may take to activate; the probe returns as soon as one
         *                     failed
         */
        List<String> failures(Bundle bundle, long settleMillis);

        ComponentProbe NONE = (bundle, settle) -> List.of();
    }

    /** Refuses to remove a bundle that something else (an installed feature) needs; empty when free to go. */
    interface Guard {
        Optional<String> neededBy(Bundle bundle);

        Guard NONE = bundle -> Optional.empty();
    }

    private final BundleContext context;
    private final ComponentProbe probe;
    private final long settleMillis;
    private volatile Guard guard = Guard.NONE;

    BundleInstaller(BundleContext context, ComponentProbe probe, long settleMillis) {
        this.context = context;
        this.probe = probe;
        this.settleMillis = settleMillis;
    }

    void guard(Guard guard) {
        this.guard = guard == null ? Guard.NONE : guard;
    }

    BundleContext context() {
        return context;
    }

    FrameworkWiring wiring() {
        return context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class);
    }

    /** Every bundle, by id. */
    List<BundleView> list() {
        List<BundleView> views = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            views.add(BundleView.of(b));
        }
        views.sort(Comparator.comparingLong(BundleView::id));
        return views;
    }

    /** @throws CameraException NOT_FOUND */
    Bundle bundle(long id) {
        Bundle b = context.getBundle(id);
        if (b == null || b.getState() == Bundle.UNINSTALLED) {
            throw CameraException.notFound("there is no bundle " + id);
        }
        return b;
    }

    /** Installed bundles with this symbolic name. */
    List<Bundle> bySymbolicName(String symbolicName) {
        List<Bundle> found = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName()) && b.getState() != Bundle.UNINSTALLED) {
                found.add(b);
            }
        }
        return found;
    }

    /** The symbolic name and version of a bundle jar. */
    record JarIdentity(String symbolicName, Version version) {
        @Override
        public String toString() {
            return symbolicName + " " + version;
        }
    }

    /**
     * Reads a jar's manifest.
     *
     * @param what how to name the file in messages ("the upload", "repository/x.jar")
     * @throws CameraException INVALID_ARGUMENT when it is not a jar or has no Bundle-SymbolicName
     */
    static JarIdentity identify(Path jar, String what) {
        Manifest manifest;
        try (JarFile file = new JarFile(jar.toFile())) {
            manifest = file.getManifest();
        } catch (ZipException e) {
            throw CameraException.invalid("bundle", what + " is not a jar file");
        } catch (IOException e) {
            throw CameraException.invalid("bundle", what + " cannot be read as a jar: " + e.getMessage());
        }
        Attributes main = manifest == null ? null : manifest.getMainAttributes();
        String bsn = main == null ? null : main.getValue(Constants.BUNDLE_SYMBOLICNAME);
        if (bsn == null || bsn.isBlank()) {
            throw CameraException.invalid("bundle", what + " is a jar but not an OSGi bundle: its manifest has no "
                    + Constants.BUNDLE_SYMBOLICNAME);
        }
        String name = bsn.split(";", 2)[0].strip();
        Version version;
        try {
            version = Version.parseVersion(main.getValue(Constants.BUNDLE_VERSION));
        } catch (IllegalArgumentException e) {
            throw CameraException.invalid("bundle", what + " has an invalid " + Constants.BUNDLE_VERSION + ": "
                    + main.getValue(Constants.BUNDLE_VERSION));
        }
        return new JarIdentity(name, version);
    }

    /**
     * Installs and starts (unless {@code start} is false, or it is a fragment) the bundle in {@code jar}.
     *
     * @throws CameraException INVALID_ARGUMENT (not a bundle), CONFLICT (a bundle of that name is installed, it
     *                         does not resolve, or it fails to start: it is uninstalled again)
     */
    synchronized BundleView install(Path jar, boolean start) {
        return install(jar, start, Progress.unwatched(Progress.BUNDLE_INSTALL, null));
    }

    /**
     * Like {@link #install(Path, boolean)}, reporting each step to {@code progress} and ending it (done or
     * failed).
     */
    synchronized BundleView install(Path jar, boolean start, Progress progress) {
        try {
            progress.step("checking the upload");
            JarIdentity id = identify(jar, "the uploaded file");
            for (Bundle existing : bySymbolicName(id.symbolicName())) {
                throw new CameraException(Kind.CONFLICT, "bundle " + existing.getSymbolicName() + " "
                        + existing.getVersion() + " is already installed (id " + existing.getBundleId()
                        + "): update it instead (PUT /api/v1/bundles/" + existing.getBundleId() + ", or 'update "
                        + existing.getBundleId() + "' in the shell)");
            }
            progress.step("installing " + id);
            Bundle b;
            try (InputStream in = Files.newInputStream(jar)) {
                b = context.installBundle(UPLOAD_LOCATION + id.symbolicName(), in);
            } catch (BundleException e) {
                throw new CameraException(Kind.CONFLICT, "bundle " + id + " cannot be installed: " + e.getMessage(), e);
            } catch (IOException e) {
                throw new CameraException(Kind.IO, "cannot read the uploaded bundle: " + e.getMessage(), e);
            }
            LOG.info("installed bundle {} (id {})", id, b.getBundleId());
            try {
                activate(List.of(b), start, progress);
            } catch (CameraException e) {
                progress.step("uninstalling " + id + " again");
                remove(List.of(b));
                throw e;
            }
            BundleView view = BundleView.of(b);
            progress.done(id + " installed (id " + view.id() + "), " + view.state());
            return view;
        } catch (CameraException e) {
            progress.failed(e.getMessage());
            throw e;
        }
    }

    /**
     * Resolves the bundles together and starts those that are not fragments, then checks their components.
     * On failure the bundles are stopped again (the caller uninstalls them).
     *
     * @throws CameraException CONFLICT naming the bundle and why
     */
    void activate(List<Bundle> bundles, boolean start) {
        activate(bundles, start, Progress.unwatched(Progress.BUNDLE_INSTALL, null));
    }

    /** Like {@link #activate(List, boolean)}, reporting resolving and each start to {@code progress}. */
    void activate(List<Bundle> bundles, boolean start, Progress progress) {
        FrameworkWiring wiring = wiring();
        if (!bundles.isEmpty()) {
            progress.step("resolving " + String.join(", ", bundles.stream().map(b -> b.getSymbolicName() + " "
                    + b.getVersion()).toList()));
        }
        if (!wiring.resolveBundles(bundles)) {
            List<String> reasons = new ArrayList<>();
            for (Bundle b : bundles) {
                if (b.getState() == Bundle.INSTALLED) {
                    List<String> missing = Resolution.missing(b, wiring);
                    reasons.add(b.getSymbolicName() + " " + b.getVersion() + " does not resolve"
                            + (missing.isEmpty() ? "" : ": missing requirement" + (missing.size() > 1 ? "s " : " ")
                                    + String.join("; ", missing)));
                }
            }
            if (!reasons.isEmpty()) {
                throw new CameraException(Kind.CONFLICT, String.join(". ", reasons));
            }
        }
        if (!start) {
            return;
        }
        List<Bundle> started = new ArrayList<>();
        try {
            for (Bundle b : bundles) {
                if (BundleView.isFragment(b)) {
                    continue;
                }
                try {
                    progress.step("starting " + b.getSymbolicName() + " (id " + b.getBundleId() + ")");
                    b.start();
                    started.add(b);
                } catch (BundleException e) {
                    throw new CameraException(Kind.CONFLICT, Resolution.whyNotStarted(b, e, wiring), e);
                } catch (IllegalStateException | SecurityException e) {
                    throw new CameraException(Kind.CONFLICT, b.getSymbolicName() + " could not start: " + e.getMessage(), e);
                }
            }
            for (Bundle b : started) {
                List<String> failures = probe.failures(b, settleMillis);
                if (!failures.isEmpty()) {
                    throw new CameraException(Kind.CONFLICT, b.getSymbolicName() + " " + b.getVersion()
                            + ": a component failed to activate: " + String.join("; ", failures));
                }
            }
        } catch (CameraException e) {
            for (Bundle b : started) {
                stopQuietly(b);
            }
            throw e;
        }
    }

    /** Starts a bundle. @throws CameraException NOT_FOUND, CONFLICT (fragment, protected, does not start) */
    synchronized BundleView start(long id) {
        Bundle b = bundle(id);
        if (BundleView.isFragment(b)) {
            throw new CameraException(Kind.CONFLICT, b.getSymbolicName() + " is a fragment: it cannot be started");
        }
        try {
            b.start();
        } catch (BundleException e) {
            throw new CameraException(Kind.CONFLICT, Resolution.whyNotStarted(b, e, wiring()), e);
        }
        List<String> failures = probe.failures(b, settleMillis);
        if (!failures.isEmpty()) {
            throw new CameraException(Kind.CONFLICT, b.getSymbolicName() + " started, but a component failed to "
                    + "activate: " + String.join("; ", failures));
        }
        return BundleView.of(b);
    }

    /** Stops a bundle. @throws CameraException NOT_FOUND, CONFLICT (framework or this bundle) */
    synchronized BundleView stop(long id) {
        Bundle b = bundle(id);
        protect(b, "stopped");
        try {
            b.stop();
        } catch (BundleException e) {
            throw new CameraException(Kind.CONFLICT, b.getSymbolicName() + " could not stop: "
                    + Resolution.rootMessage(e), e);
        }
        return BundleView.of(b);
    }

    /**
     * Replaces a bundle's content with {@code jar} (same symbolic name). A bundle that was active is started
     * again by the framework; if the new content does not resolve or start, the bundle stays installed, stopped,
     * and the reason is reported.
     *
     * @throws CameraException NOT_FOUND, INVALID_ARGUMENT (not a bundle, another symbolic name), CONFLICT
     */
    synchronized BundleView update(long id, Path jar) {
        return update(id, jar, Progress.unwatched(Progress.BUNDLE_UPDATE, String.valueOf(id)));
    }

    /** Like {@link #update(long, Path)}, reporting each step to {@code progress} and ending it (done or failed). */
    synchronized BundleView update(long id, Path jar, Progress progress) {
        try {
            progress.step("checking the upload");
            BundleView view = doUpdate(id, jar, progress);
            progress.done(view.symbolicName() + " updated to " + view.version() + " (id " + view.id() + "), "
                    + view.state());
            return view;
        } catch (CameraException e) {
            progress.failed(e.getMessage());
            throw e;
        }
    }

    private BundleView doUpdate(long id, Path jar, Progress progress) {
        Bundle b = bundle(id);
        protect(b, "updated");
        JarIdentity identity = identify(jar, "the uploaded file");
        if (!identity.symbolicName().equals(b.getSymbolicName())) {
            throw CameraException.invalid("bundle", "the uploaded file is " + identity.symbolicName() + ", not "
                    + b.getSymbolicName() + ": install it as a bundle of its own");
        }
        boolean wasActive = b.getState() == Bundle.ACTIVE || b.getState() == Bundle.STARTING;
        progress.step("updating " + b.getSymbolicName() + " " + b.getVersion() + " (id " + id + ") to "
                + identity.version() + (wasActive ? "; it restarts" : ""));
        try (InputStream in = Files.newInputStream(jar)) {
            b.update(in);
        } catch (BundleException e) {
            throw new CameraException(Kind.CONFLICT, "updated " + b.getSymbolicName() + " to " + identity.version()
                    + ", but " + Resolution.whyNotStarted(b, e, wiring()) + "; it stays stopped", e);
        } catch (IOException e) {
            throw new CameraException(Kind.IO, "cannot read the uploaded bundle: " + e.getMessage(), e);
        }
        FrameworkWiring wiring = wiring();
        if (wiring.getRemovalPendingBundles().contains(b)) {
            // other bundles were wired to the old revision: rewire them to the new one
            progress.step("refreshing the bundles wired to the old " + b.getSymbolicName());
            wiring.refreshBundles(List.of(b));
        }
        LOG.info("updated bundle {} (id {})", identity, b.getBundleId());
        if (wasActive) {
            List<String> failures = probe.failures(b, settleMillis);
            if (!failures.isEmpty()) {
                throw new CameraException(Kind.CONFLICT, "updated " + b.getSymbolicName() + " to " + identity.version()
                        + ", but a component failed to activate: " + String.join("; ", failures));
            }
        }
        return BundleView.of(b);
    }

    /**
     * Uninstalls a bundle, refusing the framework, this bundle, a bundle an installed feature needs, and
     * (unless {@code force}) a bundle other bundles are wired to.
     *
     * @throws CameraException NOT_FOUND, CONFLICT
     */
    synchronized BundleView uninstall(long id, boolean force) {
        Bundle b = bundle(id);
        protect(b, "uninstalled");
        Optional<String> needed = guard.neededBy(b);
        if (needed.isPresent()) {
            throw new CameraException(Kind.CONFLICT, b.getSymbolicName() + " is needed by " + needed.get());
        }
        if (!force) {
            Set<String> users = dependents(b, Set.of(b));
            if (!users.isEmpty()) {
                throw new CameraException(Kind.CONFLICT, b.getSymbolicName() + " is used by " + String.join(", ", users)
                        + ": uninstalling it would stop them (force it with ?force=true)");
            }
        }
        BundleView view = BundleView.of(b);
        remove(List.of(b));
        return new BundleView(view.id(), view.symbolicName(), view.version(), view.name(), "uninstalled",
                view.location(), view.fragment());
    }

    /** Symbolic names of the bundles outside {@code leaving} that are wired to {@code b}. */
    Set<String> dependents(Bundle b, Set<Bundle> leaving) {
        Set<String> users = new LinkedHashSet<>();
        BundleWiring w = b.adapt(BundleWiring.class);
        if (w == null) {
            return users;
        }
        for (BundleWire wire : w.getProvidedWires(null)) {
            Bundle user = wire.getRequirerWiring().getBundle();
            if (user != null && !leaving.contains(user) && user.getState() != Bundle.UNINSTALLED) {
                users.add(user.getSymbolicName());
            }
        }
        return users;
    }

    /** Refuses to touch the framework and this bundle. */
    void protect(Bundle b, String what) {
        if (b.getBundleId() == 0) {
            throw new CameraException(Kind.CONFLICT, "the framework itself cannot be " + what + " here");
        }
        if (b.getBundleId() == context.getBundle().getBundleId()) {
            throw new CameraException(Kind.CONFLICT, b.getSymbolicName() + " serves this request and cannot be " + what
                    + " through it: use the shell");
        }
    }

    /** Uninstalls bundles and lets the framework drop their wiring. Never throws. */
    void remove(List<Bundle> bundles) {
        List<Bundle> removed = new ArrayList<>();
        for (Bundle b : bundles) {
            try {
                if (b.getState() != Bundle.UNINSTALLED) {
                    b.uninstall();
                    removed.add(b);
                    LOG.info("uninstalled bundle {} {} (id {})", b.getSymbolicName(), b.getVersion(), b.getBundleId());
                }
            } catch (BundleException | IllegalStateException e) {
                LOG.warn("could not uninstall bundle {}: {}", b.getBundleId(), e.getMessage());
            }
        }
        if (!removed.isEmpty()) {
            try {
                wiring().refreshBundles(removed);
            } catch (RuntimeException e) {
                LOG.warn("refresh after uninstalling failed: {}", e.toString());
            }
        }
    }

    private static void stopQuietly(Bundle b) {
        try {
            b.stop();
        } catch (BundleException | IllegalStateException e) {
            LOG.warn("could not stop bundle {}: {}", b.getBundleId(), e.getMessage());
        }
    }
}
