package org.obscura.driver.v4l2.internal;

import java.nio.charset.StandardCharsets;

import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Union;

/**
 * The parts of {@code <linux/videodev2.h>} the driver uses: constants, structures as JNA {@link Structure}s, and
 * the ioctl request numbers, computed from the {@code _IOC} encoding and the structure sizes exactly as the
 * header's {@code _IOR}/{@code _IOW}/{@code _IOWR} macros do (so a structure of the wrong size also yields the
 * wrong request number, which the kernel rejects with ENOTTY instead of corrupting memory).
 *
 * <p>{@code VideodevLayoutTest} compiles a C program against the system header and checks every size, field
 * offset and request number here against it.
 *
 * <h2>32-bit ABIs (Raspberry Pi OS armhf, i386)</h2>
 * Three things in these structures depend on the ABI; each is declared with a type that follows it:
 * <ul>
 * <li>{@code v4l2_buffer.timestamp} is a {@code struct timeval}: two {@code long}s, 8 bytes on 32-bit
 * systems with 32-bit {@code time_t}, 16 bytes on 64-bit ones. Declared as {@link NativeLong}s, so on armhf
 * the structure is 68 bytes instead of 88 and the QBUF/DQBUF/QUERYBUF request numbers change with it.
 * Those are the kernel's "time32" variants, which both 32-bit kernels and 64-bit kernels running 32-bit
 * user space (the Pi's default arm64 kernel with an armhf system) accept. Userland built with 64-bit
 * {@code time_t} (Debian trixie armhf) uses the 80-byte variant; the kernel accepts either, and the
 * timestamp is a monotonic clock reading, far from 2038 in any case.</li>
 * <li>{@code v4l2_buffer.m} is a union holding {@code unsigned long} and a pointer: 4 bytes on 32-bit,
 * 8 on 64-bit ({@link BufferMemory} holds both, so JNA sizes and aligns it right).</li>
 * <li>{@code v4l2_format.fmt} is a union that contains {@code struct v4l2_window} with pointers, so on
 * 64-bit systems it is 8-byte aligned and starts at offset 8 (4 bytes of padding after {@code type});
 * on 32-bit ones it starts at 4 and the structure is 204 bytes instead of 208. {@link FormatUnion} holds a
 * {@link Pointer} member for that reason only.</li>
 * </ul>
 * {@code v4l2_querymenu} is declared {@code packed} in the header: {@link QueryMenu} uses
 * {@link Structure#ALIGN_NONE} so its 64-bit {@code value} member does not get padded on any ABI.
 *
 * <p>The {@code _IOC} layout used here (2 direction bits on top, 14 size bits, 8 type bits, 8 number bits,
 * write = 1, read = 2) is the generic one used by x86, ARM and most other architectures; PowerPC, MIPS and
 * SPARC encode differently and are not supported.
 */
final class Videodev2 {
    private Videodev2() {
    }

    static final int V4L2_BUF_TYPE_VIDEO_CAPTURE = 1;
    static final int V4L2_MEMORY_MMAP = 1;
    static final int V4L2_FIELD_ANY = 0;
    static final int V4L2_FIELD_NONE = 1;

    static final int V4L2_CAP_VIDEO_CAPTURE = 0x00000001;
    static final int V4L2_CAP_VIDEO_CAPTURE_MPLANE = 0x00001000;
    static final int V4L2_CAP_STREAMING = 0x04000000;
    static final int V4L2_CAP_DEVICE_CAPS = 0x80000000;
    static final int V4L2_CAP_TIMEPERFRAME = 0x1000;

    static final int V4L2_FMT_FLAG_COMPRESSED = 0x0001;
    static final int V4L2_FMT_FLAG_EMULATED = 0x0002;

    static final int V4L2_FRMSIZE_TYPE_DISCRETE = 1;
    static final int V4L2_FRMSIZE_TYPE_CONTINUOUS = 2;
    static final int V4L2_FRMSIZE_TYPE_STEPWISE = 3;
    static final int V4L2_FRMIVAL_TYPE_DISCRETE = 1;

    static final int V4L2_BUF_FLAG_ERROR = 0x00000040;
    static final int V4L2_BUF_FLAG_TIMESTAMP_MASK = 0x0000e000;
    static final int V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC = 0x00002000;

