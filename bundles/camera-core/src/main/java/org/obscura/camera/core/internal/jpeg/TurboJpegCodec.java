package org.obscura.camera.core.internal.jpeg;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.NativeLongByReference;
import com.sun.jna.ptr.PointerByReference;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.PixelFormat;

/**
 * libjpeg-turbo through its TurboJPEG API. Every raw format goes to the library in the cheapest form it takes:
 * <ul>
 * <li>RGB24, BGR24, GREY: {@code tjCompress2} straight from the frame's bytes, pitch = stride (no conversion);
 * <li>YUYV, UYVY, NV12: split into I420 planes and compressed with {@code tjCompressFromYUVPlanes}, which skips
 * libjpeg's colour conversion entirely (libjpeg-turbo 2.1 takes no packed or semi-planar YUV). The one pass over
 * the samples does all the work there is: de-interleaving, averaging the chroma of each row pair (4:2:0 output
 * like every other live JPEG here: a quarter fewer blocks to transform than 4:2:2, and smaller frames) and
 * expanding the camera's limited range to JFIF's full range through lookup tables.
 * </ul>
 *
 * <p>Native state (a compressor and a decompressor handle, input, plane and output buffers) lives in
 * {@link Worker}s, each used by one thread at a time and pooled rather than kept per thread: the frame hubs'
 * worker threads come and go, and a per-thread handle would leak with every thread that dies. A thread takes an
 * idle worker (or makes one), and gives it back; at most {@link #MAX_IDLE} idle workers are kept. Output
 * buffers are sized once with {@code tjBufSize} and passed with {@code TJFLAG_NOREALLOC}, so the library never
 * allocates per frame. {@link #close()} waits for running calls and frees everything; calls after it use the
 * pure-Java codec.
 */
public final class TurboJpegCodec implements JpegCodec {

    static final int MAX_IDLE = Math.max(2, Runtime.getRuntime().availableProcessors() * 2);

    private static final Pattern VERSION = Pattern.compile("libjpeg-turbo version (\\d+)\\.(\\d+)");

    private final TurboJpegLibrary tj;
    private final String name;
    private final JpegCodec fallback = ImageIoJpegEncoder.INSTANCE;
    private final ConcurrentLinkedDeque<Worker> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger idleCount = new AtomicInteger();
    /** Read lock: a call using native state. Write lock: close, which frees it. */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed; // guarded by lifecycle

    private TurboJpegCodec(TurboJpegLibrary tj, String name) {
        this.tj = tj;
        this.name = name;
    }

