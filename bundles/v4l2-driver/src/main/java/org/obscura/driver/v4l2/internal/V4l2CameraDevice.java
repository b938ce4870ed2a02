package org.obscura.driver.v4l2.internal;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.obscura.camera.api.CameraDescriptor;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.Capability;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.Mode;
import org.obscura.camera.api.PixelFormat;
import org.obscura.camera.api.Setting;
import org.obscura.camera.spi.CameraDevice;
import org.obscura.camera.spi.FrameSink;

/**
 * One configured V4L2 camera: opens its node, negotiates the configured mode, streams memory-mapped buffers
 * into a {@link FrameSink} from its own thread, takes stills, and reads and writes controls. Registered as a
 * {@link CameraDevice} service by {@link V4l2Camera}; usable on its own (the integration tests do).
 *
 * <h2>Threading</h2>
 * {@link #start}, {@link #stop} and an idle {@link #captureStill} are serialised on one lock; the device is
 * open only between start and stop, or during an idle still. Frames and failures reach the sink from the
 * capture thread only. A still taken while streaming is a copy of the next streamed frame, so the stream is
 * not interrupted. Settings use a second, short-lived file descriptor: V4L2 allows control access next to a
 * streaming one.
 */
final class V4l2CameraDevice implements CameraDevice {

    /** Longest wait for a still's frame; a device that opens but delivers nothing fails with TIMEOUT. */
    private static final long STILL_TIMEOUT_MS = 10_000;
    /** A stream with no frame for this long (or 4 frame intervals, if longer) is reported as failed. */
    private static final long STALL_TIMEOUT_MS = 5_000;
    private static final int POLL_MS = 200;

    private final LibC libc;
    private final V4l2Discovery discovery;
    private final DeviceHolders holders;
    private final CameraSpec spec;
    private final Object lock = new Object();
    private volatile CameraDescriptor descriptor;
    private Session session; // guarded by lock
    private volatile Chosen chosen; // the mode last negotiated cleanly; dropped when the device fails
    private volatile Listed listed; // the controls last listed; dropped when the device fails

    /** A mode picked from a device's mode tree, and which device that was (driver/card/bus). */
    private record Chosen(String identity, DeviceModes.Selection selection) {
    }

    /** The controls a device listed, and which device that was. */
    private record Listed(String identity, List<V4l2Controls.Control> controls) {
    }

    /**
     * What a camera is configured to be.
     *
     * @param format blank for the device's best; width/height/fps 0 for defaults (see {@link DeviceModes#select})
     */
    record CameraSpec(String name, String label, String device, String format, int width, int height, double fps,
            boolean stereo, int stereoOrder, String interruptService) {
        CameraSpec {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(device, "device");
            format = format == null ? "" : format.trim();
        }
    }

    /** An open, streaming device: the node, its buffers, the capture thread and stills waiting for a frame. */
    private final class Session {
        final V4l2Node node;
        final MmapStream stream;
        final Mode mode;
        final List<CompletableFuture<Frame>> stills = new ArrayList<>(); // guarded by itself
        boolean ended; // guarded by stills: the capture thread has finished, no more stills are served
        volatile boolean stopping;
        Thread thread;

        Session(V4l2Node node, MmapStream stream, Mode mode) {
            this.node = node;
            this.stream = stream;
            this.mode = mode;
        }
    }

    V4l2CameraDevice(LibC libc, Path dev, CameraSpec spec) {
        this.libc = libc;
        this.discovery = new V4l2Discovery(libc, dev);
        this.holders = new DeviceHolders();
        this.spec = spec;
        this.descriptor = describe(new Mode(PixelFormat.parse(spec.format()).orElse(PixelFormat.YUYV), spec.width(),
                spec.height(), spec.fps()), Map.of());
    }

    @Override
    public CameraDescriptor descriptor() {
        return descriptor;
    }

    @Override
    public void start(FrameSink sink) {
        Objects.requireNonNull(sink, "sink");
        synchronized (lock) {
            if (session != null) {
                stopLocked();
            }
            Session s = open(MmapStream.BUFFERS);
            s.thread = new Thread(() -> capture(s, sink), "v4l2-" + spec.name());
            s.thread.setDaemon(true);
            session = s;
            s.thread.start();
        }
    }

