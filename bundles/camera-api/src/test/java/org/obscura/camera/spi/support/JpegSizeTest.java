package org.obscura.camera.spi.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

class JpegSizeTest {

    static byte[] jpeg(int w, int h) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB), "jpg", out);
        return out.toByteArray();
    }

    @Test
    void readsTheFrameHeader() throws Exception {
        assertEquals(Optional.of(new JpegSize(321, 123)), JpegSize.read(ByteBuffer.wrap(jpeg(321, 123))));
        byte[] padded = new byte[10];
        byte[] j = jpeg(64, 48);
        byte[] both = Arrays.copyOf(padded, padded.length + j.length);
        System.arraycopy(j, 0, both, padded.length, j.length);
        assertEquals(Optional.of(new JpegSize(64, 48)), JpegSize.read(both, padded.length, j.length));
    }

    @Test
    void answersEmptyForOtherOrTruncatedData() throws Exception {
        assertTrue(JpegSize.read(ByteBuffer.wrap("not a jpeg".getBytes())).isEmpty());
        assertTrue(JpegSize.read(ByteBuffer.wrap(Arrays.copyOf(jpeg(64, 48), 12))).isEmpty());
        assertTrue(JpegSize.read(ByteBuffer.allocate(0)).isEmpty());
    }
}
