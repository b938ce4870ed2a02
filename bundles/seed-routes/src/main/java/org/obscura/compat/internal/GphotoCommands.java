package org.obscura.compat.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import org.obscura.camera.api.CameraDescriptor;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraRegistry;
import org.obscura.camera.api.CameraStatus;
import org.obscura.camera.api.Capability;
import org.obscura.camera.api.DeviceInfo;
import org.obscura.camera.api.DriverInfo;
import org.obscura.camera.api.Setting;

/**
 * The read-only gphoto2 command-line arguments that FourCutTogether's {@code /cmd?arg=} accepts, answered from
 * Obscura's own services in the layout the {@code gphoto2} tool prints. Nothing is ever run: the argument is
 * compared with a fixed list, and anything else is refused. Arguments that change the camera or its files
 * ({@code --set-config}, {@code --capture-*}, {@code --delete-*}, {@code --reset}) are not on the list.
 *
 * <p>Thread-safe; blocks as long as the registry takes to read settings or discover devices.
 */
final class GphotoCommands {

    /** The accepted arguments; {@code --get-config} takes its value after '='. */
    static final List<String> ALLOWED = List.of("--auto-detect", "--summary", "--abilities", "--list-config",
            "--get-config=<name>");

    private static final Pattern SETTING = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    /** A setting as gphoto2 names it: its name alone or its path, {@code /main/imgsettings/iso}. */
    private static final Pattern SETTING_PATH = Pattern.compile(
            "/?[A-Za-z0-9][A-Za-z0-9_.-]{0,127}(/[A-Za-z0-9][A-Za-z0-9_.-]{0,127}){0,7}");

    private final CameraRegistry registry;

    GphotoCommands(CameraRegistry registry) {
        this.registry = registry;
    }

    /**
     * The output of one argument for the given camera.
     *
     * @param camera the served camera (looked up only by arguments that need it)
     * @throws SeedException 400 for an argument that is not on the list
     * @throws CameraException from the registry
     */
    String run(String arg, Supplier<CameraStatus> camera) {
        if (arg == null || arg.isBlank()) {
            throw SeedException.badRequest("missing parameter 'arg': give one of " + String.join(", ", ALLOWED));
        }
        String a = arg.trim();
        if (a.length() > 256) {
            throw SeedException.badRequest("argument too long: at most 256 characters");
        }
        if (a.startsWith("--get-config=")) {
            return getConfig(camera.get(), a.substring("--get-config=".length()));
        }
        return switch (a) {
            case "--auto-detect" -> autoDetect();
            case "--summary" -> summary(camera.get());
            case "--abilities" -> abilities(camera.get());
            case "--list-config" -> listConfig(camera.get());
            case "--get-config" -> throw SeedException.badRequest("--get-config needs a setting: --get-config=<name>");
            default -> throw SeedException.badRequest("argument '" + printable(a) + "' is not allowed; this server "
                    + "answers only the read-only arguments " + String.join(", ", ALLOWED));
        };
    }

    /** Every device the available drivers see, gphoto2's first, as {@code gphoto2 --auto-detect} lists them. */
    String autoDetect() {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%-30s %-16s\n", "Model", "Port"));
        b.append("----------------------------------------------------------\n");
        List<DriverInfo> drivers = new ArrayList<>(registry.drivers());
        drivers.sort((x, y) -> Boolean.compare(!"gphoto2".equals(x.id()), !"gphoto2".equals(y.id())));
        for (DriverInfo d : drivers) {
            if (!d.available()) {
                continue;
            }
            List<DeviceInfo> devices;
            try {
                devices = registry.discover(d.id());
            } catch (CameraException e) {
                continue;
            }
            for (DeviceInfo device : devices) {
                b.append(String.format("%-30s %-16s", device.name(), device.device()).stripTrailing()).append('\n');
            }
        }
        return b.toString();
    }

    String summary(CameraStatus camera) {
        CameraDescriptor d = camera.descriptor();
        StringBuilder b = new StringBuilder("Camera summary:\n");
        b.append("Name: ").append(camera.name()).append('\n');
        if (d != null) {
            b.append("Model: ").append(model(d)).append('\n');
            b.append("Driver: ").append(d.driver()).append('\n');
            b.append("Port: ").append(d.device()).append('\n');
            b.append("Mode: ").append(d.mode().format().fourcc()).append(' ').append(d.mode().resolution());
            if (d.mode().fps() > 0) {
                b.append(" at ").append(d.mode().fps()).append(" fps");
            }
            b.append('\n');
        }
        b.append("State: ").append(camera.state().name().toLowerCase(Locale.ROOT)).append('\n');
        if (camera.lastError() != null) {
            b.append("Last error: ").append(camera.lastError()).append('\n');
        }
        if (d != null && !d.properties().isEmpty()) {
            b.append("\nDevice facts:\n");
            new TreeMap<>(d.properties()).forEach((k, v) -> b.append(k).append(": ").append(v).append('\n'));
        }
        return b.toString();
    }

