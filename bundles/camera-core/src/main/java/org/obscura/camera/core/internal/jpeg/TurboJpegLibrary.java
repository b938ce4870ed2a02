package org.obscura.camera.core.internal.jpeg;

import com.sun.jna.Library;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.NativeLongByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The part of libjpeg-turbo's TurboJPEG 2.x C API (turbojpeg.h) that the codec uses, mapped by JNA. Handles are
 * opaque pointers; a handle is used by one thread at a time. Functions returning {@code int} return -1 on
 * failure, with the reason in {@link #tjGetErrorStr2}.
 */
interface TurboJpegLibrary extends Library {

    int TJPF_RGB = 0;
    int TJPF_BGR = 1;
    int TJPF_GRAY = 6;

    int TJSAMP_444 = 0;
    int TJSAMP_422 = 1;
    int TJSAMP_420 = 2;
    int TJSAMP_GRAY = 3;

    /** The caller's output buffer is large enough (tjBufSize): never reallocate or free it. */
    int TJFLAG_NOREALLOC = 1024;

    Pointer tjInitCompress();

    Pointer tjInitDecompress();

    int tjDestroy(Pointer handle);

    String tjGetErrorStr2(Pointer handle);

    NativeLong tjBufSize(int width, int height, int jpegSubsamp);

    int tjCompress2(Pointer handle, Pointer srcBuf, int width, int pitch, int height, int pixelFormat,
            PointerByReference jpegBuf, NativeLongByReference jpegSize, int jpegSubsamp, int jpegQual, int flags);

    int tjCompressFromYUVPlanes(Pointer handle, Pointer[] srcPlanes, int width, int[] strides, int height,
            int subsamp, PointerByReference jpegBuf, NativeLongByReference jpegSize, int jpegQual, int flags);

    int tjDecompressHeader3(Pointer handle, Pointer jpegBuf, NativeLong jpegSize, IntByReference width,
            IntByReference height, IntByReference jpegSubsamp, IntByReference jpegColorspace);

    int tjDecompress2(Pointer handle, Pointer jpegBuf, NativeLong jpegSize, Pointer dstBuf, int width, int pitch,
            int height, int pixelFormat, int flags);

    /** An array of {@code {int num; int denom;}} pairs, owned by the library. */
    Pointer tjGetScalingFactors(IntByReference numScalingFactors);
}