    /**
     * Loads libturbojpeg (the unversioned development link if present, else Debian's runtime
     * {@code libturbojpeg.so.0}).
     *
     * @throws UnsatisfiedLinkError when the library is not installed or lacks the TurboJPEG 2 functions
     */
    public static TurboJpegCodec load() {
        UnsatisfiedLinkError first = null;
        for (String library : new String[] {"turbojpeg", "libturbojpeg.so.0"}) {
            try {
                TurboJpegLibrary tj = Native.load(library, TurboJpegLibrary.class);
                // Fail now, not on the first frame, if the library is too old for the functions used.
                Pointer probe = tj.tjInitCompress();
                if (probe == null) {
                    throw new UnsatisfiedLinkError("tjInitCompress failed");
                }
                tj.tjDestroy(probe);
                return new TurboJpegCodec(tj, "libjpeg-turbo" + version());
            } catch (UnsatisfiedLinkError e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        throw first;
    }

    /**
     * " 2.1" from the version banner libjpeg-turbo embeds (found via the mapped library file), or "" when it
     * cannot be read: the name is informative only.
     */
    private static String version() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"), StandardCharsets.ISO_8859_1)) {
                int at = line.indexOf('/');
                if (at >= 0 && line.contains("libturbojpeg")) {
                    String text = new String(Files.readAllBytes(Path.of(line.substring(at).trim())), StandardCharsets.ISO_8859_1);
                    Matcher m = VERSION.matcher(text);
                    return m.find() ? " " + m.group(1) + "." + m.group(2) : "";
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or not readable: no version in the name.
        }
        return "";
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean fallback() {
        return false;
    }

    @Override
    public byte[] encode(Frame frame, int quality) {
        if (frame.format().isCompressed()) {
            throw new CameraException(CameraException.Kind.UNSUPPORTED, frame.format() + " frames are already compressed");
        }
        checkQuality(quality);
        var lock = lifecycle.readLock();
        lock.lock();
        try {
            if (closed) {
                return fallback.encode(frame, quality);
            }
            Worker w = take();
            try {
                return w.encode(frame, quality);
            } finally {
                give(w);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public byte[] encode(BgrImage image, int quality) {
        checkQuality(quality);
        var lock = lifecycle.readLock();
        lock.lock();
        try {
            if (closed) {
                return fallback.encode(image, quality);
            }
            Worker w = take();
            try {
                return w.encode(image, quality);
            } finally {
                give(w);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public BgrImage decode(ByteBuffer jpeg, int minWidth, int minHeight) {
        var lock = lifecycle.readLock();
        lock.lock();
        try {
            if (closed) {
                return fallback.decode(jpeg, minWidth, minHeight);
            }
            Worker w = take();
            try {
                return w.decode(jpeg.duplicate(), minWidth, minHeight);
            } finally {
                give(w);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Frees every worker; waits for calls in progress. Idempotent. */
    @Override
    public void close() {
        var lock = lifecycle.writeLock();
        lock.lock();
        try {
            closed = true;
            Worker w;
            while ((w = idle.poll()) != null) {
                w.free();
            }
            idleCount.set(0);
        } finally {
            lock.unlock();
        }
    }

    /** Idle workers now, for tests. */
    int idleWorkers() {
        return idleCount.get();
    }

    private Worker take() {
        Worker w = idle.pollFirst();
        if (w == null) {
            return new Worker();
        }
        idleCount.decrementAndGet();
        return w;
    }

    private void give(Worker w) {
        // Called under the read lock, so close() cannot run between the check and the push.
        if (idleCount.incrementAndGet() <= MAX_IDLE) {
            idle.offerFirst(w);
        } else {
            idleCount.decrementAndGet();
            w.free();
        }
    }

    private static void checkQuality(int quality) {
        if (quality < 1 || quality > 100) {
            throw CameraException.invalid("quality", "quality must be between 1 and 100, got " + quality);
        }
    }

    /** Native state for one thread at a time. */
    private final class Worker {
        private Pointer compressor;
        private Pointer decompressor;
        private Memory input;
        private Memory planes;
        private Memory output;
        private final PointerByReference outRef = new PointerByReference();
        private final NativeLongByReference outSize = new NativeLongByReference();
        private final Pointer[] planePointers = new Pointer[3];
        private final int[] planeStrides = new int[3];
        /** Row buffers of the plane splits, kept so that encoding a frame allocates nothing per row or frame. */
        private final RowScratch rows = new RowScratch();

        byte[] encode(Frame frame, int quality) {
            int w = frame.width();
            int h = frame.height();
            int stride = frame.stride();
            ByteBuffer data = frame.data();
            PixelFormat format = frame.format();
            return switch (format) {
                case RGB24, BGR24, GREY -> {
                    int pf = format == PixelFormat.RGB24 ? TurboJpegLibrary.TJPF_RGB
                            : format == PixelFormat.BGR24 ? TurboJpegLibrary.TJPF_BGR : TurboJpegLibrary.TJPF_GRAY;
                    int samp = format == PixelFormat.GREY ? TurboJpegLibrary.TJSAMP_GRAY : TurboJpegLibrary.TJSAMP_420;
                    // The last row may be shorter than the stride (tight buffers): pass only what exists.
                    int length = stride * (h - 1) + w * format.bytesPerPixel();
                    yield compressPixels(pointer(data, length), w, stride, h, pf, samp, quality);
                }
                case YUYV, UYVY -> {
                    Pointer base = ensurePlanes(w, h);
                    splitPacked422(data, w, h, stride, format == PixelFormat.UYVY, base.getByteBuffer(0, planeBytes(w, h)), rows);
                    yield compressPlanes(base, w, w, h, quality);
                }
                case NV12 -> encodeNv12(data, w, h, stride, quality);
                default -> throw new CameraException(CameraException.Kind.UNSUPPORTED, "cannot encode " + format + " frames");
            };
        }

        byte[] encode(BgrImage image, int quality) {
            int length = image.width() * image.height() * 3;
            input = ensure(input, length);
            input.write(0, image.pixels(), 0, length);
            return compressPixels(input, image.width(), image.width() * 3, image.height(), TurboJpegLibrary.TJPF_BGR,
                    TurboJpegLibrary.TJSAMP_420, quality);
        }

        private byte[] encodeNv12(ByteBuffer data, int w, int h, int stride, int quality) {
            Pointer base = ensurePlanes(w, h);
            splitNv12(data, w, h, stride, base.getByteBuffer(0, planeBytes(w, h)), rows);
            return compressPlanes(base, w, w, h, quality);
        }

        private byte[] compressPlanes(Pointer base, int lumaStride, int w, int h, int quality) {
            int cw = (w + 1) / 2;
            int ch = (h + 1) / 2;
            planePointers[0] = base;
            planePointers[1] = base.share((long) w * h);
            planePointers[2] = base.share((long) w * h + (long) cw * ch);
            planeStrides[0] = lumaStride;
            planeStrides[1] = cw;
            planeStrides[2] = cw;
            return compressPlanes(w, h, quality);
        }

        private byte[] compressPlanes(int w, int h, int quality) {
            Pointer handle = compressor();
            prepareOutput(w, h, TurboJpegLibrary.TJSAMP_420);
            check(compressor, tj.tjCompressFromYUVPlanes(handle, planePointers, w, planeStrides, h,
                    TurboJpegLibrary.TJSAMP_420, outRef, outSize, quality, TurboJpegLibrary.TJFLAG_NOREALLOC), "compress");
            return output.getByteArray(0, (int) outSize.getValue().longValue());
        }

        private byte[] compressPixels(Pointer src, int w, int pitch, int h, int pixelFormat, int samp, int quality) {
            Pointer handle = compressor();
            prepareOutput(w, h, samp);
            check(compressor, tj.tjCompress2(handle, src, w, pitch, h, pixelFormat, outRef, outSize, samp, quality,
                    TurboJpegLibrary.TJFLAG_NOREALLOC), "compress");
            return output.getByteArray(0, (int) outSize.getValue().longValue());
        }

        BgrImage decode(ByteBuffer jpeg, int minWidth, int minHeight) {
            Pointer handle = decompressor();
            int length = jpeg.remaining();
            Pointer src = pointer(jpeg, length);
            NativeLong size = new NativeLong(length);
            IntByReference width = new IntByReference();
            IntByReference height = new IntByReference();
            IntByReference subsamp = new IntByReference();
            IntByReference colorspace = new IntByReference();
            check(handle, tj.tjDecompressHeader3(handle, src, size, width, height, subsamp, colorspace), "read the JPEG header of");
            int[] scaled = scaledSize(width.getValue(), height.getValue(), minWidth, minHeight);
            int w = scaled[0];
            int h = scaled[1];
            long bytes = (long) w * h * 3;
            output = ensure(output, bytes);
            check(handle, tj.tjDecompress2(handle, src, size, output, w, w * 3, h, TurboJpegLibrary.TJPF_BGR, 0), "decode");
            return new BgrImage(w, h, output.getByteArray(0, (int) bytes));
        }

        /** The smallest libjpeg scaled size (num/denom of the image) that is at least the minimum in both directions. */
        private int[] scaledSize(int width, int height, int minWidth, int minHeight) {
            int bestW = width;
            int bestH = height;
            if (minWidth > 0 || minHeight > 0) {
                IntByReference count = new IntByReference();
                Pointer factors = tj.tjGetScalingFactors(count);
                for (int i = 0; factors != null && i < count.getValue(); i++) {
                    int num = factors.getInt(i * 8L);
                    int denom = factors.getInt(i * 8L + 4);
                    if (num > denom) {
                        continue; // only scaling down
                    }
                    int w = (width * num + denom - 1) / denom;
                    int h = (height * num + denom - 1) / denom;
                    if (w >= minWidth && h >= minHeight && (long) w * h < (long) bestW * bestH) {
                        bestW = w;
                        bestH = h;
                    }
                }
            }
            return new int[] {bestW, bestH};
        }

        /** The data as a native pointer: direct buffers in place, heap buffers copied to the input buffer. */
        private Pointer pointer(ByteBuffer data, int length) {
            if (data.isDirect()) {
                return Native.getDirectBufferPointer(data).share(data.position());
            }
            input = ensure(input, length);
            ByteBuffer view = input.getByteBuffer(0, length);
            view.put(data.duplicate().limit(data.position() + length));
            return input;
        }

        private Pointer ensurePlanes(int w, int h) {
            planes = ensure(planes, planeBytes(w, h));
            return planes;
        }

        private void prepareOutput(int w, int h, int samp) {
            long capacity = tj.tjBufSize(w, h, samp).longValue();
            output = ensure(output, capacity);
            outRef.setValue(output);
            outSize.setValue(new NativeLong(output.size()));
        }

        private Pointer compressor() {
            if (compressor == null) {
                compressor = tj.tjInitCompress();
                if (compressor == null) {
                    throw new CameraException(CameraException.Kind.IO, "libjpeg-turbo could not create a compressor");
                }
            }
            return compressor;
        }

        private Pointer decompressor() {
            if (decompressor == null) {
                decompressor = tj.tjInitDecompress();
                if (decompressor == null) {
                    throw new CameraException(CameraException.Kind.IO, "libjpeg-turbo could not create a decompressor");
                }
            }
            return decompressor;
        }

        private void check(Pointer handle, int result, String what) {
            if (result != 0) {
                throw new CameraException(CameraException.Kind.IO, "libjpeg-turbo could not " + what + " the image: "
                        + tj.tjGetErrorStr2(handle));
            }
        }

        void free() {
            if (compressor != null) {
                tj.tjDestroy(compressor);
                compressor = null;
            }
            if (decompressor != null) {
                tj.tjDestroy(decompressor);
                decompressor = null;
            }
            for (Memory m : new Memory[] {input, planes, output}) {
                if (m != null) {
                    m.close();
                }
            }
            input = planes = output = null;
        }
    }

    private static Memory ensure(Memory memory, long size) {
        if (memory != null && memory.size() >= size) {
            return memory;
        }
        if (memory != null) {
            memory.close();
        }
        return new Memory(Math.max(1, size));
    }

    /** Bytes of the I420 planes of a w x h image. */
    static int planeBytes(int w, int h) {
        return w * h + 2 * ((w + 1) / 2) * ((h + 1) / 2);
    }

    /**
     * Limited-range ("studio swing", what V4L2 and UVC cameras deliver) to the full range JFIF defines: luma
     * 16..235 to 0..255, chroma 16..240 around 128 to 0..255. Without it every picture would come out greyish.
     */
    static final byte[] LUMA = new byte[256];
    static final byte[] CHROMA = new byte[256];

    static {
        for (int i = 0; i < 256; i++) {
            LUMA[i] = (byte) Math.max(0, Math.min(255, Math.round((i - 16) * 255.0 / 219.0)));
            CHROMA[i] = (byte) Math.max(0, Math.min(255, Math.round((i - 128) * 255.0 / 224.0 + 128)));
        }
    }

    /**
     * Splits packed 4:2:2 rows into full-range I420 planes (Y w x h, then U and V, (w+1)/2 x (h+1)/2) in
     * {@code out}. The chroma of each row pair is averaged (rounded), as libjpeg's own 2x2 downsampling does; a
     * last odd row pairs with itself; bytes past a row's end (odd width, tight stride) count as neutral 128.
     * Two source rows are copied out in bulk, converted through the range tables and written back in bulk.
     */
    static void splitPacked422(ByteBuffer src, int w, int h, int stride, boolean uyvy, ByteBuffer out) {
        splitPacked422(src, w, h, stride, uyvy, out, new RowScratch());
    }

    static void splitPacked422(ByteBuffer src, int w, int h, int stride, boolean uyvy, ByteBuffer out,
            RowScratch rows) {
        int cw = (w + 1) / 2;
        int ch = (h + 1) / 2;
        int uPlane = w * h;
        int vPlane = uPlane + cw * ch;
        int rowBytes = cw * 4;
        int readable = Math.min(stride, rowBytes);
        byte[] a = rows.get(0, rowBytes);
        byte[] b = rows.get(1, rowBytes);
        // Bytes past the readable part of a row (odd widths) must read as neutral chroma.
        java.util.Arrays.fill(a, readable, rowBytes, (byte) 128);
        java.util.Arrays.fill(b, readable, rowBytes, (byte) 128);
        byte[] ya = rows.get(2, cw * 2);
        byte[] yb = rows.get(3, cw * 2);
        byte[] u = rows.get(4, cw);
        byte[] v = rows.get(5, cw);
        int yOff = uyvy ? 1 : 0;
        int uOff = uyvy ? 0 : 1;
        int vOff = uyvy ? 2 : 3;
        byte[] luma = LUMA;
        byte[] chroma = CHROMA;
        for (int cy = 0; cy < ch; cy++) {
            int y0 = cy * 2;
            int y1 = Math.min(y0 + 1, h - 1);
            src.get(y0 * stride, a, 0, readable);
            src.get(y1 * stride, b, 0, readable);
            for (int p = 0, i = 0; p < cw; p++, i += 4) {
                ya[2 * p] = luma[a[i + yOff] & 0xff];
                ya[2 * p + 1] = luma[a[i + yOff + 2] & 0xff];
                yb[2 * p] = luma[b[i + yOff] & 0xff];
                yb[2 * p + 1] = luma[b[i + yOff + 2] & 0xff];
                u[p] = chroma[((a[i + uOff] & 0xff) + (b[i + uOff] & 0xff) + 1) >> 1];
                v[p] = chroma[((a[i + vOff] & 0xff) + (b[i + vOff] & 0xff) + 1) >> 1];
            }
            out.put(y0 * w, ya, 0, w);
            out.put(y1 * w, yb, 0, w);
            out.put(uPlane + cy * cw, u, 0, cw);
            out.put(vPlane + cy * cw, v, 0, cw);
        }
    }

    /** NV12 to full-range I420 planes in {@code out}, like {@link #splitPacked422}. */
    static void splitNv12(ByteBuffer src, int w, int h, int stride, ByteBuffer out) {
        splitNv12(src, w, h, stride, out, new RowScratch());
    }

    static void splitNv12(ByteBuffer src, int w, int h, int stride, ByteBuffer out, RowScratch rows) {
        int cw = (w + 1) / 2;
        int ch = (h + 1) / 2;
        int uPlane = w * h;
        int vPlane = uPlane + cw * ch;
        byte[] row = rows.get(0, Math.max(w, cw * 2));
        byte[] u = rows.get(1, cw);
        byte[] v = rows.get(2, cw);
        byte[] luma = LUMA;
        byte[] chroma = CHROMA;
        for (int y = 0; y < h; y++) {
            src.get(y * stride, row, 0, w);
            for (int x = 0; x < w; x++) {
                row[x] = luma[row[x] & 0xff];
            }
            out.put(y * w, row, 0, w);
        }
        int chromaPlane = stride * h;
        int readable = Math.min(stride, cw * 2);
        java.util.Arrays.fill(row, (byte) 128);
        for (int y = 0; y < ch; y++) {
            src.get(chromaPlane + y * stride, row, 0, readable);
            for (int x = 0; x < cw; x++) {
                u[x] = chroma[row[2 * x] & 0xff];
                v[x] = chroma[row[2 * x + 1] & 0xff];
            }
            out.put(uPlane + y * cw, u, 0, cw);
            out.put(vPlane + y * cw, v, 0, cw);
        }
    }

    /**
     * Row buffers reused from frame to frame by one thread at a time (a worker): {@link #get} hands back the same
     * array for the same slot while it is large enough. Contents are not cleared.
     */
    static final class RowScratch {
        private final byte[][] slots = new byte[6][];

        byte[] get(int slot, int length) {
            byte[] b = slots[slot];
            if (b == null || b.length < length) {
                b = new byte[length];
                slots[slot] = b;
            }
            return b;
        }
    }
}
