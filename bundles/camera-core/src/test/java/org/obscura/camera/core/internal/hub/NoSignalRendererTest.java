package org.obscura.camera.core.internal.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.time.Instant;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.PixelFormat;
import org.obscura.camera.core.internal.jpeg.JpegEncoder;

class NoSignalRendererTest {

    @Test
    void theNoSignalPictureIsAJpegOfTheAskedSizeWithText() throws Exception {
        Frame frame = NoSignalRenderer.render("left", 320, 180, Instant.now(), 0, JpegEncoder.standard(), 80);
        assertEquals(PixelFormat.JPEG, frame.format());
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(frame.toByteArray()));
        assertNotNull(image);
        assertEquals(320, image.getWidth());
        assertEquals(180, image.getHeight());
        // The background and stripes are dark; only the lettering is bright.
        int bright = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) >> 8 & 0xff) > 180) {
                    bright++;
                }
            }
        }
        assertTrue(bright > 100, "no lettering found: " + bright + " bright pixels");
    }

    @Test
    void tinySizesStillWork() {
        Frame frame = NoSignalRenderer.render("x", 1, 1, Instant.now(), 0, JpegEncoder.standard(), 80);
        assertEquals(1, frame.width());
    }
}
