package org.obscura.driver.v4l2.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import com.sun.jna.Structure;
import com.sun.jna.ptr.IntByReference;

/**
 * One open V4L2 device node: the ioctls the driver uses, typed. Every failing call throws
 * {@link ErrnoException} naming the ioctl; EINTR is retried.
 *
 * <p>The node is opened non-blocking, so DQBUF returns EAGAIN instead of blocking: waiting is done with
 * {@code poll} by {@link MmapStream}, which can then also notice a stop request. Not thread-safe except where
 * noted: the kernel serialises ioctls on one file, but the JNA structures used here are per call.
 */
final class V4l2Node implements AutoCloseable {

    /** A pixel format as ENUM_FMT lists it. */
    record FormatDescription(int fourcc, String description, boolean compressed, boolean emulated) {
    }

    /** A frame size entry as ENUM_FRAMESIZES lists it: discrete (min = max, steps 0) or a stepwise range. */
    record SizeRange(int type, int minWidth, int maxWidth, int stepWidth, int minHeight, int maxHeight,
            int stepHeight) {
        boolean discrete() {
            return type == Videodev2.V4L2_FRMSIZE_TYPE_DISCRETE;
        }

        /** Whether a size lies in this range (on its grid, for stepwise ranges). */
        boolean contains(int width, int height) {
            if (width < minWidth || width > maxWidth || height < minHeight || height > maxHeight) {
                return false;
            }
            return (stepWidth <= 1 || (width - minWidth) % stepWidth == 0)
                    && (stepHeight <= 1 || (height - minHeight) % stepHeight == 0);
        }
    }

    /** A frame interval entry: discrete (min = max) or a range; seconds per frame as a fraction. */
    record IntervalRange(boolean discrete, int minNumerator, int minDenominator, int maxNumerator,
            int maxDenominator) {
        /** Highest frame rate in this entry. */
        double maxFps() {
            return minNumerator == 0 ? 0 : (double) minDenominator / minNumerator;
        }

        /** Lowest frame rate in this entry. */
        double minFps() {
            return maxNumerator == 0 ? 0 : (double) maxDenominator / maxNumerator;
        }
    }

    private final LibC libc;
    private final String path;
    private final int fd;
    private volatile boolean closed;
    private Videodev2.Capability capability; // what QUERYCAP said; fixed for the life of an open node

    private V4l2Node(LibC libc, String path, int fd) {
        this.libc = libc;
        this.path = path;
        this.fd = fd;
    }

    /** Opens a node read-write, non-blocking, close-on-exec. */
    static V4l2Node open(LibC libc, String path) {
        try {
            return new V4l2Node(libc, path, libc.open(path, LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC));
        } catch (LastErrorException e) {
            throw errno(libc, "open " + path, e);
        }
    }

    String path() {
        return path;
    }

    int fd() {
        return fd;
    }

    LibC libc() {
        return libc;
    }

    Videodev2.Capability queryCapability() {
        Videodev2.Capability cap = new Videodev2.Capability();
        ioctl("VIDIOC_QUERYCAP", Videodev2.VIDIOC_QUERYCAP, cap);
        capability = cap;
        return cap;
    }

    /**
     * QUERYCAP's answer, asked once per open node: a node's driver, card and capabilities cannot change while
     * it is open, and an idle still should not pay for the same ioctl twice.
     */
    Videodev2.Capability capability() {
        Videodev2.Capability cap = capability;
        return cap != null ? cap : queryCapability();
    }

    /** Whether this node captures single-planar video with streaming I/O (what this driver can use). */
    static boolean isStreamingCapture(Videodev2.Capability cap) {
        int caps = cap.nodeCapabilities();
        return (caps & Videodev2.V4L2_CAP_VIDEO_CAPTURE) != 0 && (caps & Videodev2.V4L2_CAP_STREAMING) != 0;
    }

    List<FormatDescription> formats() {
        List<FormatDescription> formats = new ArrayList<>();
        for (int index = 0;; index++) {
            Videodev2.FmtDesc desc = new Videodev2.FmtDesc();
            desc.index = index;
            desc.type = Videodev2.V4L2_BUF_TYPE_VIDEO_CAPTURE;
            if (!ioctlUntilEinval("VIDIOC_ENUM_FMT", Videodev2.VIDIOC_ENUM_FMT, desc)) {
                return formats;
            }
            formats.add(new FormatDescription(desc.pixelformat, Videodev2.string(desc.description),
                    (desc.flags & Videodev2.V4L2_FMT_FLAG_COMPRESSED) != 0,
                    (desc.flags & Videodev2.V4L2_FMT_FLAG_EMULATED) != 0));
        }
    }

