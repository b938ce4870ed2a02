package org.obscura.camera.core.internal.jpeg;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.PixelFormat;

/**
 * libjpeg-turbo through its TurboJPEG API. Every raw format goes to the library in the cheapest form it takes:
 * <ul>
 * <li>RGB24, BGR24, GREY: {@code tjCompress2} straight from the frame's bytes, pitch = stride (no conversion,
 * no copy for direct buffers);
 * <li>YUYV, UYVY, NV12: split into I420 planes ({@link YuvPlanes}) and compressed with
 * {@code tjCompressFromYUVPlanes}, which skips libjpeg's colour conversion entirely (libjpeg-turbo 2.1 takes no
 * packed or semi-planar YUV). Even NV12's luma plane cannot go to the library in place: it is limited range and
 * must pass through the range table, so the split writes it once.
 * </ul>
 *
 * <p>Native state (a compressor and a decompressor handle, input, plane and output buffers) lives in
 * {@link Worker}s, each used by one thread at a time and pooled rather than kept per thread: the frame hubs'
 * worker threads come and go, and a per-thread handle would leak with every thread that dies. A thread takes an
 * idle worker (or makes one) and gives it back. Workers are bounded because each holds megabytes of native
 * memory (at 1280x720: 1.4 MB of planes, up to 2.8 MB of output capacity, 2.8 MB of input for heap frames):
 * at most {@link #MAX_WORKERS} exist at once (further callers wait; encoding is CPU-bound, so more at once would
 * not be faster) and at most {@link #MAX_IDLE} are kept between calls. Output buffers are sized once with
 * {@code tjBufSize} and passed with {@code TJFLAG_NOREALLOC}, so the library never allocates per frame, and the
 * two compress calls are bound with JNA's direct mapping ({@link TurboJpegDirect}), so that a live frame costs
 * no Java garbage beyond the returned JPEG and a few small objects. {@link #close()} waits for running calls and
 * frees everything; calls after it use the pure-Java codec.
 */
public final class TurboJpegCodec implements JpegCodec {

