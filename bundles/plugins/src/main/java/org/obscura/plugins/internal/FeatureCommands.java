package org.obscura.plugins.internal;

import java.util.ArrayList;
import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.obscura.camera.api.CameraException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo commands in the {@code feature} scope: {@code feature:list}, {@code feature:install <name>},
 * {@code feature:uninstall <name>}. Bundles themselves are handled by Gogo's own {@code lb}, {@code install},
 * {@code update}, {@code start}, {@code stop} and {@code uninstall}.
 *
 * <p>A {@link CameraException} (unknown feature, a bundle that does not resolve, ...) becomes the one line
 * {@code error: <message>}; the commands return text, so Gogo prints it as it is.
 */
@Component(service = FeatureCommands.class, property = {
    "osgi.command.scope=feature",
    "osgi.command.function=list",
    "osgi.command.function=install",
    "osgi.command.function=uninstall"
})
public class FeatureCommands {

    private final Plugins plugins;

    @Activate
    public FeatureCommands(@Reference Plugins plugins) {
        this.plugins = plugins;
    }

    @Descriptor("list the features (features/*.json): installed or not, and each bundle's state")
    public String list() {
        try {
            List<Features.Status> features = plugins.features().list();
            if (features.isEmpty()) {
                return "no features in " + plugins.features().catalog().featuresDir();
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] { "FEATURE", "INSTALLED", "BUNDLES", "DESCRIPTION" });
            for (Features.Status f : features) {
                if (f.problem() != null) {
                    rows.add(new String[] { f.name(), "-", "-", "cannot be read: " + f.problem() });
                    continue;
                }
                List<String> bundles = new ArrayList<>();
                for (Features.BundleStatus b : f.bundles()) {
                    bundles.add(b.symbolicName() + " (" + b.state() + ")");
                }
                rows.add(new String[] { f.name(), f.installed() ? "yes" : "no", String.join(", ", bundles),
                        f.description() + (f.requires().isEmpty() ? "" : " [requires " + String.join(", ", f.requires()) + "]") });
            }
            return table(rows);
        } catch (CameraException e) {
            return "error: " + e.getMessage();
        }
    }

    @Descriptor("install a feature: its bundles from the repository, the features it requires, its default configuration")
    public String install(@Descriptor("the feature name, as feature:list shows it") String name) {
        try {
            Features.Outcome o = plugins.installFeature(name);
            if (o.alreadyInstalled()) {
                return "feature '" + name + "' is already installed";
            }
            StringBuilder out = new StringBuilder("feature '" + name + "' installed");
            for (BundleView b : o.bundles()) {
                out.append("\n  ").append(b.symbolicName()).append(' ').append(b.version()).append("  id ")
                        .append(b.id()).append("  ").append(b.state());
            }
            for (String c : o.configurations()) {
                out.append("\n  configuration ").append(c).append(" created");
            }
            return out.toString();
        } catch (CameraException e) {
            return "error: " + e.getMessage();
        }
    }

    @Descriptor("uninstall a feature: removes its bundles that came from the repository and no other installed feature needs")
    public String uninstall(@Descriptor("the feature name") String name) {
        try {
            Features.Outcome o = plugins.uninstallFeature(name);
            StringBuilder out = new StringBuilder("feature '" + name + "' uninstalled");
            for (BundleView b : o.bundles()) {
                out.append("\n  removed ").append(b.symbolicName()).append(' ').append(b.version());
            }
            for (String k : o.kept()) {
                out.append("\n  kept ").append(k);
            }
            return out.toString();
        } catch (CameraException e) {
            return "error: " + e.getMessage();
        }
    }

    /** Columns padded, separated by two spaces, no trailing spaces. */
    static String table(List<String[]> rows) {
        int columns = rows.get(0).length;
        int[] width = new int[columns];
        for (String[] r : rows) {
            for (int i = 0; i < columns; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(i == columns - 1 ? r[i] : String.format("%-" + width[i] + "s  ", r[i]));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString().stripTrailing();
    }
}