    String abilities(CameraStatus camera) {
        CameraDescriptor d = described(camera);
        StringBuilder b = new StringBuilder();
        line(b, "Abilities for camera", model(d));
        line(b, "Capture choices", "");
        if (d.can(Capability.STILL)) {
            line(b, "", "Image");
        }
        if (d.can(Capability.PREVIEW) || d.can(Capability.STREAM)) {
            line(b, "", "Preview");
        }
        line(b, "Configuration support", d.can(Capability.SETTINGS) ? "yes" : "no");
        line(b, "Delete selected files on camera", "no");
        line(b, "Delete all files on camera", "no");
        line(b, "File preview (thumbnail) support", "no");
        line(b, "File upload support", "no");
        return b.toString();
    }

    String listConfig(CameraStatus camera) {
        StringBuilder b = new StringBuilder();
        for (Setting s : registry.settings(camera.name())) {
            b.append(path(s)).append('\n');
        }
        return b.toString();
    }

    String getConfig(CameraStatus camera, String name) {
        String key = name.substring(name.lastIndexOf('/') + 1);
        if (!SETTING_PATH.matcher(name).matches() || name.contains("..") || !SETTING.matcher(key).matches()) {
            throw SeedException.badRequest("--get-config needs a setting name (letters, digits, '_', '.', '-'), not '"
                    + printable(name) + "'");
        }
        Setting s = registry.settings(camera.name()).stream().filter(x -> x.name().equals(key)).findFirst()
                .orElseThrow(() -> new SeedException(404, "camera '" + camera.name() + "' has no setting '" + key
                        + "'; --list-config lists them"));
        StringBuilder b = new StringBuilder();
        b.append("Label: ").append(s.label()).append('\n');
        b.append("Readonly: ").append(s.readOnly() ? 1 : 0).append('\n');
        switch (s.type()) {
            case MENU -> {
                b.append("Type: RADIO\n");
                b.append("Current: ").append(value(s.value())).append('\n');
                for (int i = 0; i < s.options().size(); i++) {
                    b.append("Choice: ").append(i).append(' ').append(s.options().get(i)).append('\n');
                }
            }
            case INTEGER, RANGE -> {
                b.append("Type: RANGE\n");
                b.append("Current: ").append(value(s.value())).append('\n');
                b.append("Bottom: ").append(value(s.min())).append('\n');
                b.append("Top: ").append(value(s.max())).append('\n');
                b.append("Step: ").append(value(s.step())).append('\n');
            }
            case BOOLEAN -> {
                b.append("Type: TOGGLE\n");
                b.append("Current: ").append(Boolean.TRUE.equals(s.value()) ? 1 : 0).append('\n');
            }
            case BUTTON -> b.append("Type: BUTTON\n");
            case TEXT -> {
                b.append("Type: TEXT\n");
                b.append("Current: ").append(value(s.value())).append('\n');
            }
        }
        b.append("END\n");
        return b.toString();
    }

    private static CameraDescriptor described(CameraStatus camera) {
        if (camera.descriptor() == null) {
            throw new CameraException(CameraException.Kind.UNAVAILABLE, "camera '" + camera.name() + "' is not described yet");
        }
        return camera.descriptor();
    }

    private static String model(CameraDescriptor d) {
        for (String key : List.of("model", "card")) {
            Object v = d.properties().get(key);
            if (v != null && !v.toString().isBlank()) {
                return v.toString();
            }
        }
        return d.label();
    }

    private static String path(Setting s) {
        return "/main/" + (s.group() == null || s.group().isBlank() ? "" : s.group() + "/") + s.name();
    }

    private static void line(StringBuilder b, String label, String value) {
        b.append(String.format("%-33s: %s", label, value).stripTrailing()).append('\n');
    }

    private static String value(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) {
            return String.valueOf(d.longValue());
        }
        return v.toString();
    }

    /** Client text for a message: control characters replaced, at most 64 characters. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 64; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        return s.length() > 64 ? b + "..." : b.toString();
    }
}
