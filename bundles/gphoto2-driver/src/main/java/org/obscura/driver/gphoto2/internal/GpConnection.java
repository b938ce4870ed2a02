package org.obscura.driver.gphoto2.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.Setting;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.FloatByReference;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.NativeLongByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * One open libgphoto2 camera ({@code Camera*} plus its {@code GPContext*}).
 *
 * <p>Not thread-safe: the owner calls it from one thread only (the camera's own thread), as libgphoto2
 * requires. Opening and closing take the process-wide {@link Gphoto2Library#globalLock()}. Every failure is
 * a {@link CameraException}; {@link #broken()} tells whether the connection must be closed and reopened.
 */
final class GpConnection implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(GpConnection.class.getName());
    /** PTP/IP cameras are never auto-detected; this generic model drives any of them. */
    static final String PTPIP_MODEL = "PTP/IP Camera";

    /**
     * libgphoto2 widgets left out of the settings model: {@code opcode} sends raw PTP operations (format the
     * card, delete files), a debugging door that must not be open to every client that may change settings.
     */
    static final Set<String> HIDDEN = Set.of("opcode");

    /** A setting with the widget type it came from, which the settings model alone does not keep. */
    record Entry(Setting setting, WidgetType widget) {
    }

    /** A capture: where it is on the camera, and its bytes when downloaded. */
    record Captured(String folder, String name, byte[] data, boolean deleted, long triggeredNanos) {
    }

    private final Gphoto2Library library;
    private final LibGphoto2 lib;
    private final String label;
    private final String port;
    private final boolean ptpip;
    private final Pointer context;
    // libgphoto2 keeps only the function pointer: the callback object must stay reachable while the context lives
    private final LibGphoto2.ContextMessageFunc errorSink;
    private Pointer camera;
    private String lastError;
    private boolean broken;
    private boolean contextReleased;
    private String model = "";
    private Map<String, String> facts = Map.of();

    private GpConnection(Gphoto2Library library, String label, PortAddress address) {
        this.library = library;
        this.lib = library.lib();
        this.label = label;
        this.port = address.toString();
        this.ptpip = address.kind() == PortAddress.Kind.PTPIP;
        this.context = lib.gp_context_new();
        this.errorSink = (ctx, text, data) -> lastError = text;
        lib.gp_context_set_error_func(context, errorSink, null);
    }

    /**
     * Opens a camera: by port, by model, both, or the first one found.
     *
     * @param label   how messages name the camera ("camera 'dslr'")
     * @param address where it is
     * @param model   the libgphoto2 model name to use, or blank to take what auto-detection reports
     * @throws CameraException UNAVAILABLE (no such camera), BUSY (held by another program), IO, TIMEOUT
     */
    static GpConnection open(Gphoto2Library library, String label, PortAddress address, String model) {
        GpConnection c = new GpConnection(library, label, address);
        try {
            c.init(address, model == null ? "" : model.strip());
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private void init(PortAddress address, String wantedModel) {
        library.globalLock().lock();
        try {
            connect(address, wantedModel);
        } catch (RuntimeException e) {
            // release at once, still under the lock: after a failed PTP/IP connect libgphoto2 closes the
            // socket descriptors a second time on exit, so the sooner the better (see StdinGuard)
            release();
            throw e;
        } finally {
            library.globalLock().unlock();
        }
        facts = readFacts();
    }

    private void connect(PortAddress address, String wantedModel) {
        String path = address.path();
        String useModel = wantedModel;
        if (address.kind() == PortAddress.Kind.PTPIP) {
            if (useModel.isEmpty()) {
                useModel = PTPIP_MODEL;
            }
        } else {
            Gphoto2Library.Detected found = pick(library.detect(), address, wantedModel);
            path = found.port();
            useModel = found.model();
        }
        PointerByReference ref = new PointerByReference();
        check(lib.gp_camera_new(ref), "creating the camera");
        camera = ref.getValue();

        Pointer abilitiesList = library.abilitiesList(context);
        int index = lib.gp_abilities_list_lookup_model(abilitiesList, useModel);
        if (index < 0) {
            throw new CameraException(CameraException.Kind.UNAVAILABLE, label + ": libgphoto2 does not know the "
                    + "camera model '" + useModel + "': use the model name gphoto2 --auto-detect shows");
        }
        LibGphoto2.CameraAbilities abilities = new LibGphoto2.CameraAbilities();
        check(lib.gp_abilities_list_get_abilities(abilitiesList, index, abilities), "reading the model");
        check(lib.gp_camera_set_abilities(camera, abilities.byValue()), "selecting the model");

        Pointer ports = library.portList();
        int portIndex = lib.gp_port_info_list_lookup_path(ports, path);
        if (portIndex < 0) {
            throw new CameraException(CameraException.Kind.UNAVAILABLE, label + ": port '" + path
                    + "' is not available (" + lib.gp_result_as_string(portIndex) + ")");
        }
        PointerByReference info = new PointerByReference();
        check(lib.gp_port_info_list_get_info(ports, portIndex, info), "reading the port");
        check(lib.gp_camera_set_port_info(camera, info.getValue()), "selecting the port");

        int rc = lib.gp_camera_init(camera, context);
        if (rc < LibGphoto2.GP_OK) {
            CameraException e = exception(rc, "connecting");
            if (e.kind() == CameraException.Kind.IO || e.kind() == CameraException.Kind.TIMEOUT) {
                // nothing answers at that address (switched off, out of range, unplugged): not a fault
                throw new CameraException(CameraException.Kind.UNAVAILABLE, label + " is not reachable at "
                        + path + ": check that it is switched on and connected (" + e.getMessage() + ")", e);
            }
            throw e;
        }
        model = useModel;
    }

    private Gphoto2Library.Detected pick(List<Gphoto2Library.Detected> detected, PortAddress address,
            String wantedModel) {
        for (Gphoto2Library.Detected d : detected) {
            boolean portMatches = address.isAuto() || d.port().equals(address.path());
            boolean modelMatches = wantedModel.isEmpty() || d.model().equalsIgnoreCase(wantedModel);
            if (portMatches && modelMatches) {
                return d;
            }
        }
        StringBuilder seen = new StringBuilder();
        for (Gphoto2Library.Detected d : detected) {
            seen.append(seen.length() == 0 ? "" : ", ").append(d.model()).append(" at ").append(d.port());
        }
        String wanted = wantedModel.isEmpty() ? "" : " '" + wantedModel + "'";
        String where = address.isAuto() ? "" : " at " + address.path();
        throw new CameraException(CameraException.Kind.UNAVAILABLE, label + ": no camera" + wanted + " found"
                + where + (detected.isEmpty() ? ": no camera is connected, switched on and awake"
                        : "; connected: " + seen));
    }

    /** The model libgphoto2 drives it as. */
    String model() {
        return model;
    }

    /** Facts from the camera summary: manufacturer, model, version, serial number (what it reports). */
    Map<String, String> facts() {
        return facts;
    }

    /** Whether a failure left this connection unusable; the owner then closes it and opens a new one. */
    boolean broken() {
        return broken;
    }

    private Map<String, String> readFacts() {
        Memory text = new Memory(LibGphoto2.CAMERA_TEXT_SIZE);
        text.clear();
        if (lib.gp_camera_get_summary(camera, text, context) < LibGphoto2.GP_OK) {
            return Map.of(); // optional: some drivers have no summary
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text.getString(0, "UTF-8").split("\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String key = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            if (value.isEmpty()) {
                continue;
            }
            switch (key) {
            case "manufacturer" -> out.putIfAbsent("manufacturer", value);
            case "model" -> out.putIfAbsent("model", value);
            case "version" -> out.putIfAbsent("version", value);
            case "serial number" -> out.putIfAbsent("serial", value);
            default -> {
            }
            }
        }
        return Map.copyOf(out);
    }

    // ---- settings ----

    /** Reads the whole configuration tree as settings, in the camera's order. */
    List<Entry> readSettings() {
        PointerByReference root = new PointerByReference();
        check(lib.gp_camera_get_config(camera, root, context), "reading the settings");
        try {
            List<Entry> out = new ArrayList<>();
            walk(root.getValue(), null, out);
            return out;
        } finally {
            lib.gp_widget_free(root.getValue());
        }
    }

    private void walk(Pointer widget, String group, List<Entry> out) {
        int n = lib.gp_widget_count_children(widget);
        for (int i = 0; i < n; i++) {
            PointerByReference child = new PointerByReference();
            if (lib.gp_widget_get_child(widget, i, child) < LibGphoto2.GP_OK) {
                continue;
            }
            Pointer w = child.getValue();
            IntByReference type = new IntByReference();
            lib.gp_widget_get_type(w, type);
            WidgetType kind = WidgetType.of(type.getValue());
            if (kind == null) {
                walk(w, name(w), out); // a section: its children belong to it
            } else if (!HIDDEN.contains(name(w))) {
                out.add(toEntry(w, kind, group));
            }
        }
    }

    /** Reads one setting by name; the group is not known from a single widget and is passed through. */
    Entry readSetting(String name, String group) {
        PointerByReference ref = new PointerByReference();
        if (HIDDEN.contains(name)) {
            throw CameraException.notFound(label + " has no setting '" + name + "'");
        }
        check(lib.gp_camera_get_single_config(camera, name, ref, context), "reading setting '" + name + "'");
        try {
            IntByReference type = new IntByReference();
            lib.gp_widget_get_type(ref.getValue(), type);
            WidgetType kind = WidgetType.of(type.getValue());
            if (kind == null) {
                throw CameraException.notFound(label + " has no setting '" + name + "'");
            }
            return toEntry(ref.getValue(), kind, group);
        } finally {
            lib.gp_widget_free(ref.getValue());
        }
    }

    private Entry toEntry(Pointer w, WidgetType kind, String group) {
        String name = name(w);
        PointerByReference labelRef = new PointerByReference();
        lib.gp_widget_get_label(w, labelRef);
        IntByReference readonly = new IntByReference();
        lib.gp_widget_get_readonly(w, readonly);
        Object value = null;
        List<String> options = List.of();
        Float min = null;
        Float max = null;
        Float step = null;
        switch (kind) {
        case TEXT, RADIO, MENU -> {
            PointerByReference v = new PointerByReference();
            lib.gp_widget_get_value(w, v.getPointer());
            value = Gphoto2Library.string(v.getValue());
            if (kind != WidgetType.TEXT) {
                int count = lib.gp_widget_count_choices(w);
                List<String> choices = new ArrayList<>(Math.max(count, 0));
                for (int c = 0; c < count; c++) {
                    PointerByReference choice = new PointerByReference();
                    if (lib.gp_widget_get_choice(w, c, choice) >= LibGphoto2.GP_OK) {
                        choices.add(Gphoto2Library.string(choice.getValue()));
                    }
                }
                options = choices;
            }
        }
        case RANGE -> {
            FloatByReference v = new FloatByReference();
            lib.gp_widget_get_value(w, v.getPointer());
            value = (double) v.getValue();
            FloatByReference lo = new FloatByReference();
            FloatByReference hi = new FloatByReference();
            FloatByReference inc = new FloatByReference();
            lib.gp_widget_get_range(w, lo, hi, inc);
            min = lo.getValue();
            max = hi.getValue();
            step = inc.getValue();
        }
        case TOGGLE -> {
            IntByReference v = new IntByReference();
            lib.gp_widget_get_value(w, v.getPointer());
            value = v.getValue() == 0 ? Boolean.FALSE : v.getValue() == 1 ? Boolean.TRUE : null;
        }
        case DATE -> {
            IntByReference v = new IntByReference();
            lib.gp_widget_get_value(w, v.getPointer());
            value = SettingValues.formatDate(Integer.toUnsignedLong(v.getValue()));
        }
        case BUTTON -> value = null;
        }
        Setting s = new Setting(name, Gphoto2Library.string(labelRef.getValue()), kind.settingType(), value, options,
                min == null ? null : (double) min, max == null ? null : (double) max,
                step == null ? null : (double) step, readonly.getValue() != 0, group);
        return new Entry(s, kind);
    }

    private String name(Pointer widget) {
        PointerByReference ref = new PointerByReference();
        lib.gp_widget_get_name(widget, ref);
        return Gphoto2Library.string(ref.getValue());
    }

    /**
     * Writes a setting and reads it back.
     *
     * @param value as returned by {@link SettingValues#parse}
     */
    Entry writeSetting(Entry current, Object value) {
        String name = current.setting().name();
        PointerByReference ref = new PointerByReference();
        check(lib.gp_camera_get_single_config(camera, name, ref, context), "reading setting '" + name + "'");
        Pointer w = ref.getValue();
        try {
            String action = "setting '" + name + "'";
            switch (current.widget()) {
            case TEXT, RADIO, MENU -> {
                byte[] bytes = ((String) value).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                Memory text = new Memory(bytes.length + 1L);
                text.write(0, bytes, 0, bytes.length);
                text.setByte(bytes.length, (byte) 0);
                check(lib.gp_widget_set_value(w, text), action);
            }
            case RANGE -> check(lib.gp_widget_set_value(w, new FloatByReference((Float) value).getPointer()), action);
            case TOGGLE -> check(lib.gp_widget_set_value(w, new IntByReference((Integer) value).getPointer()),
                    action);
            case DATE -> check(lib.gp_widget_set_value(w,
                    new IntByReference((int) (long) (Long) value).getPointer()), action);
            case BUTTON -> {
                // a button's value is its callback: int (*)(Camera *, CameraWidget *, GPContext *)
                PointerByReference callback = new PointerByReference();
                check(lib.gp_widget_get_value(w, callback.getPointer()), action);
                if (callback.getValue() == null) {
                    throw new CameraException(CameraException.Kind.UNSUPPORTED, label + ": button '" + name
                            + "' does nothing");
                }
                int rc = Function.getFunction(callback.getValue()).invokeInt(new Object[] { camera, w, context });
                check(rc, "pressing '" + name + "'");
                return current;
            }
            }
            check(lib.gp_camera_set_single_config(camera, name, w, context), action);
        } finally {
            lib.gp_widget_free(w);
        }
        return readSetting(name, current.setting().group());
    }

    // ---- capture ----

    /**
     * Takes a picture; downloads it when asked, then deletes it from the camera unless it is to be kept.
     * A failed delete is logged and the picture kept: the image is never lost for it. A download that is
     * not a JPEG (RAW) is never deleted.
     */
    Captured capture(boolean download, boolean keepOnCamera) {
        LibGphoto2.CameraFilePath path = new LibGphoto2.CameraFilePath();
        long triggered = System.nanoTime();
        check(lib.gp_camera_capture(camera, LibGphoto2.GP_CAPTURE_IMAGE, path, context), "capturing");
        path.read();
        String folder = path.folder();
        String name = path.name();
        if (name.isEmpty()) {
            throw new CameraException(CameraException.Kind.IO, label + ": the camera took no picture (it reported "
                    + "no new file)");
        }
        byte[] data = null;
        if (download) {
            data = download(folder, name);
        }
        boolean deleted = false;
        // a file the caller cannot use (RAW) stays on the camera whatever the configuration says
        boolean usable = data == null || JpegSize.of(data, data.length) != null;
        if (!keepOnCamera && usable) {
            lastError = null;
            int rc = lib.gp_camera_file_delete(camera, folder, name, context);
            if (rc < LibGphoto2.GP_OK) {
                LOG.log(System.Logger.Level.WARNING, "{0}: could not delete {1}/{2} from the camera: {3} ({4})",
                        label, folder, name, lib.gp_result_as_string(rc), rc);
                if (GpError.isConnectionLost(rc)) {
                    broken = true;
                }
            } else {
                deleted = true;
            }
        }
        return new Captured(folder, name, data, deleted, triggered);
    }

    private byte[] download(String folder, String name) {
        PointerByReference fileRef = new PointerByReference();
        check(lib.gp_file_new(fileRef), "preparing a download");
        Pointer file = fileRef.getValue();
        try {
            check(lib.gp_camera_file_get(camera, folder, name, LibGphoto2.GP_FILE_TYPE_NORMAL, file, context),
                    "downloading " + folder + "/" + name);
            return bytes(file);
        } finally {
            lib.gp_file_unref(file);
        }
    }

    /** One liveview image, as the camera sends it (JPEG on every camera libgphoto2 supports for preview). */
    byte[] preview() {
        PointerByReference fileRef = new PointerByReference();
        check(lib.gp_file_new(fileRef), "preparing a preview");
        Pointer file = fileRef.getValue();
        try {
            check(lib.gp_camera_capture_preview(camera, file, context), "liveview");
            return bytes(file);
        } finally {
            lib.gp_file_unref(file);
        }
    }

    private byte[] bytes(Pointer file) {
        PointerByReference data = new PointerByReference();
        NativeLongByReference size = new NativeLongByReference();
        check(lib.gp_file_get_data_and_size(file, data, size), "reading the image");
        long n = size.getValue().longValue();
        if (n <= 0 || data.getValue() == null) {
            throw new CameraException(CameraException.Kind.IO, label + ": the camera sent an empty image");
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new CameraException(CameraException.Kind.IO, label + ": image of " + n + " bytes is too large");
        }
        return data.getValue().getByteArray(0, (int) n);
    }

    // ---- errors and closing ----

    private void check(int rc, String action) {
        if (rc >= LibGphoto2.GP_OK) {
            lastError = null;
            return;
        }
        throw exception(rc, action);
    }

    private CameraException exception(int rc, String action) {
        String detail = lastError;
        lastError = null;
        if (GpError.isConnectionLost(rc)) {
            broken = true;
        }
        return GpError.toException(rc, lib.gp_result_as_string(rc), label + ": " + action, port, detail);
    }

    /** Releases the camera (and with it the USB interface or sockets). Idempotent; never throws. */
    @Override
    public void close() {
        library.globalLock().lock();
        try {
            release();
        } finally {
            library.globalLock().unlock();
        }
        // the context goes last: libgphoto2 reports through it while exiting
        if (!contextReleased) {
            contextReleased = true;
            lib.gp_context_unref(context);
        }
    }

    /** Exits and frees the camera; the caller holds the global lock. */
    private void release() {
        if (camera == null) {
            return;
        }
        StdinGuard guard = ptpip ? StdinGuard.before() : null;
        try {
            lib.gp_camera_exit(camera, context);
            lib.gp_camera_unref(camera);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, label + ": closing the camera failed", e);
        } finally {
            camera = null;
            if (guard != null) {
                guard.restore();
            }
        }
    }
}