    static final int V4L2_CTRL_TYPE_INTEGER = 1;
    static final int V4L2_CTRL_TYPE_BOOLEAN = 2;
    static final int V4L2_CTRL_TYPE_MENU = 3;
    static final int V4L2_CTRL_TYPE_BUTTON = 4;
    static final int V4L2_CTRL_TYPE_INTEGER64 = 5;
    static final int V4L2_CTRL_TYPE_CTRL_CLASS = 6;
    static final int V4L2_CTRL_TYPE_STRING = 7;
    static final int V4L2_CTRL_TYPE_BITMASK = 8;
    static final int V4L2_CTRL_TYPE_INTEGER_MENU = 9;

    static final int V4L2_CTRL_FLAG_DISABLED = 0x0001;
    static final int V4L2_CTRL_FLAG_GRABBED = 0x0002;
    static final int V4L2_CTRL_FLAG_READ_ONLY = 0x0004;
    static final int V4L2_CTRL_FLAG_INACTIVE = 0x0010;
    static final int V4L2_CTRL_FLAG_WRITE_ONLY = 0x0040;
    static final int V4L2_CTRL_FLAG_NEXT_CTRL = 0x80000000;
    static final int V4L2_CTRL_FLAG_NEXT_COMPOUND = 0x40000000;

    // ---- _IOC encoding (asm-generic/ioctl.h) ----------------------------------------------------------------

    private static final int IOC_WRITE = 1;
    private static final int IOC_READ = 2;

    static long ioc(int direction, char type, int number, int size) {
        if (size < 0 || size >= (1 << 14)) {
            throw new IllegalArgumentException("ioctl argument size out of range: " + size);
        }
        return ((long) direction << 30 | (long) size << 16 | (long) type << 8 | number) & 0xFFFF_FFFFL;
    }

    private static long ior(int number, Structure argument) {
        return ioc(IOC_READ, 'V', number, argument.size());
    }

    private static long iow(int number, int size) {
        return ioc(IOC_WRITE, 'V', number, size);
    }

    private static long iowr(int number, Structure argument) {
        return ioc(IOC_READ | IOC_WRITE, 'V', number, argument.size());
    }

    static final long VIDIOC_QUERYCAP = ior(0, new Capability());
    static final long VIDIOC_ENUM_FMT = iowr(2, new FmtDesc());
    static final long VIDIOC_G_FMT = iowr(4, new Format());
    static final long VIDIOC_S_FMT = iowr(5, new Format());
    static final long VIDIOC_REQBUFS = iowr(8, new RequestBuffers());
    static final long VIDIOC_QUERYBUF = iowr(9, new Buffer());
    static final long VIDIOC_QBUF = iowr(15, new Buffer());
    static final long VIDIOC_DQBUF = iowr(17, new Buffer());
    static final long VIDIOC_STREAMON = iow(18, Integer.BYTES);
    static final long VIDIOC_STREAMOFF = iow(19, Integer.BYTES);
    static final long VIDIOC_G_PARM = iowr(21, new StreamParm());
    static final long VIDIOC_S_PARM = iowr(22, new StreamParm());
    static final long VIDIOC_G_CTRL = iowr(27, new Control());
    static final long VIDIOC_S_CTRL = iowr(28, new Control());
    static final long VIDIOC_QUERYCTRL = iowr(36, new QueryCtrl());
    static final long VIDIOC_QUERYMENU = iowr(37, new QueryMenu());
    static final long VIDIOC_TRY_FMT = iowr(64, new Format());
    static final long VIDIOC_ENUM_FRAMESIZES = iowr(74, new FrmSizeEnum());
    static final long VIDIOC_ENUM_FRAMEINTERVALS = iowr(75, new FrmIvalEnum());
    static final long VIDIOC_QUERY_EXT_CTRL = iowr(103, new QueryExtCtrl());

    /** A NUL-terminated byte array from the kernel as a Java string (the kernel writes UTF-8 or ASCII). */
    static String string(byte[] bytes) {
        int n = 0;
        while (n < bytes.length && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8).trim();
    }

    // ---- structures ------------------------------------------------------------------------------------------
    // Field names follow the header so the layout test can compare them one to one. Public only because JNA
    // reads and instantiates them reflectively; the package is private to the bundle.

