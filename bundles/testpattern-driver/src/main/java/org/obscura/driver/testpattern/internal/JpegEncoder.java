package org.obscura.driver.testpattern.internal;

import java.awt.image.RenderedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

import org.obscura.camera.api.CameraException;

/**
 * Encodes images as baseline JPEG with the JDK's ImageIO writer at a fixed quality. Writes through a memory
 * cache, never ImageIO's default temporary files. Not thread-safe: one encoder per stream.
 */
final class JpegEncoder {

    private final ImageWriter writer;
    private final ImageWriteParam param;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);

    /** @param quality 1..100 */
    JpegEncoder(int quality) {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        if (!writers.hasNext()) {
            throw new CameraException(CameraException.Kind.UNAVAILABLE, "this Java runtime has no JPEG encoder");
        }
        writer = writers.next();
        param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(quality / 100f);
    }

    /** A complete JPEG file of {@code image}, in a new array the caller owns. */
    byte[] encode(RenderedImage image) {
        out.reset();
        try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new CameraException(CameraException.Kind.IO, "JPEG encoding failed: " + e.getMessage(), e);
        } finally {
            writer.setOutput(null);
        }
        return out.toByteArray();
    }
}