    @Override
    public void stop() {
        synchronized (lock) {
            stopLocked();
        }
    }

    private void stopLocked() {
        Session s = session;
        if (s == null) {
            return;
        }
        session = null;
        s.stopping = true;
        if (Thread.currentThread() == s.thread) {
            return; // called from the sink on the capture thread: the loop ends and cleans up after the call returns
        }
        boolean interrupted = false;
        while (s.thread.isAlive()) {
            try {
                s.thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public Frame captureStill() {
        CompletableFuture<Frame> waiter;
        synchronized (lock) {
            Session s = session;
            if (s == null || s.stopping) {
                return stillFromIdle();
            }
            waiter = new CompletableFuture<>();
            synchronized (s.stills) {
                if (s.ended) {
                    waiter = null;
                } else {
                    s.stills.add(waiter);
                }
            }
            if (waiter == null) {
                // The stream just failed; the sink hears why and the core restarts it.
                throw new CameraException(CameraException.Kind.UNAVAILABLE,
                        "the stream of " + spec.name() + " has just failed; try again when it is back");
            }
        }
        try {
            return waiter.get(STILL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            waiter.cancel(false);
            throw new CameraException(CameraException.Kind.TIMEOUT,
                    "no frame from " + spec.device() + " within " + STILL_TIMEOUT_MS / 1000 + " s");
        } catch (InterruptedException e) {
            waiter.cancel(false);
            Thread.currentThread().interrupt();
            throw new CameraException(CameraException.Kind.IO, "interrupted while waiting for a still");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof CameraException c ? c
                    : new CameraException(CameraException.Kind.IO, "still failed: " + e.getCause(), e.getCause());
        }
    }

    /**
     * Opens, negotiates, takes the first good frame, copies it out and closes. Caller holds the lock. Only
     * what one frame needs: the remembered mode (no mode tree), the fewest buffers, no control reads, and
     * {@code poll} returns as soon as the frame is there.
     */
    private Frame stillFromIdle() {
        Session s = open(MmapStream.SINGLE_FRAME_BUFFERS);
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STILL_TIMEOUT_MS);
            while (System.nanoTime() < deadline) {
                Frame f;
                try {
                    f = s.stream.next(POLL_MS);
                } catch (ErrnoException e) {
                    throw e.toCameraException("still from " + spec.device() + " failed");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CameraException(CameraException.Kind.IO, "interrupted while taking a still");
                }
                if (f != null) {
                    try {
                        return copy(f);
                    } finally {
                        f.release();
                    }
                }
            }
            throw new CameraException(CameraException.Kind.TIMEOUT,
                    "no frame from " + spec.device() + " within " + STILL_TIMEOUT_MS / 1000 + " s");
        } finally {
            s.stream.close();
            s.node.close();
        }
    }

    /**
     * The current value of every control. The controls' descriptions (names, types, ranges, menu entries: one
     * ioctl per control and per menu entry, several hundred on some devices) are listed once per device
     * identity and reused, like the mode; only the values are read each time, since the capture service asks
     * for them with every still. A control the device no longer has makes it list them again.
     */
    @Override
    public List<Setting> settings() {
        try (V4l2Node node = discovery.openCapture(spec.device())) {
            String identity = identity(node.capability());
            Listed remembered = listed;
            if (remembered != null && remembered.identity().equals(identity)) {
                try {
                    return read(node, remembered.controls());
                } catch (ErrnoException e) {
                    if (e.errno() != LibC.EINVAL) {
                        throw e;
                    }
                    listed = null; // a control is gone: the device is not what it was; list afresh below
                }
            }
            List<V4l2Controls.Control> controls = V4l2Controls.list(node);
            listed = new Listed(identity, controls);
            return read(node, controls);
        } catch (ErrnoException e) {
            throw e.toCameraException("cannot read the controls of " + spec.device());
        }
    }

    private static List<Setting> read(V4l2Node node, List<V4l2Controls.Control> controls) {
        List<Setting> out = new ArrayList<>(controls.size());
        for (V4l2Controls.Control c : controls) {
            out.add(V4l2Controls.read(node, c));
        }
        return out;
    }

    /** Writes are checked against the device's controls as they are now: listed afresh, and remembered. */
    @Override
    public Setting setSetting(String name, Object value) {
        try (V4l2Node node = discovery.openCapture(spec.device())) {
            List<V4l2Controls.Control> controls = V4l2Controls.list(node);
            listed = new Listed(identity(node.capability()), controls);
            V4l2Controls.Control control = controls.stream().filter(c -> c.key().equals(name)).findFirst()
                    .orElseThrow(() -> CameraException.notFound("camera '" + spec.name() + "' has no setting '" + name
                            + "'; it has: " + String.join(", ", controls.stream().map(V4l2Controls.Control::key).toList())));
            return V4l2Controls.write(node, control, value);
        } catch (ErrnoException e) {
            throw e.toCameraException("cannot set '" + name + "' on " + spec.device());
        }
    }

    // ---- opening and negotiation ------------------------------------------------------------------------

    /**
     * Opens the node, sets format, size and rate, maps buffers and starts streaming. Caller holds the lock.
     *
     * <p>Reading the whole mode tree takes hundreds of ioctls, which would dominate an idle still. So the mode
     * picked from it is remembered together with the device's identity (kernel driver, card, bus) and reused
     * while that identity stays the same; the negotiation result is checked either way, and a device that no
     * longer takes the remembered mode (another model on the same port) is asked for its modes again.
     *
     * @param buffers buffers to ask for: {@link MmapStream#BUFFERS} to stream, fewer for a single frame
     */
    private Session open(int buffers) {
        V4l2Node node = discovery.openCapture(spec.device());
        try {
            Videodev2.Capability cap = node.capability(); // asked by openCapture already
            String identity = identity(cap);
            Chosen remembered = chosen;
            boolean reused = remembered != null && remembered.identity().equals(identity);
            DeviceModes.Selection sel = reused ? remembered.selection()
                    : DeviceModes.read(node).select(spec.device(), spec.format(), spec.width(), spec.height(), spec.fps());
            Videodev2.PixFormat pix = node.setFormat(sel.fourcc(), sel.width(), sel.height(), false);
            if (pix.pixelformat != sel.fourcc() || pix.width != sel.width() || pix.height != sel.height()) {
                if (reused) {
                    chosen = null;
                    node.close();
                    return open(buffers);
                }
                throw new CameraException(CameraException.Kind.IO, spec.device() + " negotiated "
                        + Fourcc.toString(pix.pixelformat) + " " + pix.width + "x" + pix.height + " instead of "
                        + Fourcc.toString(sel.fourcc()) + " " + sel.width() + "x" + sel.height());
            }
            double fps = (sel.fps() > 0 ? node.setFps(sel.fps()) : node.getFps()).map(DeviceModes::round).orElse(0.0);
            int stride = sel.pixelFormat().isCompressed() ? 0
                    : Math.max(pix.bytesperline, sel.width() * sel.pixelFormat().bytesPerPixel());
            MmapStream stream = MmapStream.start(node, sel.pixelFormat(), sel.width(), sel.height(), stride, buffers);
            chosen = new Chosen(identity, sel);
            Mode mode = new Mode(sel.pixelFormat(), sel.width(), sel.height(), fps);
            Map<String, Object> props = new LinkedHashMap<>();
            props.put("node", node.path());
            props.put("card", Videodev2.string(cap.card));
            props.put("busInfo", Videodev2.string(cap.bus_info));
            props.put("kernelDriver", Videodev2.string(cap.driver));
            props.put("fourcc", Fourcc.toString(sel.fourcc()));
            // The buffers streaming maps: a still from an idle camera maps fewer, which says nothing about the
            // camera; until it has streamed, the count is not known.
            Object streamingBuffers = buffers != MmapStream.SINGLE_FRAME_BUFFERS ? Integer.valueOf(stream.bufferCount())
                    : descriptor != null ? descriptor.properties().get("buffers") : null;
            if (streamingBuffers != null) {
                props.put("buffers", streamingBuffers);
            }
            descriptor = describe(mode, props);
            return new Session(node, stream, mode);
        } catch (ErrnoException e) {
            node.close();
            if (e.errno() == LibC.EBUSY) {
                throw new CameraException(CameraException.Kind.BUSY, spec.device() + " is busy: "
                        + holders.describe(Path.of(spec.device())), e);
            }
            throw e.toCameraException("cannot start " + spec.device());
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
    }

    /** Which device a node is (kernel driver, card, bus): what remembered modes and controls are keyed by. */
    private static String identity(Videodev2.Capability cap) {
        return Videodev2.string(cap.driver) + "/" + Videodev2.string(cap.card) + "/" + Videodev2.string(cap.bus_info);
    }

    private CameraDescriptor describe(Mode mode, Map<String, Object> props) {
        return new CameraDescriptor(spec.name(), spec.label(), "v4l2", spec.device(), mode,
                EnumSet.of(Capability.STREAM, Capability.STILL, Capability.SETTINGS), spec.stereo(), spec.stereoOrder(),
                spec.interruptService(), props);
    }

    // ---- the capture thread -------------------------------------------------------------------------------

    private void capture(Session s, FrameSink sink) {
        double fps = s.mode.fps();
        long stallNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(STALL_TIMEOUT_MS, fps > 0 ? (long) (4000 / fps) : 0));
        long lastFrame = System.nanoTime();
        CameraException failure = null;
        try {
            while (!s.stopping) {
                Frame f;
                try {
                    f = s.stream.next(POLL_MS);
                } catch (ErrnoException e) {
                    failure = e.deviceGone()
                            ? new CameraException(CameraException.Kind.UNAVAILABLE, spec.device() + " is gone: " + e.getMessage(), e)
                            : e.toCameraException("streaming from " + spec.device() + " failed");
                    break;
                }
                if (f == null) {
                    if (System.nanoTime() - lastFrame > stallNanos) {
                        failure = new CameraException(CameraException.Kind.TIMEOUT, "no frame from " + spec.device()
                                + " for " + TimeUnit.NANOSECONDS.toSeconds(stallNanos) + " s");
                        break;
                    }
                    continue;
                }
                lastFrame = System.nanoTime();
                try {
                    serveStills(s, f);
                    if (!s.stopping) {
                        sink.frame(f);
                    }
                } finally {
                    f.release();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = new CameraException(CameraException.Kind.IO, "capture from " + spec.device() + " failed: " + e, e);
        } finally {
            failStills(s, failure);
            s.stream.close();
            s.node.close();
        }
        if (failure != null) {
            // Whatever comes back at this path is asked for its modes and controls again.
            chosen = null;
            listed = null;
        }
        if (failure != null && !s.stopping) {
            sink.failed(failure);
        }
    }

    private static void serveStills(Session s, Frame f) {
        List<CompletableFuture<Frame>> waiting;
        synchronized (s.stills) {
            if (s.stills.isEmpty()) {
                return;
            }
            waiting = new ArrayList<>(s.stills);
            s.stills.clear();
        }
        for (CompletableFuture<Frame> w : waiting) {
            Frame copy = copy(f);
            if (!w.complete(copy)) {
                copy.release();
            }
        }
    }

    private void failStills(Session s, CameraException failure) {
        List<CompletableFuture<Frame>> waiting;
        synchronized (s.stills) {
            s.ended = true;
            waiting = new ArrayList<>(s.stills);
            s.stills.clear();
        }
        CameraException e = failure != null ? failure
                : new CameraException(CameraException.Kind.UNAVAILABLE, "stream of " + spec.name() + " stopped before a frame came");
        waiting.forEach(w -> w.completeExceptionally(e));
    }

    /** A frame the caller owns outright: its bytes copied to the heap, no recycler. */
    private static Frame copy(Frame f) {
        return Frame.of(f.format(), f.width(), f.height(), f.stride(), f.sequence(), f.monotonicNanos(), f.timestamp(),
                ByteBuffer.wrap(f.toByteArray()));
    }
}
