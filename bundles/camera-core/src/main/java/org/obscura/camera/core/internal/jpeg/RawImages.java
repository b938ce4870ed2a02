package org.obscura.camera.core.internal.jpeg;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.nio.ByteBuffer;
import java.util.Arrays;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.PixelFormat;

/**
 * Converts raw frames to {@link BufferedImage}s: {@code TYPE_BYTE_GRAY} for GREY, {@code TYPE_3BYTE_BGR} for
 * everything else. YUV is BT.601 limited range (what webcams and V4L2 deliver by default), converted with
 * integer arithmetic; rows are read with the frame's stride, so padded rows are handled.
 */
public final class RawImages {
    private RawImages() {
    }

    /** The frame's pixels as a new image; the frame's data is only read during this call. */
    public static BufferedImage toImage(Frame frame) {
        int w = frame.width();
        int h = frame.height();
        ByteBuffer src = frame.data();
        int stride = frame.stride();
        switch (frame.format()) {
            case GREY -> {
                BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
                byte[] dst = pixels(image);
                for (int y = 0; y < h; y++) {
                    src.get(y * stride, dst, y * w, w);
                }
                return image;
            }
            case BGR24, RGB24 -> {
                BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
                byte[] dst = pixels(image);
                int row = w * 3;
                for (int y = 0; y < h; y++) {
                    src.get(y * stride, dst, y * row, row);
                }
                if (frame.format() == PixelFormat.RGB24) {
                    for (int i = 0; i < dst.length; i += 3) {
                        byte r = dst[i];
                        dst[i] = dst[i + 2];
                        dst[i + 2] = r;
                    }
                }
                return image;
            }
            case YUYV, UYVY -> {
                BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
                packed422(src, w, h, stride, frame.format() == PixelFormat.UYVY, pixels(image));
                return image;
            }
            case NV12 -> {
                BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
                nv12(src, w, h, stride, pixels(image));
                return image;
            }
            default -> throw new CameraException(CameraException.Kind.UNSUPPORTED,
                    "cannot convert " + frame.format() + " frames to an image");
        }
    }

    /** A BGR image as a {@code TYPE_3BYTE_BGR} image sharing its array. */
    public static BufferedImage toImage(BgrImage bgr) {
        int w = bgr.width();
        int h = bgr.height();
        var buffer = new DataBufferByte(bgr.pixels(), w * h * 3);
        var raster = java.awt.image.Raster.createInterleavedRaster(buffer, w, h, w * 3, 3, new int[] {2, 1, 0}, null);
        var colour = new java.awt.image.ComponentColorModel(java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_sRGB),
                false, false, java.awt.Transparency.OPAQUE, DataBufferByte.TYPE_BYTE);
        return new BufferedImage(colour, raster, false, null);
    }

    /** Any image's pixels as packed BGR (a copy when the image is not already {@code TYPE_3BYTE_BGR}). */
    public static BgrImage toBgr(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        BufferedImage bgr = image;
        if (image.getType() != BufferedImage.TYPE_3BYTE_BGR) {
            bgr = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
            var g = bgr.createGraphics();
            g.drawImage(image, 0, 0, null);
            g.dispose();
        }
        return new BgrImage(w, h, pixels(bgr));
    }

    /** The frame's pixels as packed BGR (GREY is spread to three equal channels). */
    public static BgrImage toBgr(Frame frame) {
        BufferedImage image = toImage(frame);
        if (image.getType() == BufferedImage.TYPE_BYTE_GRAY) {
            byte[] grey = pixels(image);
            byte[] bgr = new byte[grey.length * 3];
            for (int i = 0, o = 0; i < grey.length; i++, o += 3) {
                bgr[o] = bgr[o + 1] = bgr[o + 2] = grey[i];
            }
            return new BgrImage(frame.width(), frame.height(), bgr);
        }
        return new BgrImage(frame.width(), frame.height(), pixels(image));
    }

    private static byte[] pixels(BufferedImage image) {
        return ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
    }

    /** YUYV (Y0 U Y1 V) or UYVY (U Y0 V Y1): one U/V pair per two pixels. */
    private static void packed422(ByteBuffer src, int w, int h, int stride, boolean uFirst, byte[] dst) {
        // Whole pairs: with an odd width the last pair sticks out of a tight row; its missing bytes stay neutral.
        byte[] row = new byte[(w + 1) / 2 * 4];
        Arrays.fill(row, (byte) 128);
        int readable = Math.min(stride, row.length);
        int y0 = uFirst ? 1 : 0;
        int u = uFirst ? 0 : 1;
        int y1 = uFirst ? 3 : 2;
        int v = uFirst ? 2 : 3;
        int o = 0;
        for (int y = 0; y < h; y++) {
            src.get(y * stride, row, 0, readable);
            for (int x = 0, i = 0; x < w; x += 2, i += 4) {
                int cu = row[i + u] & 0xff;
                int cv = row[i + v] & 0xff;
                bgr(row[i + y0] & 0xff, cu, cv, dst, o);
                o += 3;
                if (x + 1 < w) {
                    bgr(row[i + y1] & 0xff, cu, cv, dst, o);
                    o += 3;
                }
            }
        }
    }

    /** NV12: a full-size Y plane, then a half-height plane of interleaved U/V pairs, both with the same stride. */
    private static void nv12(ByteBuffer src, int w, int h, int stride, byte[] dst) {
        byte[] luma = new byte[w];
        byte[] chroma = new byte[(w + 1) / 2 * 2];
        Arrays.fill(chroma, (byte) 128);
        int readableChroma = Math.min(stride, chroma.length);
        int chromaPlane = stride * h;
        int o = 0;
        for (int y = 0; y < h; y++) {
            src.get(y * stride, luma, 0, w);
            if ((y & 1) == 0) {
                src.get(chromaPlane + (y / 2) * stride, chroma, 0, readableChroma);
            }
            for (int x = 0; x < w; x++) {
                int c = x & ~1;
                bgr(luma[x] & 0xff, chroma[c] & 0xff, chroma[c + 1] & 0xff, dst, o);
                o += 3;
            }
        }
    }

    /**
     * One BT.601 limited-range YCbCr pixel to B, G, R bytes at {@code dst[o..o+2]}. Fixed point with 8
     * fractional bits: 298 = 255/219 * 256, 409 = 1.596 * 256, 100 = 0.391 * 256, 208 = 0.813 * 256,
     * 516 = 2.018 * 256.
     */
    static void bgr(int y, int u, int v, byte[] dst, int o) {
        int c = (y - 16) * 298 + 128;
        int d = u - 128;
        int e = v - 128;
        dst[o] = clamp((c + 516 * d) >> 8);
        dst[o + 1] = clamp((c - 100 * d - 208 * e) >> 8);
        dst[o + 2] = clamp((c + 409 * e) >> 8);
    }

    private static byte clamp(int value) {
        return (byte) (value < 0 ? 0 : value > 255 ? 255 : value);
    }
}
