package org.obscura.plugins.internal;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.obscura.camera.api.CameraException;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bundles and features at runtime, shared by the REST routes ({@link PluginsServlet}) and the shell
 * ({@link FeatureCommands}).
 *
 * <h2>Folders</h2>
 * Features are read from the framework property {@value #FEATURES_DIR} (default {@code features}), optional
 * bundle jars from {@value #REPOSITORY_DIR} (default {@code repository}), both relative to the working
 * directory.
 *
 * <h2>Features at start</h2>
 * The configuration {@value #PID} ({@code conf/org.obscura.features.config}: {@code features = ["lab", "dslr"]})
 * lists the features installed when the server starts (and whenever the list changes); each is installed on a
 * thread of its own, one after the other, and the outcome logged. Installing or uninstalling a feature through
 * REST or the shell updates that list, so the choice survives a restart: through ConfigAdmin when the
 * configuration exists (FileInstall writes it back to its file), else by writing the file into the
 * configuration folder ({@code obscura.conf.dir}, or the first {@code felix.fileinstall.dir}).
 *
 * <h2>Progress</h2>
 * Every install and uninstall (features, uploaded bundles) reports its steps as they happen ({@link Progress}):
 * each is posted on Event Admin as {@value Progress#TOPIC} with the properties {@code id} (of the operation),
 * {@code operation}, {@code target}, {@code step}, {@code message} and {@code state} (running, done, failed).
 */
@Component(service = Plugins.class, immediate = true, configurationPid = Plugins.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = Plugins.Config.class)
public class Plugins {

    static final String PID = "org.obscura.features";
    static final String FEATURES = "features";
    static final String FEATURES_DIR = "obscura.features.dir";
    static final String REPOSITORY_DIR = "obscura.repository.dir";
    /** How long a started bundle's components may take to activate before their state is judged. */
    static final long SETTLE_MILLIS = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(Plugins.class);

    /** The features installed at start. */
    @ObjectClassDefinition(name = "Features at start",
            description = "Features installed when the server starts; installing or removing one through the API or "
                    + "the shell updates this list.")
    public @interface Config {
        @AttributeDefinition(name = "Features", description = "Feature names (features/<name>.json).", required = false)
        String[] features() default {};
    }

    private final BundleContext context;
    private final ConfigurationAdmin configAdmin;
    private final BundleInstaller bundles;
    private final Features features;
    /** Where the steps of installs are published; optional (without it they are still reported to the caller). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile EventAdmin events;
    private final ExecutorService boot = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "obscura-features");
        t.setDaemon(true);
        return t;
    });

    @Activate
    public Plugins(BundleContext context, @Reference ConfigurationAdmin configAdmin,
            @Reference ServiceComponentRuntime scr, Config config) {
        this.context = context;
        this.configAdmin = configAdmin;
        this.bundles = new BundleInstaller(context, probe(scr), SETTLE_MILLIS);
        Path featuresDir = Path.of(property(context, FEATURES_DIR, "features"));
        Path repositoryDir = Path.of(property(context, REPOSITORY_DIR, "repository"));
        this.features = new Features(new FeatureCatalog(featuresDir, repositoryDir), bundles,
                new AdminConfigurations(configAdmin));
        bundles.guard(features::neededBy);
        installAtStart(config);
    }

    /** For tests: the parts, without ConfigAdmin persistence. */
    Plugins(BundleInstaller bundles, Features features) {
        this.context = bundles.context();
        this.configAdmin = null;
        this.bundles = bundles;
        this.features = features;
        bundles.guard(features::neededBy);
    }

    @Modified
    void modified(Config config) {
        installAtStart(config);
    }

    @Deactivate
    void deactivate() {
        boot.shutdownNow();
    }

    BundleInstaller bundles() {
        return bundles;
    }

    Features features() {
        return features;
    }

    /**
     * A new operation whose steps are published on Event Admin ({@link Progress#TOPIC}, when Event Admin runs) and
     * told to {@code watcher} (when not {@code null}).
     */
    Progress progress(String operation, String target, Progress.Listener watcher) {
        List<Progress.Listener> listeners = new ArrayList<>();
        listeners.add(this::publish);
        if (watcher != null) {
            listeners.add(watcher);
        }
        return new Progress(operation, target, listeners);
    }

    /** Posts a step (asynchronous delivery, in order of posting); without Event Admin the step is only kept. */
    private void publish(Progress operation, Progress.Step step) {
        EventAdmin admin = events;
        if (admin != null) {
            admin.postEvent(new Event(Progress.TOPIC, operation.eventProperties(step)));
        }
    }

    /** Installs a feature and, when it was not installed yet, adds it to the features installed at start. */
    Features.Outcome installFeature(String name) {
        return installFeature(progress(Progress.FEATURE_INSTALL, name, null));
    }

    /** Like {@link #installFeature(String)}, reporting to {@code progress} (target: the feature's name). */
    Features.Outcome installFeature(Progress progress) {
        String name = progress.target();
        Features.Outcome outcome = features.install(name, progress);
        if (!outcome.alreadyInstalled()) {
            remember(name, true);
        }
        return outcome;
    }

    /** Uninstalls a feature and drops it from the features installed at start. */
    Features.Outcome uninstallFeature(String name) {
        return uninstallFeature(progress(Progress.FEATURE_UNINSTALL, name, null));
    }

    /** Like {@link #uninstallFeature(String)}, reporting to {@code progress} (target: the feature's name). */
    Features.Outcome uninstallFeature(Progress progress) {
        String name = progress.target();
        Features.Outcome outcome = features.uninstall(name, progress);
        remember(name, false);
        return outcome;
    }

    private void installAtStart(Config config) {
        List<String> names = new ArrayList<>();
        for (String n : config.features()) {
            if (n != null && !n.isBlank()) {
                names.add(n.strip());
            }
        }
        if (names.isEmpty()) {
            return;
        }
        boot.execute(() -> {
            for (String n : names) {
                try {
                    if (features.status(n).installed()) {
                        continue; // e.g. the list changed because a feature was installed: nothing to do, nothing to report
                    }
                    Features.Outcome o = features.install(n, progress(Progress.FEATURE_INSTALL, n, null));
                    if (!o.alreadyInstalled()) {
                        LOG.info("feature '{}' installed at start ({} bundles)", n, o.bundles().size());
                    }
                } catch (CameraException e) {
                    LOG.error("feature '{}' (listed in {}) could not be installed: {}", n, PID, e.getMessage());
                } catch (RuntimeException e) {
                    LOG.error("feature '{}' (listed in {}) could not be installed", n, PID, e);
                }
            }
        });
    }

    /**
     * Adds a feature to, or removes it from, the list of features installed at start. A failure to store it is
     * logged: the feature itself was installed or removed.
     */
    private synchronized void remember(String name, boolean add) {
        if (configAdmin == null) {
            return;
        }
        try {
            Configuration c = configAdmin.getConfiguration(PID, "?");
            Dictionary<String, Object> properties = c.getProperties();
            Set<String> list = new LinkedHashSet<>();
            if (properties != null) {
                Object value = properties.get(FEATURES);
                if (value instanceof String[] array) {
                    list.addAll(Arrays.asList(array));
                } else if (value instanceof Iterable<?> it) {
                    it.forEach(v -> list.add(String.valueOf(v)));
                } else if (value != null) {
                    for (String s : value.toString().split(",")) {
                        if (!s.isBlank()) {
                            list.add(s.strip());
                        }
                    }
                }
            }
            boolean changed = add ? list.add(name) : list.remove(name);
            if (!changed) {
                return;
            }
            String[] array = list.toArray(String[]::new);
            // No configuration yet: its file is written (atomically) and FileInstall reads it in. Otherwise
            // ConfigAdmin is updated at once, and the server's write-back (rest-api's ConfigFileWriteBack,
            // atomic) carries the change into the file it came from.
            Path conf = confDir();
            if (properties == null && conf != null) {
                writeConfigFile(conf.resolve(PID + ".config"), array);
                return;
            }
            Dictionary<String, Object> next = properties == null ? new Hashtable<>() : properties;
            next.put(FEATURES, array);
            c.update(next);
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not record feature '{}' in {} for the next start: {}", name, PID, e.toString());
        }
    }

    /** Writes a FileInstall typed configuration file atomically (hidden temporary file, then rename). */
    static void writeConfigFile(Path file, String[] features) throws IOException {
        StringBuilder text = new StringBuilder("# Features installed when the server starts (features/<name>.json).\n");
        text.append(FEATURES).append(" = [");
        for (int i = 0; i < features.length; i++) {
            text.append(i == 0 ? "" : ", ").append('"').append(features[i].replace("\\", "\\\\").replace("\"", "\\\""))
                    .append('"');
        }
        text.append("]\n");
        Files.createDirectories(file.getParent());
        Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try (Writer w = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
            w.write(text.toString());
        }
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private Path confDir() {
        String conf = context.getProperty("obscura.conf.dir");
        if (conf == null || conf.isBlank()) {
            String dirs = context.getProperty("felix.fileinstall.dir");
            conf = dirs == null ? null : dirs.split(",")[0].replace("'", "").strip();
        }
        return conf == null || conf.isBlank() ? null : Path.of(conf).toAbsolutePath().normalize();
    }

    private static String property(BundleContext context, String key, String defaultValue) {
        String v = context.getProperty(key);
        return v == null || v.isBlank() ? defaultValue : v.strip();
    }

    /** Component failures from SCR: configurations in FAILED_ACTIVATION, with their failure's first line. */
    static BundleInstaller.ComponentProbe probe(ServiceComponentRuntime scr) {
        return (bundle, settleMillis) -> {
            long deadline = System.nanoTime() + settleMillis * 1_000_000;
            while (true) {
                List<String> failures = new ArrayList<>();
                boolean pending = false;
                for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs(bundle)) {
                    for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                        if (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
                            String failure = c.failure == null ? "unknown failure" : c.failure.lines().findFirst().orElse("");
                            failures.add(d.name + ": " + failure);
                        } else if (d.immediate && c.state == ComponentConfigurationDTO.SATISFIED) {
                            pending = true; // about to be activated
                        }
                    }
                }
                if (!failures.isEmpty() || !pending || System.nanoTime() > deadline
                        || bundle.getState() != Bundle.ACTIVE) {
                    return failures;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return failures;
                }
            }
        };
    }

    /** Default configurations through ConfigAdmin, location "?" (any bundle may bind them). */
    static final class AdminConfigurations implements DefaultConfigurations {
        private final ConfigurationAdmin admin;

        AdminConfigurations(ConfigurationAdmin admin) {
            this.admin = admin;
        }

        private Configuration configuration(String key) throws IOException {
            int tilde = key.indexOf('~');
            return tilde > 0 ? admin.getFactoryConfiguration(key.substring(0, tilde), key.substring(tilde + 1), "?")
                    : admin.getConfiguration(key, "?");
        }

        @Override
        public boolean createIfAbsent(String key, Map<String, Object> properties) {
            try {
                Configuration c = configuration(key);
                if (c.getProperties() != null) {
                    return false;
                }
                c.update(new Hashtable<>(properties));
                return true;
            } catch (IOException | RuntimeException e) {
                throw new CameraException(CameraException.Kind.IO, "configuration " + key + " cannot be created: "
                        + e.getMessage(), e);
            }
        }

        @Override
        public void delete(String key) {
            try {
                configuration(key).delete();
            } catch (IOException | RuntimeException e) {
                LOG.warn("could not delete configuration {}: {}", key, e.toString());
            }
        }
    }
}
