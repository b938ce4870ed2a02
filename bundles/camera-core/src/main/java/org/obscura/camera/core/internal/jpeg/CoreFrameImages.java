package org.obscura.camera.core.internal.jpeg;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;

import javax.imageio.ImageIO;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.FrameImages;
import org.obscura.camera.api.PixelFormat;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@link FrameImages} service: small JPEGs, PNGs and raw BGR from frames, with the bundle's shared
 * {@link JpegCodec} ({@link SharedJpegCodec}). JPEG sources are decoded natively, scaled while decoding for small
 * frames; raw sources are converted with {@link RawImages}. Stateless between calls; the callers cache per frame.
 */
@Component(service = FrameImages.class)
public final class CoreFrameImages implements FrameImages {

    private final JpegCodec codec;

    /** @param codec used, never closed: it stays its owner's */
    @Activate
    public CoreFrameImages(@Reference JpegCodec codec) {
        this.codec = codec;
    }

    @Override
    public String jpegCodec() {
        return codec.name();
    }

    @Override
    public boolean jpegFallback() {
        return codec.fallback();
    }

    @Override
    public ByteBuffer jpeg(Frame frame, int width, int height, int quality) {
        if (width < 1 || width > frame.width()) {
            throw CameraException.invalid("width", "width must be between 1 and the frame's width " + frame.width() + ", got " + width);
        }
        if (height < 1 || height > frame.height()) {
            throw CameraException.invalid("height",
                    "height must be between 1 and the frame's height " + frame.height() + ", got " + height);
        }
        if (quality < 1 || quality > 100) {
            throw CameraException.invalid("quality", "quality must be between 1 and 100, got " + quality);
        }
        byte[] jpeg;
        if (frame.format() == PixelFormat.JPEG) {
            jpeg = codec.encode(resize(codec.decode(frame.data(), width, height), width, height), quality);
        } else if (width == frame.width() && height == frame.height()) {
            jpeg = codec.encode(frame, quality);
        } else {
            jpeg = codec.encode(resize(RawImages.toBgr(frame), width, height), quality);
        }
        return ByteBuffer.wrap(jpeg).asReadOnlyBuffer();
    }

    @Override
    public ByteBuffer png(Frame frame) {
        var image = frame.format() == PixelFormat.GREY ? RawImages.toImage(frame) : RawImages.toImage(pixels(frame));
        ByteArrayOutputStream out = new ByteArrayOutputStream(frame.width() * frame.height());
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new CameraException(CameraException.Kind.UNSUPPORTED, "this Java runtime has no PNG writer");
            }
        } catch (IOException e) {
            throw new CameraException(CameraException.Kind.IO, "PNG encoding failed: " + e.getMessage(), e);
        }
        return ByteBuffer.wrap(out.toByteArray()).asReadOnlyBuffer();
    }

    @Override
    public ByteBuffer bgr(Frame frame) {
        return ByteBuffer.wrap(pixels(frame).pixels()).asReadOnlyBuffer();
    }

    private BgrImage pixels(Frame frame) {
        return frame.format() == PixelFormat.JPEG ? codec.decode(frame.data(), 0, 0) : RawImages.toBgr(frame);
    }

    /**
     * Shrinks by area averaging: each target pixel is the mean of the source pixels its area covers (at least
     * one). Returns the image itself when the size already matches.
     */
    static BgrImage resize(BgrImage src, int width, int height) {
        int sw = src.width();
        int sh = src.height();
        if (sw == width && sh == height) {
            return src;
        }
        byte[] in = src.pixels();
        byte[] out = new byte[width * height * 3];
        int[] x0 = new int[width + 1];
        for (int x = 0; x <= width; x++) {
            x0[x] = (int) ((long) x * sw / width);
        }
        for (int y = 0; y < height; y++) {
            int ya = (int) ((long) y * sh / height);
            int yb = Math.max(ya + 1, (int) ((long) (y + 1) * sh / height));
            for (int x = 0; x < width; x++) {
                int xa = x0[x];
                int xb = Math.max(xa + 1, x0[x + 1]);
                int b = 0;
                int g = 0;
                int r = 0;
                for (int sy = ya; sy < yb; sy++) {
                    for (int i = (sy * sw + xa) * 3, end = (sy * sw + xb) * 3; i < end; i += 3) {
                        b += in[i] & 0xff;
                        g += in[i + 1] & 0xff;
                        r += in[i + 2] & 0xff;
                    }
                }
                int n = (yb - ya) * (xb - xa);
                int o = (y * width + x) * 3;
                out[o] = (byte) ((b + n / 2) / n);
                out[o + 1] = (byte) ((g + n / 2) / n);
                out[o + 2] = (byte) ((r + n / 2) / n);
            }
        }
        return new BgrImage(width, height, out);
    }
}
