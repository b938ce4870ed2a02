package org.obscura.driver.gphoto2.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import org.obscura.camera.api.CameraException;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/**
 * libgphoto2 as loaded in this process: the JNA binding, the camera-model and port lists (loaded once), and
 * the lock that serialises what touches libltdl's global state (loading camera and port libraries when a
 * camera is opened, closed or auto-detected). Operations on an opened camera do not take this lock: each
 * camera has its own thread.
 */
final class Gphoto2Library {

    /** The Debian package that provides the library, for messages. */
    static final String PACKAGE = "libgphoto2-6";

    private static final Object LOADING = new Object();
    private static Gphoto2Library instance;
    private static String failure;

    private final LibGphoto2 lib;
    private final String version;
    private final ReentrantLock globalLock = new ReentrantLock();
    private Pointer abilitiesList; // guarded by globalLock
    private Pointer portList; // guarded by globalLock

    private Gphoto2Library(LibGphoto2 lib, String version) {
        this.lib = lib;
        this.version = version;
    }

    /**
     * The library, loaded on first use.
     *
     * @throws CameraException UNAVAILABLE saying which package to install when it cannot be loaded
     */
    static Gphoto2Library load() {
        synchronized (LOADING) {
            if (instance == null && failure == null) {
                try {
                    LibGphoto2 lib = Native.load("gphoto2", LibGphoto2.class);
                    instance = new Gphoto2Library(lib, readVersion());
                } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
                    failure = "libgphoto2 cannot be loaded (" + e.getMessage() + "): install the " + PACKAGE
                            + " package";
                }
            }
            if (instance == null) {
                throw new CameraException(CameraException.Kind.UNAVAILABLE, failure);
            }
            return instance;
        }
    }

    /** Why the library cannot be used, or {@code null} when it loads. */
    static String unavailableReason() {
        try {
            load();
            return null;
        } catch (CameraException e) {
            return e.getMessage();
        }
    }

    private static String readVersion() {
        try {
            // const char **gp_library_version(GPVersionVerbosity): the first entry is the version number
            Pointer table = com.sun.jna.Function.getFunction("gphoto2", "gp_library_version")
                    .invokePointer(new Object[] { 0 });
            return table == null ? "unknown" : table.getPointer(0).getString(0);
        } catch (UnsatisfiedLinkError e) {
            return "unknown";
        }
    }

    LibGphoto2 lib() {
        return lib;
    }

    String version() {
        return version;
    }

    /** Held while a camera is opened or closed and while devices are detected. */
    ReentrantLock globalLock() {
        return globalLock;
    }

    /** The camera-model list; the caller holds {@link #globalLock()}. */
    Pointer abilitiesList(Pointer context) {
        requireLocked();
        if (abilitiesList == null) {
            PointerByReference ref = new PointerByReference();
            check(lib.gp_abilities_list_new(ref), "creating the camera list");
            int rc = lib.gp_abilities_list_load(ref.getValue(), context);
            if (rc < LibGphoto2.GP_OK) {
                lib.gp_abilities_list_free(ref.getValue());
                check(rc, "loading the camera drivers");
            }
            abilitiesList = ref.getValue();
        }
        return abilitiesList;
    }

    /**
     * The port list; the caller holds {@link #globalLock()} (looking up a {@code ptpip:} path appends an
     * entry to it).
     */
    Pointer portList() {
        requireLocked();
        if (portList == null) {
            PointerByReference ref = new PointerByReference();
            check(lib.gp_port_info_list_new(ref), "creating the port list");
            int rc = lib.gp_port_info_list_load(ref.getValue());
            if (rc < LibGphoto2.GP_OK) {
                lib.gp_port_info_list_free(ref.getValue());
                check(rc, "loading the port drivers");
            }
            portList = ref.getValue();
        }
        return portList;
    }

    /** A camera that auto-detection found. */
    record Detected(String model, String port) {
    }

    /**
     * The cameras connected by USB (and serial), as libgphoto2's auto-detection sees them. PTP/IP cameras are
     * never detected. Does not open the devices, so cameras in use are listed too.
     */
    List<Detected> detect() {
        Pointer context = lib.gp_context_new();
        PointerByReference listRef = new PointerByReference();
        globalLock.lock();
        try {
            check(lib.gp_list_new(listRef), "creating a list");
            Pointer list = listRef.getValue();
            try {
                check(lib.gp_camera_autodetect(list, context), "detecting cameras");
                int n = lib.gp_list_count(list);
                List<Detected> found = new ArrayList<>(Math.max(n, 0));
                for (int i = 0; i < n; i++) {
                    PointerByReference name = new PointerByReference();
                    PointerByReference value = new PointerByReference();
                    lib.gp_list_get_name(list, i, name);
                    lib.gp_list_get_value(list, i, value);
                    found.add(new Detected(string(name.getValue()), string(value.getValue())));
                }
                return found;
            } finally {
                lib.gp_list_free(list);
            }
        } finally {
            globalLock.unlock();
            lib.gp_context_unref(context);
        }
    }

    private void requireLocked() {
        if (!globalLock.isHeldByCurrentThread()) {
            throw new IllegalStateException("libgphoto2 global lock not held");
        }
    }

    private void check(int rc, String action) {
        if (rc < LibGphoto2.GP_OK) {
            throw GpError.toException(rc, lib.gp_result_as_string(rc), "libgphoto2: " + action, null, null);
        }
    }

    static String string(Pointer p) {
        return p == null ? "" : p.getString(0, "UTF-8");
    }
}
