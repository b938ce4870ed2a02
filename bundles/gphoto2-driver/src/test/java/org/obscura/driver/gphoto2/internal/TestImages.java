package org.obscura.driver.gphoto2.internal;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

import javax.imageio.ImageIO;

/** Real JPEG images for the virtual camera to serve, each one different. */
final class TestImages {

    private TestImages() {
    }

    static byte[] jpeg(int width, int height, int seed) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color((seed * 53) % 256, (seed * 97) % 256, 160));
        g.fillRect(0, 0, width, height);
        g.setColor(Color.WHITE);
        g.drawString("image " + seed, 4, Math.min(height - 2, 16));
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(image, "jpg", out)) {
            throw new IOException("no JPEG writer");
        }
        return out.toByteArray();
    }
}
