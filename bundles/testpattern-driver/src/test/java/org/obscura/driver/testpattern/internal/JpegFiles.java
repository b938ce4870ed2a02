package org.obscura.driver.testpattern.internal;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

/** Writes small JPEG files for folder tests. */
final class JpegFiles {
    private JpegFiles() {
    }

    /** A JPEG of the given size, flat in {@code rgb}. */
    static byte[] jpeg(int width, int height, int rgb) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(rgb));
        g.fillRect(0, 0, width, height);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "jpeg", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] write(Path file, int width, int height, int rgb) throws IOException {
        byte[] bytes = jpeg(width, height, rgb);
        Files.write(file, bytes);
        return bytes;
    }
}
