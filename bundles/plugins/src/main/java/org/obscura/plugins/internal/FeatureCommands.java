package org.obscura.plugins.internal;

import java.io.PrintStream;
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
 * <p>{@code install} and {@code uninstall} print each step as it is taken (indented), then return how it ended.
 * A {@link CameraException} (unknown feature, a bundle that does not resolve, ...) becomes the one line
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

    @Descriptor("install a feature: its bundles from the repository, the features it requires, its default "
            + "configuration; prints each step as it is taken")
    public String install(@Descriptor("the feature name, as feature:list shows it") String name) {
        return run(Progress.FEATURE_INSTALL, name);
    }

    @Descriptor("uninstall a feature: removes its bundles that came from the repository and no other installed "
            + "feature needs; prints each step as it is taken")
    public String uninstall(@Descriptor("the feature name") String name) {
        return run(Progress.FEATURE_UNINSTALL, name);
    }

    /**
     * Runs the operation, printing each step on the session as it is taken (Gogo gives the command's thread the
     * session's {@code System.out}; steps are reported on this thread), and returns how it ended: what was done,
     * or {@code error: <reason>}.
     */
    private String run(String operation, String name) {
        PrintStream out = System.out;
        Progress progress = plugins.progress(operation, name, (op, step) -> {
            if (step.state() == Progress.State.RUNNING) {
                out.println("  " + step.message());
                out.flush();
            }
        });
        try {
            if (operation.equals(Progress.FEATURE_INSTALL)) {
                plugins.installFeature(progress);
            } else {
                plugins.uninstallFeature(progress);
            }
        } catch (CameraException e) {
            return "error: " + e.getMessage();
        }
        List<Progress.Step> steps = progress.steps();
        return steps.get(steps.size() - 1).message();
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