    /** {@code struct v4l2_capability} (104 bytes). */
    @Structure.FieldOrder({"driver", "card", "bus_info", "version", "capabilities", "device_caps", "reserved"})
    public static final class Capability extends Structure {
        public byte[] driver = new byte[16];
        public byte[] card = new byte[32];
        public byte[] bus_info = new byte[32];
        public int version;
        public int capabilities;
        public int device_caps;
        public int[] reserved = new int[3];

        /** The capabilities of this node (not of the whole physical device) when the driver reports them. */
        int nodeCapabilities() {
            return (capabilities & V4L2_CAP_DEVICE_CAPS) != 0 ? device_caps : capabilities;
        }
    }

    /** {@code struct v4l2_fmtdesc} (64 bytes). */
    @Structure.FieldOrder({"index", "type", "flags", "description", "pixelformat", "mbus_code", "reserved"})
    public static final class FmtDesc extends Structure {
        public int index;
        public int type;
        public int flags;
        public byte[] description = new byte[32];
        public int pixelformat;
        public int mbus_code;
        public int[] reserved = new int[3];
    }

    /** {@code struct v4l2_pix_format} (48 bytes; {@code ycbcr_enc} shares its slot with {@code hsv_enc}). */
    @Structure.FieldOrder({"width", "height", "pixelformat", "field", "bytesperline", "sizeimage", "colorspace",
            "priv", "flags", "ycbcr_enc", "quantization", "xfer_func"})
    public static final class PixFormat extends Structure {
        public int width;
        public int height;
        public int pixelformat;
        public int field;
        public int bytesperline;
        public int sizeimage;
        public int colorspace;
        public int priv;
        public int flags;
        public int ycbcr_enc;
        public int quantization;
        public int xfer_func;
    }

    /** The {@code fmt} union of {@code struct v4l2_format}; only {@code pix} is used. */
    public static final class FormatUnion extends Union {
        public PixFormat pix = new PixFormat();
        public byte[] raw_data = new byte[200];
        /** Stands for the pointers in {@code struct v4l2_window}: they give the union pointer alignment. */
        public Pointer window_alignment;

        public FormatUnion() {
            setType(PixFormat.class);
        }
    }

    /** {@code struct v4l2_format} (208 bytes on 64-bit, 204 on 32-bit). */
    @Structure.FieldOrder({"type", "fmt"})
    public static final class Format extends Structure {
        public int type;
        public FormatUnion fmt = new FormatUnion();
    }

    /**
     * {@code struct v4l2_frmsizeenum} (44 bytes). The union of {@code discrete} (width, height) and
     * {@code stepwise} (min_width, max_width, step_width, min_height, max_height, step_height) is read as
     * six integers, which is exactly its layout.
     */
    @Structure.FieldOrder({"index", "pixel_format", "type", "size", "reserved"})
    public static final class FrmSizeEnum extends Structure {
        public int index;
        public int pixel_format;
        public int type;
        public int[] size = new int[6];
        public int[] reserved = new int[2];
    }

    /**
     * {@code struct v4l2_frmivalenum} (52 bytes). The union of {@code discrete} (numerator, denominator) and
     * {@code stepwise} (min, max, step fractions) is read as six integers.
     */
    @Structure.FieldOrder({"index", "pixel_format", "width", "height", "type", "interval", "reserved"})
    public static final class FrmIvalEnum extends Structure {
        public int index;
        public int pixel_format;
        public int width;
        public int height;
        public int type;
        public int[] interval = new int[6];
        public int[] reserved = new int[2];
    }

    /** {@code struct v4l2_captureparm} (40 bytes). */
    @Structure.FieldOrder({"capability", "capturemode", "timeperframe_numerator", "timeperframe_denominator",
            "extendedmode", "readbuffers", "reserved"})
    public static final class CaptureParm extends Structure {
        public int capability;
        public int capturemode;
        public int timeperframe_numerator;
        public int timeperframe_denominator;
        public int extendedmode;
        public int readbuffers;
        public int[] reserved = new int[4];
    }

    /** The {@code parm} union of {@code struct v4l2_streamparm}; only {@code capture} is used. */
    public static final class ParmUnion extends Union {
        public CaptureParm capture = new CaptureParm();
        public byte[] raw_data = new byte[200];