    List<SizeRange> frameSizes(int fourcc) {
        List<SizeRange> sizes = new ArrayList<>();
        for (int index = 0;; index++) {
            Videodev2.FrmSizeEnum e = new Videodev2.FrmSizeEnum();
            e.index = index;
            e.pixel_format = fourcc;
            if (!ioctlUntilEinval("VIDIOC_ENUM_FRAMESIZES", Videodev2.VIDIOC_ENUM_FRAMESIZES, e)) {
                return sizes;
            }
            int[] s = e.size;
            if (e.type == Videodev2.V4L2_FRMSIZE_TYPE_DISCRETE) {
                sizes.add(new SizeRange(e.type, s[0], s[0], 0, s[1], s[1], 0));
            } else {
                // Continuous ranges report step 1; stepwise and continuous come as a single entry.
                sizes.add(new SizeRange(e.type, s[0], s[1], Math.max(1, s[2]), s[3], s[4], Math.max(1, s[5])));
                return sizes;
            }
        }
    }

    List<IntervalRange> frameIntervals(int fourcc, int width, int height) {
        List<IntervalRange> intervals = new ArrayList<>();
        for (int index = 0;; index++) {
            Videodev2.FrmIvalEnum e = new Videodev2.FrmIvalEnum();
            e.index = index;
            e.pixel_format = fourcc;
            e.width = width;
            e.height = height;
            if (!ioctlUntilEinval("VIDIOC_ENUM_FRAMEINTERVALS", Videodev2.VIDIOC_ENUM_FRAMEINTERVALS, e)) {
                return intervals;
            }
            int[] i = e.interval;
            if (e.type == Videodev2.V4L2_FRMIVAL_TYPE_DISCRETE) {
                intervals.add(new IntervalRange(true, i[0], i[1], i[0], i[1]));
            } else {
                intervals.add(new IntervalRange(false, i[0], i[1], i[2], i[3]));
                return intervals;
            }
        }
    }

    Videodev2.PixFormat getFormat() {
        Videodev2.Format f = new Videodev2.Format();
        f.type = Videodev2.V4L2_BUF_TYPE_VIDEO_CAPTURE;
        ioctl("VIDIOC_G_FMT", Videodev2.VIDIOC_G_FMT, f);
        return f.fmt.pix;
    }

    /**
     * Sets (or with {@code trialOnly}, only tries) a format; returns what the driver chose, which may differ
     * from what was asked.
     */
    Videodev2.PixFormat setFormat(int fourcc, int width, int height, boolean trialOnly) {
        Videodev2.Format f = new Videodev2.Format();
        f.type = Videodev2.V4L2_BUF_TYPE_VIDEO_CAPTURE;
        f.fmt.pix.pixelformat = fourcc;
        f.fmt.pix.width = width;
        f.fmt.pix.height = height;
        f.fmt.pix.field = Videodev2.V4L2_FIELD_NONE;
        if (trialOnly) {
            ioctl("VIDIOC_TRY_FMT", Videodev2.VIDIOC_TRY_FMT, f);
        } else {
            ioctl("VIDIOC_S_FMT", Videodev2.VIDIOC_S_FMT, f);
        }
        return f.fmt.pix;
    }

    /** The current frame rate, or empty when the driver does not support frame intervals. */
    Optional<Double> getFps() {
        Videodev2.StreamParm p = new Videodev2.StreamParm();
        p.type = Videodev2.V4L2_BUF_TYPE_VIDEO_CAPTURE;
        try {
            ioctl("VIDIOC_G_PARM", Videodev2.VIDIOC_G_PARM, p);
        } catch (ErrnoException e) {
            if (e.errno() == LibC.ENOTTY || e.errno() == LibC.EINVAL) {
                return Optional.empty();
            }
            throw e;
        }
        Videodev2.CaptureParm c = p.parm.capture;
        if ((c.capability & Videodev2.V4L2_CAP_TIMEPERFRAME) == 0 || c.timeperframe_numerator == 0) {
            return Optional.empty();
        }
        return Optional.of((double) c.timeperframe_denominator / c.timeperframe_numerator);
    }

