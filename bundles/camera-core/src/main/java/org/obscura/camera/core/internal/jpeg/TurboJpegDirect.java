package org.obscura.camera.core.internal.jpeg;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The two TurboJPEG calls made for every live frame, bound with JNA's direct mapping ({@link Native#register}):
 * a direct call converts no arguments through reflection, boxes nothing and allocates no native argument
 * arrays, unlike a call through the {@link TurboJpegLibrary} interface. Every pointer argument is therefore a
 * {@link Pointer} to native memory the caller owns: {@code jpegBuf} points at a slot holding the output
 * buffer's address, {@code jpegSize} at an {@code unsigned long} holding its capacity on entry and the JPEG's
 * size on return, {@code srcPlanes} at three plane addresses and {@code strides} at three ints. Same contract
 * as turbojpeg.h otherwise; the handle is used by one thread at a time.
 */
final class TurboJpegDirect {

    private static int users; // guarded by the class

    private TurboJpegDirect() {
    }

    /**
     * Binds the natives to the library for one more user (a codec); the first user registers them. Pair with
     * {@link #release()}.
     *
     * @throws UnsatisfiedLinkError when the functions are missing
     */
    static synchronized void bind(NativeLibrary library) {
        if (users == 0) {
            Native.register(TurboJpegDirect.class, library);
        }
        users++;
    }

    /**
     * One user fewer; the last one unregisters the natives, so that JNA, which keeps registered classes in a
     * static map, does not hold this bundle's class loader after the bundle stops.
     */
    static synchronized void release() {
        if (users > 0 && --users == 0) {
            Native.unregister(TurboJpegDirect.class);
        }
    }

    static native int tjCompress2(Pointer handle, Pointer srcBuf, int width, int pitch, int height, int pixelFormat,
            Pointer jpegBuf, Pointer jpegSize, int jpegSubsamp, int jpegQual, int flags);

    static native int tjCompressFromYUVPlanes(Pointer handle, Pointer srcPlanes, int width, Pointer strides,
            int height, int subsamp, Pointer jpegBuf, Pointer jpegSize, int jpegQual, int flags);
}
