package org.obscura.rest.internal;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.felix.utils.properties.TypedProperties;
import org.obscura.camera.api.CameraException;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.SynchronousConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes configuration changes back into the files of {@code conf/} they were read from, atomically.
 *
 * <p>FileInstall can write changes back itself ({@code felix.fileinstall.enableConfigSave=true}), but it
 * truncates the file and writes it in place: a crash in that moment leaves an empty file (every camera or setting
 * in it lost at the next start), and its own folder scan can read the half-written file back. The server therefore
 * runs FileInstall with write-back off and this component does the same job: on every update of a configuration
 * linked to a file ({@value CameraConfigurations#FILEINSTALL_FILENAME} naming a {@code .cfg}/{@code .config} file
 * in a watched folder), the file is read with the parser FileInstall uses (Felix utils' {@link TypedProperties},
 * which keeps comments and layout), the changed values are set, and the result replaces the file by a temporary
 * file and a rename ({@link ConfigurationFiles#write(Path, byte[])}). A file that already holds the values (a
 * change that came from the file itself, or a file the REST API wrote first) is left untouched, so nothing loops.
 * When a linked configuration is deleted (web console, Gogo), its file is deleted too, as FileInstall would.
 *
 * <p>Synchronous: the file is written on the thread that changed the configuration, before its {@code update()}
 * returns. Delivered later (an asynchronous listener, as this was), the file lagged its configuration, and
 * FileInstall's scan of {@code conf/} could read the file of the change before and put those values back: a
 * feature installed and uninstalled within a second came back. A scan that reads a file just before a change and
 * compares it just after can still do that; the window is now as short as that scan. Events of different threads
 * are taken one at a time.
 *
 * <p>Inactive when FileInstall is not configured or writes back itself.
 */
@Component(service = SynchronousConfigurationListener.class, immediate = true)
public final class ConfigFileWriteBack implements SynchronousConfigurationListener {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigFileWriteBack.class);

    private final ConfigurationAdmin admin;
    private final ConfigurationFiles files;
    private final TypedProperties.SubstitutionCallback substitution;
    /** The file of each linked configuration, remembered so that a deletion can remove it. */
    private final Map<String, Path> filesByPid = new ConcurrentHashMap<>();

    @Activate
    public ConfigFileWriteBack(@Reference ConfigurationAdmin admin, BundleContext context) {
        this(admin, ConfigurationFiles.fromFramework(context::getProperty).filter(f -> !f.writeBack()).orElse(null),
                (name, key, variable) -> context.getProperty(variable));
    }

    /** For tests: {@code files} null makes the component do nothing. */
    ConfigFileWriteBack(ConfigurationAdmin admin, ConfigurationFiles files, TypedProperties.SubstitutionCallback substitution) {
        this.admin = admin;
        this.files = files;
        this.substitution = substitution;
        if (files != null) {
            try {
                Configuration[] all = admin.listConfigurations(null);
                for (Configuration c : all == null ? new Configuration[0] : all) {
                    files.linked(c.getProperties()).ifPresent(f -> filesByPid.put(c.getPid(), f));
                }
            } catch (IOException | InvalidSyntaxException | IllegalStateException e) {
                LOG.warn("could not list the configurations linked to files: {}", e.toString());
            }
        }
    }

    @Override
    public synchronized void configurationEvent(ConfigurationEvent event) {
        if (files == null) {
            return;
        }
        if (event.getType() == ConfigurationEvent.CM_DELETED) {
            Path file = filesByPid.remove(event.getPid());
            if (file != null) {
                try {
                    files.delete(file);
                } catch (IOException e) {
                    LOG.error("configuration {} was deleted but its file {} could not be: it comes back at the next start",
                            event.getPid(), files.shown(file), e);
                }
            }
            return;
        }
        if (event.getType() != ConfigurationEvent.CM_UPDATED) {
            return;
        }
        Dictionary<String, Object> properties;
        try {
            Configuration[] found = admin.listConfigurations("(service.pid=" + event.getPid() + ")");
            properties = found == null || found.length == 0 ? null : found[0].getProperties();
        } catch (IOException | InvalidSyntaxException | IllegalStateException e) {
            return; // deleted meanwhile: the deletion event follows
        }
        Optional<Path> linked = files.linked(properties);
        if (linked.isEmpty()) {
            return;
        }
        filesByPid.put(event.getPid(), linked.get());
        writeBack(linked.get(), properties);
    }

    /**
     * Whether the file already holds exactly these values, with their types. (TypedProperties' own update compares
     * the values' text, which differs for equal values written another way, e.g. by hand.)
     */
    private static boolean sameValues(TypedProperties content, Map<String, Object> values) {
        Set<String> inFile = new HashSet<>(content.keySet());
        inFile.removeAll(ConfigFileFormat.NOT_IN_FILE);
        if (!inFile.equals(values.keySet())) {
            return false;
        }
        for (Map.Entry<String, Object> e : values.entrySet()) {
            if (!Objects.deepEquals(content.get(e.getKey()), e.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** Sets the user values of {@code properties} in {@code file}, replacing it atomically if anything changes. */
    void writeBack(Path file, Dictionary<String, Object> properties) {
        if (!Files.isRegularFile(file)) {
            return; // removed by hand: FileInstall deletes the configuration next
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (Enumeration<String> keys = properties.keys(); keys.hasMoreElements();) {
            String key = keys.nextElement();
            if (!ConfigFileFormat.NOT_IN_FILE.contains(key)) {
                values.put(key, properties.get(key));
            }
        }
        try {
            TypedProperties content = new TypedProperties(substitution);
            try (Reader in = Files.newBufferedReader(file, files.charset())) {
                content.load(in);
            }
            if (sameValues(content, values) || !content.update(values)) {
                return;
            }
            StringWriter text = new StringWriter();
            content.save(text);
            files.write(file, text.toString());
            LOG.debug("wrote the changed configuration into {}", files.shown(file));
        } catch (IOException | RuntimeException e) {
            String reason = e instanceof CameraException ? e.getMessage() : e.toString();
            LOG.error("configuration change not written into {} (it is lost at the next start): {}", files.shown(file),
                    reason);
        }
    }
}