    /**
     * Asks for a frame rate; returns the rate the driver chose, or empty when it does not support frame
     * intervals (then the rate is whatever the device does).
     */
    Optional<Double> setFps(double fps) {
        Videodev2.StreamParm p = new Videodev2.StreamParm();
        p.type = Videodev2.V4L2_BUF_TYPE_VIDEO_CAPTURE;
        // 1000 / (fps * 1000) seconds per frame keeps fractional rates such as 12.5 or 29.97 exact enough.
        p.parm.capture.timeperframe_numerator = 1000;
        p.parm.capture.timeperframe_denominator = (int) Math.round(fps * 1000);
        try {
            ioctl("VIDIOC_S_PARM", Videodev2.VIDIOC_S_PARM, p);
        } catch (ErrnoException e) {
            if (e.errno() == LibC.ENOTTY || e.errno() == LibC.EINVAL) {
                return Optional.empty();
            }
            throw e;
        }
        Videodev2.CaptureParm c = p.parm.capture;
        if ((c.capability & Videodev2.V4L2_CAP_TIMEPERFRAME) == 0 || c.timeperframe_numerator == 0) {
            return Optional.empty();
        }
        return Optional.of((double) c.timeperframe_denominator / c.timeperframe_numerator);
    }

    /**
     * The next control after {@code id} (start with 0), through QUERY_EXT_CTRL; empty at the end. Compound
     * controls are not listed.
     */
    Optional<Videodev2.QueryExtCtrl> nextControl(int id) {
        Videodev2.QueryExtCtrl q = new Videodev2.QueryExtCtrl();
        q.id = id | Videodev2.V4L2_CTRL_FLAG_NEXT_CTRL;
        return ioctlUntilEinval("VIDIOC_QUERY_EXT_CTRL", Videodev2.VIDIOC_QUERY_EXT_CTRL, q)
                ? Optional.of(q) : Optional.empty();
    }

    /**
     * The same through the older QUERYCTRL, for drivers that predate QUERY_EXT_CTRL (kernel 3.17); the result
     * is widened to the extended structure.
     */
    Optional<Videodev2.QueryExtCtrl> nextControlLegacy(int id) {
        Videodev2.QueryCtrl q = new Videodev2.QueryCtrl();
        q.id = id | Videodev2.V4L2_CTRL_FLAG_NEXT_CTRL;
        if (!ioctlUntilEinval("VIDIOC_QUERYCTRL", Videodev2.VIDIOC_QUERYCTRL, q)) {
            return Optional.empty();
        }
        Videodev2.QueryExtCtrl x = new Videodev2.QueryExtCtrl();
        x.id = q.id;
        x.type = q.type;
        x.name = q.name;
        x.minimum = q.minimum;
        x.maximum = q.maximum;
        x.step = q.step;
        x.default_value = q.default_value;
        x.flags = q.flags;
        return Optional.of(x);
    }

    /** One menu entry: its name (MENU) or value (INTEGER_MENU); empty for indices the driver skips. */
    Optional<Videodev2.QueryMenu> menuEntry(int id, int index) {
        Videodev2.QueryMenu m = new Videodev2.QueryMenu();
        m.id = id;
        m.index = index;
        return ioctlUntilEinval("VIDIOC_QUERYMENU", Videodev2.VIDIOC_QUERYMENU, m) ? Optional.of(m) : Optional.empty();
    }

    int getControl(int id) {
        Videodev2.Control c = new Videodev2.Control();
        c.id = id;
        ioctl("VIDIOC_G_CTRL", Videodev2.VIDIOC_G_CTRL, c);
        return c.value;
    }

    /** Writes a control; returns the value the driver kept (it may clamp). */
    int setControl(int id, int value) {
        Videodev2.Control c = new Videodev2.Control();
        c.id = id;
        c.value = value;
        ioctl("VIDIOC_S_CTRL", Videodev2.VIDIOC_S_CTRL, c);
        return c.value;
    }

    /** REQBUFS for memory-mapped buffers; returns how many the driver allocated (0 frees them). */
    int requestBuffers(int count) {
        Videodev2.RequestBuffers r = new Videodev2.RequestBuffers();
        r.count = count;
        r.type = Videodev2.V4L2_BUF_TYPE_VIDEO_CAPTURE;
        r.memory = Videodev2.V4L2_MEMORY_MMAP;
        ioctl("VIDIOC_REQBUFS", Videodev2.VIDIOC_REQBUFS, r);
        return r.count;
    }

