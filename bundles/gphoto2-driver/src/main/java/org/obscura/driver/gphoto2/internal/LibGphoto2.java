package org.obscura.driver.gphoto2.internal;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.FloatByReference;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.NativeLongByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The part of libgphoto2 2.5 (Debian {@code libgphoto2-6}) that the driver uses, mapped through JNA. The
 * {@code gp_port_*} functions live in libgphoto2_port, which libgphoto2 links, so one library handle
 * resolves them all.
 *
 * <p>libgphoto2 is not thread-safe for one camera: every call on a {@code Camera*} and on the widgets and
 * files obtained from it must come from one thread at a time (the driver uses the camera's own thread).
 * Loading camera and port libraries goes through libltdl's global state, so {@link GpConnection} also
 * serialises opening and closing across all cameras.
 *
 * <p>Return values are libgphoto2 result codes: {@code >= 0} success, {@code < 0} one of the
 * {@code GP_ERROR_*} codes, mapped to user errors by {@link GpError}.
 */
interface LibGphoto2 extends Library {

    int GP_OK = 0;
    int GP_ERROR = -1;
    int GP_ERROR_BAD_PARAMETERS = -2;
    int GP_ERROR_NO_MEMORY = -3;
    int GP_ERROR_LIBRARY = -4;
    int GP_ERROR_UNKNOWN_PORT = -5;
    int GP_ERROR_NOT_SUPPORTED = -6;
    int GP_ERROR_IO = -7;
    int GP_ERROR_FIXED_LIMIT_EXCEEDED = -8;
    int GP_ERROR_TIMEOUT = -10;
    int GP_ERROR_IO_SUPPORTED_SERIAL = -20;
    int GP_ERROR_IO_SUPPORTED_USB = -21;
    int GP_ERROR_IO_INIT = -31;
    int GP_ERROR_IO_READ = -34;
    int GP_ERROR_IO_WRITE = -35;
    int GP_ERROR_IO_UPDATE = -37;
    int GP_ERROR_IO_SERIAL_SPEED = -41;
    int GP_ERROR_IO_USB_CLEAR_HALT = -51;
    int GP_ERROR_IO_USB_FIND = -52;
    int GP_ERROR_IO_USB_CLAIM = -53;
    int GP_ERROR_IO_LOCK = -60;
    int GP_ERROR_HAL = -70;
    int GP_ERROR_CORRUPTED_DATA = -102;
    int GP_ERROR_FILE_EXISTS = -103;
    int GP_ERROR_MODEL_NOT_FOUND = -105;
    int GP_ERROR_DIRECTORY_NOT_FOUND = -107;
    int GP_ERROR_FILE_NOT_FOUND = -108;
    int GP_ERROR_DIRECTORY_EXISTS = -109;
    int GP_ERROR_CAMERA_BUSY = -110;
    int GP_ERROR_PATH_NOT_ABSOLUTE = -111;
    int GP_ERROR_CANCEL = -112;
    int GP_ERROR_CAMERA_ERROR = -113;
    int GP_ERROR_OS_FAILURE = -114;
    int GP_ERROR_NO_SPACE = -115;

    /** CameraWidgetType. */
    int GP_WIDGET_WINDOW = 0;
    int GP_WIDGET_SECTION = 1;
    int GP_WIDGET_TEXT = 2;
    int GP_WIDGET_RANGE = 3;
    int GP_WIDGET_TOGGLE = 4;
    int GP_WIDGET_RADIO = 5;
    int GP_WIDGET_MENU = 6;
    int GP_WIDGET_BUTTON = 7;
    int GP_WIDGET_DATE = 8;

    /** CameraCaptureType. */
    int GP_CAPTURE_IMAGE = 0;
    /** CameraFileType. */
    int GP_FILE_TYPE_NORMAL = 1;
    /** CameraOperation bits. */
    int GP_OPERATION_CAPTURE_IMAGE = 1;
    int GP_OPERATION_CAPTURE_PREVIEW = 1 << 3;
    int GP_OPERATION_CONFIG = 1 << 4;

    /** Size of CameraText, the buffer gp_camera_get_summary fills. */
    int CAMERA_TEXT_SIZE = 32 * 1024;

    /** {@code void (*GPContextErrorFunc)(GPContext *, const char *text, void *data)}; also used for messages. */
    interface ContextMessageFunc extends Callback {
        void invoke(Pointer context, String text, Pointer data);
    }

    // context
    Pointer gp_context_new();

    void gp_context_unref(Pointer context);

    void gp_context_set_error_func(Pointer context, ContextMessageFunc func, Pointer data);

    void gp_context_set_message_func(Pointer context, ContextMessageFunc func, Pointer data);

    // results
    String gp_result_as_string(int result);

    // camera
    int gp_camera_new(PointerByReference camera);

    int gp_camera_set_abilities(Pointer camera, CameraAbilities.ByValue abilities);

    int gp_camera_get_abilities(Pointer camera, CameraAbilities abilities);

    int gp_camera_set_port_info(Pointer camera, Pointer portInfo);

    int gp_camera_init(Pointer camera, Pointer context);

    int gp_camera_exit(Pointer camera, Pointer context);

    int gp_camera_unref(Pointer camera);

    int gp_camera_autodetect(Pointer list, Pointer context);

    int gp_camera_get_summary(Pointer camera, Pointer cameraText, Pointer context);

    int gp_camera_get_config(Pointer camera, PointerByReference window, Pointer context);

    int gp_camera_get_single_config(Pointer camera, String name, PointerByReference widget, Pointer context);

    int gp_camera_set_single_config(Pointer camera, String name, Pointer widget, Pointer context);

    int gp_camera_capture(Pointer camera, int type, CameraFilePath path, Pointer context);

    int gp_camera_capture_preview(Pointer camera, Pointer file, Pointer context);

    int gp_camera_file_get(Pointer camera, String folder, String file, int type, Pointer cameraFile,
            Pointer context);

    int gp_camera_file_delete(Pointer camera, String folder, String file, Pointer context);

    // files
    int gp_file_new(PointerByReference file);

    int gp_file_unref(Pointer file);

    int gp_file_get_data_and_size(Pointer file, PointerByReference data, NativeLongByReference size);

    // lists
    int gp_list_new(PointerByReference list);

    int gp_list_free(Pointer list);

    int gp_list_count(Pointer list);

    int gp_list_get_name(Pointer list, int index, PointerByReference name);

    int gp_list_get_value(Pointer list, int index, PointerByReference value);

    // abilities
    int gp_abilities_list_new(PointerByReference list);

    int gp_abilities_list_load(Pointer list, Pointer context);

    int gp_abilities_list_free(Pointer list);

    int gp_abilities_list_lookup_model(Pointer list, String model);

    int gp_abilities_list_get_abilities(Pointer list, int index, CameraAbilities abilities);

    // ports (libgphoto2_port)
    int gp_port_info_list_new(PointerByReference list);

    int gp_port_info_list_load(Pointer list);

    int gp_port_info_list_free(Pointer list);

    int gp_port_info_list_lookup_path(Pointer list, String path);

    int gp_port_info_list_get_info(Pointer list, int index, PointerByReference info);

    // widgets
    int gp_widget_free(Pointer widget);

    int gp_widget_get_type(Pointer widget, IntByReference type);

    int gp_widget_get_name(Pointer widget, PointerByReference name);

    int gp_widget_get_label(Pointer widget, PointerByReference label);

    int gp_widget_get_info(Pointer widget, PointerByReference info);

    int gp_widget_get_readonly(Pointer widget, IntByReference readonly);

    /** {@code value} points to a {@code char*}, {@code float} or {@code int} according to the widget type. */
    int gp_widget_get_value(Pointer widget, Pointer value);

    /** {@code value} is the {@code char*} itself for text types, else points to a {@code float} or {@code int}. */
    int gp_widget_set_value(Pointer widget, Pointer value);

    int gp_widget_count_children(Pointer widget);

    int gp_widget_get_child(Pointer widget, int index, PointerByReference child);

    int gp_widget_count_choices(Pointer widget);

    int gp_widget_get_choice(Pointer widget, int index, PointerByReference choice);

    int gp_widget_get_range(Pointer widget, FloatByReference min, FloatByReference max, FloatByReference increment);

    /**
     * {@code CameraAbilities}: 2504 bytes on 64-bit Linux (all members are 4-byte aligned), passed BY VALUE to
     * {@code gp_camera_set_abilities}.
     */
    @Structure.FieldOrder({ "model", "status", "port", "speed", "operations", "file_operations",
            "folder_operations", "usb_vendor", "usb_product", "usb_class", "usb_subclass", "usb_protocol",
            "library", "id", "device_type", "reserved" })
    class CameraAbilities extends Structure {
        public byte[] model = new byte[128];
        public int status;
        public int port;
        public int[] speed = new int[64];
        public int operations;
        public int file_operations;
        public int folder_operations;
        public int usb_vendor;
        public int usb_product;
        public int usb_class;
        public int usb_subclass;
        public int usb_protocol;
        public byte[] library = new byte[1024];
        public byte[] id = new byte[1024];
        public int device_type;
        public int[] reserved = new int[7];

        public String model() {
            return cString(model);
        }

        /** A copy of these abilities for passing by value. */
        public ByValue byValue() {
            ByValue v = new ByValue();
            write();
            v.getPointer().write(0, getPointer().getByteArray(0, size()), 0, size());
            v.read();
            return v;
        }

        public static class ByValue extends CameraAbilities implements Structure.ByValue {
        }
    }

    /** {@code CameraFilePath}: where a capture landed on the camera. */
    @Structure.FieldOrder({ "name", "folder" })
    class CameraFilePath extends Structure {
        public byte[] name = new byte[128];
        public byte[] folder = new byte[1024];

        public String name() {
            return cString(name);
        }

        public String folder() {
            return cString(folder);
        }
    }

    static String cString(byte[] bytes) {
        int n = 0;
        while (n < bytes.length && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }
}