        public ParmUnion() {
            setType(CaptureParm.class);
        }
    }

    /** {@code struct v4l2_streamparm} (204 bytes). */
    @Structure.FieldOrder({"type", "parm"})
    public static final class StreamParm extends Structure {
        public int type;
        public ParmUnion parm = new ParmUnion();
    }

    /** {@code struct v4l2_requestbuffers} (20 bytes). */
    @Structure.FieldOrder({"count", "type", "memory", "capabilities", "flags", "reserved"})
    public static final class RequestBuffers extends Structure {
        public int count;
        public int type;
        public int memory;
        public int capabilities;
        public byte flags;
        public byte[] reserved = new byte[3];
    }

    /** The {@code m} union of {@code struct v4l2_buffer}: pointer sized. Only {@code offset} (MMAP) is used. */
    public static final class BufferMemory extends Union {
        public int offset;
        public NativeLong userptr;
        public Pointer planes;
        public int fd;

        public BufferMemory() {
            setType(int.class);
        }
    }

    /**
     * {@code struct v4l2_buffer}: 88 bytes on 64-bit, 68 on 32-bit (see the class comment). The
     * {@code struct timeval timestamp} is {@code timestamp_sec}/{@code timestamp_usec}; {@code struct v4l2_timecode}
     * (16 bytes, unused) is {@code timecode}; the trailing {@code request_fd}/{@code reserved} union is
     * {@code request_fd}.
     */
    @Structure.FieldOrder({"index", "type", "bytesused", "flags", "field", "timestamp_sec", "timestamp_usec",
            "timecode", "sequence", "memory", "m", "length", "reserved2", "request_fd"})
    public static final class Buffer extends Structure {
        public int index;
        public int type;
        public int bytesused;
        public int flags;
        public int field;
        public NativeLong timestamp_sec;
        public NativeLong timestamp_usec;
        public int[] timecode = new int[4];
        public int sequence;
        public int memory;
        public BufferMemory m = new BufferMemory();
        public int length;
        public int reserved2;
        public int request_fd;
    }

    /** {@code struct v4l2_queryctrl} (68 bytes). */
    @Structure.FieldOrder({"id", "type", "name", "minimum", "maximum", "step", "default_value", "flags",
            "reserved"})
    public static final class QueryCtrl extends Structure {
        public int id;
        public int type;
        public byte[] name = new byte[32];
        public int minimum;
        public int maximum;
        public int step;
        public int default_value;
        public int flags;
        public int[] reserved = new int[2];
    }

    /** {@code struct v4l2_query_ext_ctrl} (232 bytes). */
    @Structure.FieldOrder({"id", "type", "name", "minimum", "maximum", "step", "default_value", "flags",
            "elem_size", "elems", "nr_of_dims", "dims", "reserved"})
    public static final class QueryExtCtrl extends Structure {
        public int id;
        public int type;
        public byte[] name = new byte[32];
        public long minimum;
        public long maximum;
        public long step;
        public long default_value;
        public int flags;
        public int elem_size;
        public int elems;
        public int nr_of_dims;
        public int[] dims = new int[4];
        public int[] reserved = new int[32];
    }

    /**
     * {@code struct v4l2_querymenu} (44 bytes, packed). The union of {@code name[32]} (MENU controls) and
     * {@code __s64 value} (INTEGER_MENU controls) is {@code name}; {@link #value()} reads the integer.
     */
    @Structure.FieldOrder({"id", "index", "name", "reserved"})
    public static final class QueryMenu extends Structure {
        public int id;
        public int index;
        public byte[] name = new byte[32];
        public int reserved;

        public QueryMenu() {
            super(ALIGN_NONE);
        }

        /** The union read as {@code __s64 value} (little-endian, as on every ABI Obscura runs on). */
        long value() {
            long v = 0;
            for (int i = 7; i >= 0; i--) {
                v = v << 8 | (name[i] & 0xFF);
            }
            return v;
        }
    }

    /** {@code struct v4l2_control} (8 bytes). */
    @Structure.FieldOrder({"id", "value"})
    public static final class Control extends Structure {
        public int id;
        public int value;
    }
}