    Videodev2.Buffer queryBuffer(int index) {
        Videodev2.Buffer b = newBuffer();
        b.index = index;
        ioctl("VIDIOC_QUERYBUF", Videodev2.VIDIOC_QUERYBUF, b);
        return b;
    }

    /** Gives a buffer back to the driver. Safe to call from any thread while another one waits in poll. */
    void queueBuffer(int index) {
        Videodev2.Buffer b = newBuffer();
        b.index = index;
        ioctl("VIDIOC_QBUF", Videodev2.VIDIOC_QBUF, b);
    }

    /** Takes a filled buffer, or returns empty when none is ready (EAGAIN: the node is non-blocking). */
    Optional<Videodev2.Buffer> dequeueBuffer() {
        Videodev2.Buffer b = newBuffer();
        try {
            ioctl("VIDIOC_DQBUF", Videodev2.VIDIOC_DQBUF, b);
            return Optional.of(b);
        } catch (ErrnoException e) {
            if (e.errno() == LibC.EAGAIN) {
                return Optional.empty();
            }
            throw e;
        }
    }

    void streamOn() {
        streamIoctl("VIDIOC_STREAMON", Videodev2.VIDIOC_STREAMON);
    }

    void streamOff() {
        streamIoctl("VIDIOC_STREAMOFF", Videodev2.VIDIOC_STREAMOFF);
    }

    /**
     * Waits up to {@code timeoutMillis} for a filled buffer. Returns true when one is ready; throws when the
     * node reports an error or hang-up (device gone).
     */
    boolean awaitFrame(int timeoutMillis) {
        LibC.PollFd p = new LibC.PollFd();
        p.fd = fd;
        p.events = LibC.POLLIN;
        int n;
        try {
            n = libc.poll(p, 1, timeoutMillis);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == LibC.EINTR) {
                return false;
            }
            throw errno(libc, "poll " + path, e);
        }
        if (n == 0) {
            return false;
        }
        if ((p.revents & (LibC.POLLERR | LibC.POLLHUP | LibC.POLLNVAL)) != 0 && (p.revents & LibC.POLLIN) == 0) {
            // POLLERR alone also means "no buffer queued"; the caller decides from DQBUF's errno which it is.
            return true;
        }
        return (p.revents & LibC.POLLIN) != 0;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            libc.close(fd);
        } catch (LastErrorException e) {
            // Nothing useful to do: the descriptor is released by the kernel either way.
        }
    }

    private static Videodev2.Buffer newBuffer() {
        Videodev2.Buffer b = new Videodev2.Buffer();
        b.type = Videodev2.V4L2_BUF_TYPE_VIDEO_CAPTURE;
        b.memory = Videodev2.V4L2_MEMORY_MMAP;
        return b;
    }

    private void streamIoctl(String name, long request) {
        IntByReference type = new IntByReference(Videodev2.V4L2_BUF_TYPE_VIDEO_CAPTURE);
        while (true) {
            try {
                libc.ioctl(fd, new NativeLong(request), type);
                return;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != LibC.EINTR) {
                    throw errno(libc, name + " " + path, e);
                }
            }
        }
    }

    private void ioctl(String name, long request, Structure argument) {
        NativeLong req = new NativeLong(request);
        while (true) {
            try {
                libc.ioctl(fd, req, argument);
                return;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != LibC.EINTR) {
                    throw errno(libc, name + " " + path, e);
                }
            }
        }
    }

    /** For the enumeration ioctls, whose list ends with EINVAL. */
    private boolean ioctlUntilEinval(String name, long request, Structure argument) {
        try {
            ioctl(name, request, argument);
            return true;
        } catch (ErrnoException e) {
            if (e.errno() == LibC.EINVAL) {
                return false;
            }
            throw e;
        }
    }

    private static ErrnoException errno(LibC libc, String operation, LastErrorException e) {
        String description;
        try {
            description = libc.strerror(e.getErrorCode());
        } catch (RuntimeException | Error ignored) {
            description = "error";
        }
        return new ErrnoException(operation, e.getErrorCode(), description);
    }
}
