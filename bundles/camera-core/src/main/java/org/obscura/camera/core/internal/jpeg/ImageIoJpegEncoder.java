package org.obscura.camera.core.internal.jpeg;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Iterator;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.Frame;

/**
 * The pure-Java encoder: converts the frame with {@link RawImages} and writes it with the JDK's ImageIO JPEG
 * writer (baseline, 4:2:0 chroma subsampling for colour). A writer is created per call because ImageIO writers
 * are not thread-safe; creating one is cheap next to encoding.
 *
 * <p>Also the fallback {@link JpegCodec} where libjpeg-turbo is missing: it decodes at full size only (the
 * caller resizes) and holds no native resources.
 */
public final class ImageIoJpegEncoder implements JpegCodec {

    static final ImageIoJpegEncoder INSTANCE = new ImageIoJpegEncoder();

    /** The name reported for this codec. */
    public static final String NAME = "java-imageio";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean fallback() {
        return true;
    }

    @Override
    public BgrImage decode(ByteBuffer jpeg, int minWidth, int minHeight) {
        ByteBuffer data = jpeg.duplicate();
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        BufferedImage image;
        try {
            image = ImageIO.read(new java.io.ByteArrayInputStream(bytes));
        } catch (IOException | RuntimeException e) {
            throw new CameraException(CameraException.Kind.IO, "JPEG decoding failed: " + e.getMessage(), e);
        }
        if (image == null) {
            throw new CameraException(CameraException.Kind.IO, "JPEG decoding failed: not a JPEG image");
        }
        return RawImages.toBgr(image);
    }

    @Override
    public byte[] encode(BgrImage image, int quality) {
        if (quality < 1 || quality > 100) {
            throw CameraException.invalid("quality", "quality must be between 1 and 100, got " + quality);
        }
        return write(RawImages.toImage(image), quality);
    }

    /** Nothing to free. */
    @Override
    public void close() {
    }

    @Override
    public byte[] encode(Frame frame, int quality) {
        if (frame.format().isCompressed()) {
            throw new CameraException(CameraException.Kind.UNSUPPORTED, frame.format() + " frames are already compressed");
        }
        if (quality < 1 || quality > 100) {
            throw CameraException.invalid("quality", "quality must be between 1 and 100, got " + quality);
        }
        return write(RawImages.toImage(frame), quality);
    }

    /** Writes an image as JPEG. */
    public static byte[] write(BufferedImage image, int quality) {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        if (!writers.hasNext()) {
            throw new CameraException(CameraException.Kind.UNSUPPORTED, "this Java runtime has no JPEG writer");
        }
        ImageWriter writer = writers.next();
        // Typical webcam JPEGs are 5-15% of the raw RGB size; start there to avoid most regrowth.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(4096, image.getWidth() * image.getHeight() / 4));
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality / 100f);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException | RuntimeException e) {
            throw new CameraException(CameraException.Kind.IO, "JPEG encoding failed: " + e.getMessage(), e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