    /** Workers that may exist at once: one per core (the work is CPU-bound), at least 2, at most 4 (memory). */
    static final int MAX_WORKERS = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));
    /** Workers kept between calls: one stream needs one; a second serves stills and small frames meanwhile. */
    static final int MAX_IDLE = 2;

    private static final Pattern VERSION = Pattern.compile("libjpeg-turbo version (\\d+)\\.(\\d+)");

    private final TurboJpegLibrary tj;
    private final String name;
    private final JpegCodec fallback = ImageIoJpegEncoder.INSTANCE;
    private final ConcurrentLinkedDeque<Worker> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger idleCount = new AtomicInteger();
    private final Semaphore permits = new Semaphore(MAX_WORKERS);
    /** Workers in existence now (idle or in use), and the most there ever were; for tests. */
    private final AtomicInteger workers = new AtomicInteger();
    private final AtomicInteger peakWorkers = new AtomicInteger();
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
                TurboJpegDirect.bind(NativeLibrary.getInstance(library));
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
            if (closed) {
                return;
            }
            closed = true;
            Worker w;
            while ((w = idle.poll()) != null) {
                w.free();
            }
            idleCount.set(0);
            TurboJpegDirect.release();
        } finally {
            lock.unlock();
        }
    }

    /** Idle workers now, for tests. */
    int idleWorkers() {
        return idleCount.get();
    }

    /** The most workers that existed at once, for tests. */
    int peakWorkers() {
        return peakWorkers.get();
    }

    /** An idle worker or a new one; waits while {@link #MAX_WORKERS} are in use. Pair with {@link #give}. */
    private Worker take() {
        permits.acquireUninterruptibly();
        Worker w = idle.pollFirst();
        if (w == null) {
            peakWorkers.accumulateAndGet(workers.incrementAndGet(), Math::max);
            return new Worker();
        }
        idleCount.decrementAndGet();
        return w;
    }

    private void give(Worker w) {
        // Called under the read lock, so close() cannot run between the check and the push.
        try {
            if (idleCount.incrementAndGet() <= MAX_IDLE) {
                idle.offerFirst(w);
            } else {
                idleCount.decrementAndGet();
                w.free();
            }
        } finally {
            permits.release();
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
        /** A view of {@link #planes} for the splits, made once per allocation. */
        private ByteBuffer planesView;
        /** The splits' heap rows. */
        private final YuvPlanes yuv = new YuvPlanes();
        private Memory output;
        /** {@code unsigned char *jpegBuf} (always {@link #output}) and {@code unsigned long jpegSize} of the compress calls. */
        private final Memory outSlot = new Memory(Native.POINTER_SIZE);
        private final Memory sizeSlot = new Memory(NativeLong.SIZE);
        /** {@code srcPlanes} and {@code strides} of tjCompressFromYUVPlanes, for {@link #planeWidth} x {@link #planeHeight}. */
        private final Memory planeArray = new Memory(3L * Native.POINTER_SIZE);
        private final Memory strideArray = new Memory(3L * Integer.BYTES);
        private int planeWidth;
        private int planeHeight;
        /** tjBufSize of the last compressed size and subsampling, asked once per change. */
        private int bufWidth;
        private int bufHeight;
        private int bufSamp = -1;
        private long bufCapacity;

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
                    yuv.fromPacked422(data, w, h, stride, format == PixelFormat.UYVY, planes(w, h));
                    yield compressPlanes(w, h, quality);
                }
                case NV12 -> {
                    yuv.fromNv12(data, w, h, stride, planes(w, h));
                    yield compressPlanes(w, h, quality);
                }
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

        /**
         * The plane buffer for a w x h frame, as a view to split into; points {@link #planeArray} and
         * {@link #strideArray} at its three planes.
         */
        private ByteBuffer planes(int w, int h) {
            int bytes = YuvPlanes.planeBytes(w, h);
            if (planes == null || planes.size() < bytes) {
                planes = ensure(planes, bytes);
                planesView = planes.getByteBuffer(0, planes.size());
                planeWidth = 0;
            }
            if (w != planeWidth || h != planeHeight) {
                int cw = (w + 1) / 2;
                int ch = (h + 1) / 2;
                planeArray.setPointer(0, planes);
                planeArray.setPointer(Native.POINTER_SIZE, planes.share((long) w * h));
                planeArray.setPointer(2L * Native.POINTER_SIZE, planes.share((long) w * h + (long) cw * ch));
                strideArray.setInt(0, w);
                strideArray.setInt(Integer.BYTES, cw);
                strideArray.setInt(2L * Integer.BYTES, cw);
                planeWidth = w;
                planeHeight = h;
            }
            return planesView;
        }

        private byte[] compressPlanes(int w, int h, int quality) {
            Pointer handle = compressor();
            prepareOutput(w, h, TurboJpegLibrary.TJSAMP_420);
            check(handle, TurboJpegDirect.tjCompressFromYUVPlanes(handle, planeArray, w, strideArray, h,
                    TurboJpegLibrary.TJSAMP_420, outSlot, sizeSlot, quality, TurboJpegLibrary.TJFLAG_NOREALLOC), "compress");
            return output.getByteArray(0, outputSize());
        }

        private byte[] compressPixels(Pointer src, int w, int pitch, int h, int pixelFormat, int samp, int quality) {
            Pointer handle = compressor();
            prepareOutput(w, h, samp);
            check(handle, TurboJpegDirect.tjCompress2(handle, src, w, pitch, h, pixelFormat, outSlot, sizeSlot, samp,
                    quality, TurboJpegLibrary.TJFLAG_NOREALLOC), "compress");
            return output.getByteArray(0, outputSize());
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
                Pointer p = Native.getDirectBufferPointer(data);
                return data.position() == 0 ? p : p.share(data.position());
            }
            input = ensure(input, length);
            ByteBuffer view = input.getByteBuffer(0, length);
            view.put(data.duplicate().limit(data.position() + length));
            return input;
        }

        /**
         * Makes {@link #output} at least tjBufSize for the size (it may be larger: decoding reuses it) and sets the
         * compress calls' in/out arguments: the buffer and its capacity.
         */
        private void prepareOutput(int w, int h, int samp) {
            if (w != bufWidth || h != bufHeight || samp != bufSamp) {
                bufCapacity = tj.tjBufSize(w, h, samp).longValue();
                bufWidth = w;
                bufHeight = h;
                bufSamp = samp;
            }
            output = ensure(output, bufCapacity);
            // Set on every call (a plain store): decoding may have replaced the buffer since the last compress.
            outSlot.setPointer(0, output);
            if (NativeLong.SIZE == 8) {
                sizeSlot.setLong(0, output.size());
            } else {
                sizeSlot.setInt(0, (int) Math.min(Integer.MAX_VALUE, output.size()));
            }
        }

        private int outputSize() {
            return (int) (NativeLong.SIZE == 8 ? sizeSlot.getLong(0) : sizeSlot.getInt(0) & 0xFFFFFFFFL);
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
            workers.decrementAndGet();
            if (compressor != null) {
                tj.tjDestroy(compressor);
                compressor = null;
            }
            if (decompressor != null) {
                tj.tjDestroy(decompressor);
                decompressor = null;
            }
            for (Memory m : new Memory[] {input, planes, output, outSlot, sizeSlot, planeArray, strideArray}) {
                if (m != null) {
                    m.close();
                }
            }
            input = planes = output = null;
            planesView = null;
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
}
